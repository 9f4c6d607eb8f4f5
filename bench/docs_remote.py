"""A large synthetic docs remote: real-size pages and screenshots around the card folders.

The pipeline must cost what the cards cost, not what the repository costs, so the remote
has to be as heavy as the real one (~20k files, ~150 MB packed) while its card folders
carry a realistic history. The card history is replayed from a git bundle of the real
docs (first-parent commits, dates and messages) when one is given, else generated from
the test card template. Everything is seeded and dated, so the same arguments always
give the same commit ids; a built remote is kept and reused.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.sources import LOCALES  # noqa: E402

BUILDER_VERSION = 1  # bump when the layout below changes, so cached remotes are rebuilt
BRANCH_ROOTS = {"main": "content/guides", "jp": "guides"}  # where each branch keeps its pages
IDENTITY = "Docs Writer <docs@example.com>"
_WORD_TEXT = (
    "box api file folder upload download token scope app user enterprise event webhook metadata "
    "template collaboration shared link retention policy legal hold classification sign request "
    "document preview thumbnail search query filter pagination marker offset limit field "
    "response error status code retry rate header json payload client secret jwt oauth grant "
    "refresh access developer console sandbox admin group member invite comment task assignment"
)
WORDS = _WORD_TEXT.split()


@dataclass(frozen=True)
class RemoteSpec:
    """Size and shape of the remote; part of its cache key."""

    pages_per_branch: int = 9_000
    images_per_branch: int = 950
    image_bytes: tuple[int, int] = (40_000, 100_000)
    page_bytes: tuple[int, int] = (600, 2_400)
    other_commits_per_branch: int = 24
    synthetic_cards: int = 24
    synthetic_card_commits: int = 40
    seed: int = 6


@dataclass(frozen=True)
class CardCommit:
    """One commit of a card history: the whole card tree of the branch at that commit."""

    when: datetime
    message: str
    files: dict[str, tuple[int, bytes]]  # path -> (mode, data)


def remote_key(spec: RemoteSpec, bundle: Path | None) -> str:
    digest = hashlib.sha256(json.dumps([BUILDER_VERSION, asdict(spec)]).encode())
    if bundle is not None:
        digest.update(hashlib.sha256(bundle.read_bytes()).digest())
    return digest.hexdigest()[:12]


def ensure_remote(work: Path, spec: RemoteSpec, bundle: Path | None, log=print) -> Path:
    """The bare remote for `spec`, built under `work` unless a finished one is there."""
    path = work / f"remote-{remote_key(spec, bundle)}.git"
    if (path / "bench-built").exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".remote-", dir=work))
    log(f"building the synthetic remote in {path} (once; reused by later runs) ...")
    _git(tmp, "init", "-q", "--bare")
    histories = _bundle_histories(bundle) if bundle is not None else _synthetic_histories(spec)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=tmp, stdin=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    for chunk in _fast_import_stream(spec, histories):
        proc.stdin.write(chunk)
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    for key, value in (("uploadpack.allowFilter", "true"), ("uploadpack.allowAnySHA1InWant", "true")):
        _git(tmp, "config", key, value)
    _git(tmp, "symbolic-ref", "HEAD", "refs/heads/main")
    _git(tmp, "repack", "-a", "-d", "-q", "--window=0")  # one pack, as a served repository has
    (tmp / "bench-built").write_text(json.dumps({"spec": asdict(spec), "bundle": str(bundle)}) + "\n")
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _bundle_histories(bundle: Path) -> dict[str, list[CardCommit]]:
    """First-parent history of each locale branch in the bundle, whole trees per commit."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "b.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(clone)], check=True)
        histories = {}
        for branch in BRANCH_ROOTS:
            log = _git(clone, "log", "--first-parent", "--reverse", "--format=%H %ct %s", branch)
            commits = []
            for line in log.splitlines():
                sha, stamp, message = line.split(" ", 2)
                files = {}
                for entry in _git(clone, "ls-tree", "-r", "-z", sha).split("\0"):
                    if not entry:
                        continue
                    meta, path = entry.split("\t", 1)
                    mode, _, oid = meta.split()
                    data = subprocess.run(["git", "cat-file", "blob", oid], cwd=clone, check=True, capture_output=True)
                    files[path] = (int(mode, 8), data.stdout)
                commits.append(CardCommit(datetime.fromtimestamp(int(stamp), UTC), message, files))
            histories[branch] = commits
    return histories


def _synthetic_histories(spec: RemoteSpec) -> dict[str, list[CardCommit]]:
    """Cards written from the test template: values edited, cards added and removed over time."""
    from tests.docs_repo import card_href, card_md, index_md, tile_md

    histories = {}
    for branch, stream in (("main", LOCALES["en"]), ("jp", LOCALES["ja"])):
        rng = random.Random(f"{spec.seed}-cards-{branch}")
        locale = stream.locale
        cards = {f"model-{i:03d}": {"tokens": 128 * (1 + i % 8), "rank": i + 1} for i in range(spec.synthetic_cards)}
        start = datetime(2024, 5, 2, 12, tzinfo=UTC)
        commits = []
        for step in range(spec.synthetic_card_commits):
            if step:
                for name in rng.sample(sorted(cards), k=min(3, len(cards))):
                    cards[name]["tokens"] = rng.choice((32, 64, 128, 200, 256, 1000))
                if step % 7 == 0:
                    cards[f"model-{100 + step:03d}"] = {"tokens": 128, "rank": 100 + step}
                if step % 11 == 0 and len(cards) > 2:
                    del cards[sorted(cards)[0]]
            files = {}
            tiles = []
            for name, card in sorted(cards.items()):
                api = f"acme__{name.replace('-', '_')}"
                text = card_md(
                    api, locale=locale, rank=card["rank"], input_context_tokens=f"**{card['tokens']}k tokens**"
                )
                files[f"{stream.cards_folder}{name}-model-card.md"] = (0o100644, text.encode())
                pills = ["Chat", "Available", "Standard"]
                tiles.append(tile_md(api, card_href(f"{name}-model-card"), "A model.", pills, spaced=locale == "ja"))
            index = index_md({"Core Box AI Models": tiles}, spaced=locale == "ja")
            files[f"{stream.cards_folder}index.md"] = (0o100644, index.encode())
            commits.append(CardCommit(start + timedelta(days=7 * step), f"Update model cards ({step})", files))
        histories[branch] = commits
    return histories


class _Marks:
    """fast-import blob marks, one per distinct content."""

    def __init__(self) -> None:
        self.by_digest: dict[bytes, int] = {}

    def blob(self, data: bytes) -> tuple[int, bytes | None]:
        """(mark, command to emit or None when the content was already sent)."""
        digest = hashlib.sha1(data).digest()
        if digest in self.by_digest:
            return self.by_digest[digest], None
        mark = len(self.by_digest) + 1
        self.by_digest[digest] = mark
        return mark, b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data)


def _text(rng: random.Random, size: int, title: str) -> bytes:
    words = []
    total = 0
    while total < size:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    body = " ".join(words)
    lines = [body[i : i + 96] for i in range(0, len(body), 96)]
    return f"---\ntitle: {title}\n---\n\n# {title}\n\n".encode() + "\n".join(lines).encode() + b"\n"


def _image(rng: random.Random, size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)  # screenshots do not compress


def _bulk_paths(spec: RemoteSpec, root: str) -> tuple[list[str], list[str]]:
    sections = [f"{WORDS[i % len(WORDS)]}-{i:02d}" for i in range(40)]
    subs_per_section = 15
    pages = []
    for i in range(spec.pages_per_branch):
        section = sections[i % len(sections)]
        sub = f"{WORDS[(i // len(sections)) % len(WORDS)]}-{(i // len(sections)) % subs_per_section:02d}"
        pages.append(f"{root}/{section}/{sub}/{WORDS[(i * 7) % len(WORDS)]}-{i:05d}.md")
    images = [
        f"{root}/{sections[i % len(sections)]}/images/screenshot-{i:04d}.png" for i in range(spec.images_per_branch)
    ]
    return pages, images


def _commit(branch: str, when: datetime, message: str, ops: list[bytes]) -> bytes:
    stamp = f"{int(when.timestamp())} +0000"
    msg = message.encode()
    head = b"commit refs/heads/%s\ncommitter %s %s\ndata %d\n%s\n" % (
        branch.encode(),
        IDENTITY.encode(),
        stamp.encode(),
        len(msg),
        msg,
    )
    return head + b"".join(ops) + b"\n"


def _fast_import_stream(spec: RemoteSpec, histories: dict[str, list[CardCommit]]) -> Iterator[bytes]:
    marks = _Marks()

    def put(path: str, data: bytes, mode: int = 0o100644) -> Iterator[bytes]:
        mark, command = marks.blob(data)
        if command is not None:
            yield command
        ops.append(b"M %o :%d %s\n" % (mode, mark, path.encode()))

    for branch, root in BRANCH_ROOTS.items():
        rng = random.Random(f"{spec.seed}-bulk-{branch}")
        history = histories[branch]
        pages, images = _bulk_paths(spec, root)
        ops: list[bytes] = []
        for path in pages:
            yield from put(path, _text(rng, rng.randint(*spec.page_bytes), path.rsplit("/", 1)[-1]))
        for path in images:
            yield from put(path, _image(rng, rng.randint(*spec.image_bytes)))
        yield _commit(branch, history[0].when - timedelta(days=1), "Import the docs site", ops)

        # Other writers' commits fall between the card commits, as on the real branches.
        others = {
            round((i + 1) * len(history) / (spec.other_commits_per_branch + 1))
            for i in range(spec.other_commits_per_branch)
        }
        previous: dict[str, tuple[int, bytes]] = {}
        extra_images = 0
        for index, card_commit in enumerate(history):
            ops = [b"D %s\n" % path.encode() for path in sorted(set(previous) - set(card_commit.files))]
            for path, (mode, data) in sorted(card_commit.files.items()):
                if previous.get(path) != (mode, data):
                    yield from put(path, data, mode)
            yield _commit(branch, card_commit.when, card_commit.message, ops)
            previous = card_commit.files
            if index in others:
                ops = []
                for path in rng.sample(pages, 30):
                    yield from put(path, _text(rng, rng.randint(*spec.page_bytes), f"{path} rev {index}"))
                for _ in range(2):
                    extra_images += 1
                    yield from put(
                        f"{root}/updates/images/update-{extra_images:03d}.png",
                        _image(rng, rng.randint(*spec.image_bytes)),
                    )
                yield _commit(branch, card_commit.when + timedelta(hours=1), f"Update guides ({index})", ops)
    yield b"done\n"


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "model-catalog-bench")
    parser.add_argument("--bundle", type=Path, default=None)
    args = parser.parse_args()
    print(ensure_remote(args.work, RemoteSpec(), args.bundle))
