"""The only module that talks to git: sync a source into the cache, read card folders.

A docs repository is hundreds of megabytes while the cards are kilobytes, so the cache
is a partial clone of just the locale branches holding their commits, the trees on the
path to each card folder and the card blobs: trees one request per path level, blobs
one request per call, never one object at a time (a lazy read of a missing object would
be a round trip each).
"""

from __future__ import annotations

import configparser
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, UnsafeProtocolError

from extract.sources import (
    ALLOWED_SCHEMES,
    TOKEN_ENV,
    USER_ENV,
    SourceError,
    carries_secret,
    public_source,
    redact,
)

REMOTE = "origin"
FETCH_TIMEOUT_S = 900
MODE_SYMLINK = 0o120000
MODE_TREE = 0o040000
_NOT_FILES = (MODE_TREE, 0o160000)  # subfolders and submodules are not card files
_MARKERS = "refs/model-catalog/folders/"
MAX_PACKS = 50  # git's own gc.autoPackLimit
_Key = tuple[str, str]  # (commit, folder)
_Entry = tuple[int, str, str]  # a tree entry: (mode, name, oid)
# git reads the token from the environment through this helper when a server asks for it, so
# the token is never on a command line, in a URL or in the cache's config. The empty entry
# first drops the user's own helpers, which could otherwise store the token.
_CREDENTIAL_HELPER = (
    "!f() { test \"$1\" = get || exit 0; "
    f'test -n "${TOKEN_ENV}" || exit 0; '
    f'echo "username=${{{USER_ENV}:-x-access-token}}"; echo "password=${TOKEN_ENV}"; }}; f'
)
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GIT_LFS_SKIP_SMUDGE": "1",
    # Second line of defence behind check_source: git itself refuses ext::, fd::, git:// and http://.
    "GIT_ALLOW_PROTOCOL": ":".join(ALLOWED_SCHEMES),
    "GIT_CONFIG_COUNT": "2",
    "GIT_CONFIG_KEY_0": "credential.helper",
    "GIT_CONFIG_VALUE_0": "",
    "GIT_CONFIG_KEY_1": "credential.helper",
    "GIT_CONFIG_VALUE_1": _CREDENTIAL_HELPER,
}


@dataclass(frozen=True)
class CommitRef:
    """A commit on a branch's first-parent line."""

    sha: str
    committed_at: datetime


@dataclass(frozen=True)
class CardFile:
    """One file directly in a card folder at one commit. `data` is None when not read."""

    path: str
    blob: str
    mode: int
    size: int
    data: bytes | None

    @property
    def is_symlink(self) -> bool:
        return self.mode == MODE_SYMLINK


@dataclass(frozen=True)
class FolderLog:
    """The first-parent commits that touched a folder after a given one, oldest first.

    `rewritten`: that commit is no longer on the branch (a force-push); `commits` then
    holds only the newest commit that touched the folder.
    """

    commits: list[CommitRef]
    rewritten: bool


@dataclass(frozen=True)
class FolderSnapshot:
    """A card folder as one commit has it."""

    commit: CommitRef
    files: tuple[CardFile, ...]


class TransientSyncError(SourceError):
    """A sync failure worth retrying (network, remote hang-up)."""


_TRANSIENT_HINTS = (
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "timed out",
    "early eof",
    "remote end hung up",
    "unable to access",
    "connection reset",
    "temporary failure",
    "http 5",
    "the requested url returned error: 5",
)
# Said by git around the real reason; never the reason itself.
_GENERIC_LINES = ("fatal: could not read from remote repository", "please make sure", "and the repository exists")


def cache_path(cache_dir: Path, source: str) -> Path:
    """One cached clone per source, named by a hash of its public form."""
    digest = hashlib.sha256(public_source(source).encode()).hexdigest()[:16]
    return cache_dir / digest


def _git_error(exc: GitCommandError, source: str, what: str) -> SourceError:
    """One line for the user: git's first real reason, redacted, and whether a retry can help."""
    stderr = str(exc.stderr or exc).strip().removeprefix("stderr:").strip().strip("'")
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.lower().startswith(_GENERIC_LINES)] or lines
    useful = [ln for ln in lines if ln.lower().startswith(("fatal", "error"))] or lines
    detail = redact(useful[0] if useful else "git failed").strip("' ")
    message = f"{what} {public_source(source)!r}: {detail}"
    if _is_transient(stderr.lower(), source):
        return TransientSyncError(message)
    return SourceError(message)


def _is_transient(stderr: str, source: str) -> bool:
    if re.search(r"returned error: 4\d\d", stderr) or "authentication failed" in stderr:
        return False  # a wrong token or a missing repository stays wrong
    if "does not appear to be a git repository" in stderr:
        # Only a local source that vanished (an unmounted share) may come back; an existing
        # directory that is not a repository, or a remote's answer, will not.
        local = _local_path(source)
        return local is not None and not local.exists()
    return any(hint in stderr for hint in _TRANSIENT_HINTS)


def _local_path(source: str) -> Path | None:
    if source.startswith("file://"):
        return Path(unquote(urlsplit(source).path))
    return Path(source) if source.startswith("/") else None


def _open_cache(path: Path) -> git.Repo | None:
    """The cached clone, or None when it is absent or unusable (then it is rebuilt)."""
    if not path.exists():
        return None
    try:
        repo = git.Repo(path)
        repo.git.update_environment(**GIT_ENV)
        repo.git.rev_parse("--git-dir")
        repo.git.fsck("--connectivity-only", "--no-dangling", "--no-progress")
        return repo
    except (InvalidGitRepositoryError, NoSuchPathError, GitCommandError, ValueError, configparser.Error, OSError):
        # A cache is only a cache: whatever broke it (a killed fetch, a full disk, a stray
        # edit), rebuilding from the source is always correct.
        _remove_cache(path)
        return None


def _remove_cache(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _init_cache(path: Path, source: str) -> git.Repo:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".init-", dir=path.parent))
    repo = git.Repo.init(tmp, bare=True)
    repo.git.update_environment(**GIT_ENV)
    repo.create_remote(REMOTE, source)
    with repo.config_writer() as cfg:
        cfg.set_value(f'remote "{REMOTE}"', "promisor", "true")
        cfg.set_value(f'remote "{REMOTE}"', "partialclonefilter", "blob:none")
        cfg.set_value("extensions", "partialClone", REMOTE)
        cfg.set_value("core", "repositoryformatversion", "1")
        cfg.set_value("gc", "auto", "0")
    tmp.rename(path)
    return _repo(path)  # with GIT_ENV: no prompt, and the token only through the helper


def _remote_refs(repo: git.Repo, source: str) -> dict[str, str]:
    try:
        out = repo.git.ls_remote("--", source)
    except GitCommandError as exc:
        raise _git_error(exc, source, "cannot read") from None
    refs: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        refs[name] = sha
    return refs


def _pick_ref(refs: dict[str, str], branch: str) -> str | None:
    """A branch head, or for a plain local clone its remote-tracking twin."""
    for name in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        if name in refs:
            return name
    return None


def sync_source(
    source: str, cache_dir: Path, branches: Sequence[str], folders: Mapping[str, str] | None = None
) -> Path:
    """Bring the cached clone of `source` up to date for `branches`; return its path.

    Only commits come with the branches; then, for each `folders` entry (branch -> card
    folder), the trees on the path to that folder, one request per path level for all new
    commits at once. Blobs come later, in one batch. When the remote's heads equal the
    cache's, nothing is fetched at all. A remote that ignores filters (a bundle, a server
    without `uploadpack.allowFilter`) sends everything and nothing is missing afterwards.
    """
    _refuse_unsafe(source)
    path = cache_path(cache_dir, source)
    repo = _open_cache(path) or _init_cache(path, source)
    _point_remote(repo, source)
    refs = _remote_refs(repo, source)
    local_refs = _local_refs(repo)
    refspecs = []
    for branch in branches:
        ref = _pick_ref(refs, branch)
        if ref is None:
            raise SourceError(f"branch {branch!r} not found in {public_source(source)!r}")
        local = f"refs/remotes/{REMOTE}/{branch}"
        if local_refs.get(local) != refs[ref]:
            refspecs.append(f"+{ref}:{local}")
    if refspecs:
        try:
            repo.git.fetch(
                "--filter=tree:0",
                "--no-tags",
                "--no-write-fetch-head",
                "--quiet",
                REMOTE,
                *refspecs,
                kill_after_timeout=FETCH_TIMEOUT_S,
            )
        except GitCommandError as exc:
            raise _git_error(exc, source, "cannot fetch from") from None
        local_refs = _local_refs(repo)
    if folders:
        _fetch_folder_trees(repo, {b: f for b, f in folders.items() if b in branches}, local_refs)
    if refspecs:
        _compact(repo)
    return path


def _compact(repo: git.Repo) -> None:
    """Every fetch leaves a small pack (gc is off in the cache); past MAX_PACKS lookups slow down, so repack."""
    stats = dict(line.split(": ", 1) for line in repo.git.count_objects("-v").splitlines() if ": " in line)
    if int(stats.get("packs", "0")) > MAX_PACKS:
        repo.git.repack("-a", "-d", "-q")


def _refuse_unsafe(source: str) -> None:
    """The edge's own check, whoever the caller: raw `repo.git.fetch` calls are not guarded by GitPython.

    The fetches name the remote, so its URL is what must be safe; it is set only through
    GitPython's guarded `create_remote`/`set_url`, after this check.
    """
    if source.startswith("-"):
        raise SourceError(f"source {public_source(source)!r} looks like an option, not a repository")
    try:
        git.Git.check_unsafe_protocols(source)
    except UnsafeProtocolError:
        raise SourceError(f"source {public_source(source)!r} uses a git transport helper, not allowed") from None
    if carries_secret(source):
        raise SourceError(f"source {public_source(source)!r} carries a credential; give it in ${TOKEN_ENV} instead")


def _point_remote(repo: git.Repo, source: str) -> None:
    remote = repo.remote(REMOTE)
    if remote.url != source:
        remote.set_url(source)  # guarded by GitPython against ext:: and friends


def _local_sha(repo: git.Repo, ref: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", ref)
    except GitCommandError:
        return None


def branch_head(repo_path: Path, branch: str) -> CommitRef:
    repo = _repo(repo_path)
    commit = repo.commit(f"refs/remotes/{REMOTE}/{branch}")
    return CommitRef(commit.hexsha, commit.committed_datetime.astimezone(UTC))


def list_folder_commits(repo_path: Path, branch: str, folder: str, after: str | None = None) -> FolderLog:
    """First-parent commits that touched `folder`, oldest first, after `after` if given."""
    repo = _repo(repo_path)
    _fetch_folder_trees(repo, {branch: folder}, _local_refs(repo))  # a no-op after `sync_source(folders=...)`
    ref = f"refs/remotes/{REMOTE}/{branch}"
    args = ["--first-parent", "--format=%H %ct", "--no-renames"]
    rewritten = bool(after) and not _is_ancestor(repo, after, ref)
    if after and not rewritten:
        args.append(f"^{after}")
    out = repo.git.log(*args, ref, "--", folder.rstrip("/"))
    commits = []
    for line in reversed(out.splitlines()):
        sha, ts = line.split()
        commits.append(CommitRef(sha, datetime.fromtimestamp(int(ts), UTC)))
    return FolderLog(commits[-1:] if rewritten else commits, rewritten)


def _is_ancestor(repo: git.Repo, ancestor: str, ref: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", ancestor, ref)
        return True
    except GitCommandError:
        return False


def _repo(repo_path: Path) -> git.Repo:
    repo = git.Repo(repo_path)
    repo.git.update_environment(**GIT_ENV)
    return repo


def _local_refs(repo: git.Repo) -> dict[str, str]:
    """The cache's remote-tracking branches and folder markers, in one call."""
    try:
        out = repo.git.for_each_ref("--format=%(objectname) %(refname)", f"refs/remotes/{REMOTE}/", _MARKERS)
    except GitCommandError:
        return {}  # unreadable refs: everything is fetched again, which is always correct
    return {name: sha for sha, _, name in (line.partition(" ") for line in out.splitlines())}


def _marker(branch: str, folder: str) -> str:
    """A ref per (branch, folder) at the newest commit whose whole first-parent line has its path trees here."""
    return _MARKERS + hashlib.sha1(f"{branch}\0{folder}".encode()).hexdigest()[:16]


def _fetch_folder_trees(repo: git.Repo, folders: Mapping[str, str], local_refs: dict[str, str]) -> int:
    """Fetch the trees on the path to each branch's folder at every first-parent commit not done yet.

    `git log -- folder` and `ls-tree` need exactly these trees; a blobless clone would also
    fetch every other tree of the repository, a lazy read would fetch them one at a time.
    Returns how many objects were requested.
    """
    starts: dict[_Key, str] = {}
    done: list[str] = []
    for branch, folder in folders.items():
        tip = local_refs.get(f"refs/remotes/{REMOTE}/{branch}")
        marker = _marker(branch, folder)
        if tip is None or local_refs.get(marker) == tip:
            continue
        for sha, root in _first_parent_roots(repo, tip, local_refs.get(marker)):
            starts[(sha, folder)] = root
        done.append(f"update {marker} {tip}")
    requested = _walk_folders(repo, starts)[1] if starts else 0
    if done:
        repo.git.update_ref("--stdin", istream=_as_stream(done))
    return requested


def _first_parent_roots(repo: git.Repo, tip: str, done: str | None) -> list[tuple[str, str]]:
    """(commit, root tree) of the first-parent line of `tip`, down to `done` if given."""
    args = ["--first-parent", "--format=%H %T", tip]
    try:
        out = repo.git.log(*args, *([f"^{done}"] if done else []))
    except GitCommandError:
        out = repo.git.log(*args)  # the marker names a commit the cache lost: walk the whole line
    return [(sha, root) for sha, root in (line.split() for line in out.splitlines())]


def _walk_folders(repo: git.Repo, starts: Mapping[_Key, str]) -> tuple[dict[_Key, str | None], int]:
    """Walk from root trees down to each key's folder, fetching what is missing one level at a time.

    Keys are (commit, folder); values the commit's root tree. Each level is one request for
    all commits, so the number of requests grows with the folder's depth, never with the
    number of commits. The folders' own subfolders come along (`git log` may descend into
    them). Returns each key's folder tree (None where the folder is absent) and how many
    objects were requested.
    """
    parts = {key: tuple(p for p in key[1].split("/") if p) for key in starts}
    level: dict[_Key, str | None] = dict(starts)
    holders = sorted({commit for commit, _ in starts})
    found: dict[_Key, str | None] = {}
    requested = 0
    depth = 0
    while level:
        wanted = {oid for oid in level.values() if oid}
        requested += _fetch_objects(repo, _missing(repo, holders, wanted, commits=depth == 0), "tree:0")
        walking = {key: oid for key, oid in level.items() if oid and depth < len(parts[key])}
        found.update({key: oid for key, oid in level.items() if key not in walking})
        trees = _read_trees(repo, set(walking.values()))
        level = {key: _subtree(trees[oid], parts[key][depth]) for key, oid in walking.items()}
        holders = sorted(set(walking.values()))
        depth += 1
    folders = {oid for oid in found.values() if oid}
    subfolders = {oid for tree in _read_trees(repo, folders).values() for mode, _, oid in tree if mode == MODE_TREE}
    if subfolders:
        requested += _fetch_objects(repo, _missing(repo, sorted(folders), subfolders, commits=False), "blob:none")
    return found, requested


def _missing(repo: git.Repo, holders: Sequence[str], wanted: set[str], *, commits: bool) -> list[str]:
    """Which of `wanted`, all direct children of `holders` (commits or trees), are not here.

    `rev-list --missing=print` never fetches; `tree:1` keeps it to the direct children.
    """
    if not wanted or not holders:
        return []
    args = ["--objects", "--missing=print", "--no-object-names", "--filter=tree:1", "--stdin"]
    out = repo.git.rev_list(*(["--no-walk", *args] if commits else args), istream=_as_stream(holders))
    return sorted({line[1:] for line in out.splitlines() if line.startswith("?")} & wanted)


def _fetch_objects(repo: git.Repo, oids: Sequence[str], filter_spec: str) -> int:
    """One request for exactly `oids` (with what `filter_spec` lets through beneath them)."""
    if not oids:
        return 0
    try:
        repo.git.execute(
            [
                "git",
                "-c",
                "fetch.negotiationAlgorithm=noop",
                "fetch",
                REMOTE,
                "--no-tags",
                "--no-write-fetch-head",
                "--recurse-submodules=no",
                f"--filter={filter_spec}",
                "--stdin",
            ],
            istream=_as_stream(oids),
            kill_after_timeout=FETCH_TIMEOUT_S,
        )
    except GitCommandError as exc:
        raise _git_error(exc, public_source(repo.remote(REMOTE).url), "cannot fetch cards from") from None
    return len(oids)


def _read_trees(repo: git.Repo, oids: Iterable[str]) -> dict[str, list[_Entry]]:
    """(mode, name, oid) entries of each tree, all read by one `cat-file --batch`; the trees must be here."""
    wanted = sorted(set(oids))
    if not wanted:
        return {}
    out = repo.git.execute(
        ["git", "cat-file", "--batch"],
        istream=_as_stream(wanted),
        stdout_as_string=False,
        strip_newline_in_stdout=False,
    )
    trees: dict[str, list[_Entry]] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3 or header[1] != b"tree":
            raise SourceError(f"the cached clone lacks tree {header[0].decode()}: delete the cache and run again")
        size = int(header[2])
        trees[header[0].decode()] = _tree_entries(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1
    return trees


def _tree_entries(body: bytes) -> list[_Entry]:
    entries = []
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        name = body[space + 1 : nul].decode("utf-8", "surrogateescape")
        entries.append((int(body[pos:space], 8), name, body[nul + 1 : nul + 21].hex()))
        pos = nul + 21
    return entries


def _subtree(entries: list[_Entry], name: str) -> str | None:
    return next((oid for mode, entry, oid in entries if entry == name and mode == MODE_TREE), None)


def _folder_listings(repo: git.Repo, commits: Sequence[str], folder: str) -> dict[str, tuple[str, list[_Entry]]]:
    """Each commit's folder tree and its (mode, blob, path) files, by two `cat-file` calls in all.

    Reads only trees that `sync_source`/`list_folder_commits` brought; no `-l`: sizes need blobs.
    """
    base = "/".join(p for p in folder.split("/") if p)
    if not commits:
        return {}
    out = repo.git.execute(
        ["git", "cat-file", "--batch-check=%(objectname) %(objecttype)"],
        istream=_as_stream([f"{sha}:{base}" for sha in commits]),
    )
    trees = {}
    for sha, line in zip(commits, out.splitlines(), strict=True):
        oid, _, kind = line.rpartition(" ")
        if kind == "tree":
            trees[sha] = oid
    entries = _read_trees(repo, trees.values())
    return {
        sha: (tree, [(mode, oid, f"{base}/{name}") for mode, name, oid in entries[tree] if mode not in _NOT_FILES])
        for sha, tree in trees.items()
    }


def prefetch_blobs(repo_path: Path, trees: Iterable[str], oids: Iterable[str]) -> int:
    """Fetch the missing blobs among `oids` (found under `trees`) in one request.

    `git cat-file --batch` would fetch each missing blob in its own round trip. Returns
    how many blobs were fetched.
    """
    repo = _repo(repo_path)
    wanted = set(oids)
    tips = sorted(set(trees))
    if not wanted or not tips:
        return 0
    out = repo.git.rev_list("--objects", "--missing=print", "--no-object-names", "--stdin", istream=_as_stream(tips))
    missing = sorted({line[1:] for line in out.splitlines() if line.startswith("?")} & wanted)
    return _fetch_objects(repo, missing, "blob:none")


def _as_stream(lines: Sequence[str]) -> BinaryIO:
    """Object ids for git's `--stdin`; a file, since GitPython streams it to the process."""
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's git call
    stream.write(("\n".join(lines) + "\n").encode())
    stream.seek(0)
    return stream


def iter_folder_snapshots(
    repo_path: Path,
    folder: str,
    commits: Sequence[CommitRef],
    max_bytes: int,
) -> Iterator[FolderSnapshot]:
    """Yield the card folder at each commit; blobs are prefetched in one batch, read once.

    A file over `max_bytes` is listed with `data=None` so the caller can report it
    without holding it in memory.
    """
    repo = _repo(repo_path)
    listings = _folder_listings(repo, [commit.sha for commit in commits], folder)
    wanted = {oid for _, entries in listings.values() for _, oid, _ in entries}
    prefetch_blobs(repo_path, [tree for tree, _ in listings.values()], wanted)
    sizes: dict[str, int] = {}
    cache: dict[str, bytes | None] = {}
    for commit in commits:
        entries = listings[commit.sha][1] if commit.sha in listings else []
        files = []
        for mode, oid, path in entries:
            if oid not in cache:
                sizes[oid] = repo.odb.info(bytes.fromhex(oid)).size
                cache[oid] = repo.odb.stream(bytes.fromhex(oid)).read() if sizes[oid] <= max_bytes else None
            files.append(CardFile(path=path, blob=oid, mode=mode, size=sizes[oid], data=cache[oid]))
        yield FolderSnapshot(commit=commit, files=tuple(files))
