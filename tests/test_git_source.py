"""The sync paths on real `file://` remotes: what is fetched, how often, and that it is right.

Every git process writes trace2 events to a file; a `fetch` whose session id is nested
under another git command's was started by it, i.e. a lazy fetch of a missing object.
Counts, never timings, are asserted; so are the work bounds that follow from them (a
backfill parses each blob once, an unmoved run does nothing, `--help` imports little).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from extract import git_fetch, git_source
from extract.card_markdown import MAX_CARD_BYTES
from extract.sources import LOCALES
from tests.docs_repo import DocsRepo, card_href, card_md, imported_packages, index_md, make_docs_repo, tile_md

FOLDERS = {s.branch: s.cards_folder for s in LOCALES.values()}
IMAGE = bytes(range(256)) * 800  # 200 kB that a card-only sync must never move


def build_remote(tmp_path: Path, cards: int, versions: int, *, allow_filter: bool = True) -> DocsRepo:
    """Both branches: `versions` card commits changing every card, each followed by a commit elsewhere."""
    tmp_path.mkdir(parents=True)
    repo = make_docs_repo(tmp_path)
    if allow_filter:
        repo.git("config", "uploadpack.allowFilter", "true")
    for locale in ("en", "ja"):
        root = LOCALES[locale].guides_root
        for version in range(versions):
            tiles = []
            for i in range(cards):
                api = f"acme__m{i:03d}"
                text = card_md(api, locale=locale, max_output_tokens=f"**{version + 1}k tokens**")
                repo.write(locale, f"m{i:03d}-model-card.md", text)
                tiles.append(tile_md(api, card_href(f"m{i:03d}-model-card"), "A model.", ["Chat", "Available"]))
            repo.write(locale, "index.md", index_md({"Core Box AI Models": tiles}))
            repo.commit(locale, f"Cards v{version}", f"2025-01-{version + 1:02d}T10:00:00+00:00")
            other = repo.path / root / "other" / f"page-{version}.md"
            other.parent.mkdir(parents=True, exist_ok=True)
            other.write_text(f"# Page {version}\n")
            (repo.path / root / "other" / f"shot-{version}.png").write_bytes(IMAGE + bytes([version]))
            repo.git("add", root)
            stamp = f"2025-01-{version + 1:02d}T12:00:00+00:00"
            repo.git("commit", "-q", "-m", "Other pages", env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    return repo


class Trace:
    """trace2 events of every git process started while it is active."""

    def __init__(self, path: Path):
        self.path = path

    def events(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def commands(self) -> Counter:
        return Counter(e["name"] for e in self.events() if e["event"] == "cmd_name")

    def fetches(self) -> int:
        return self.commands()["fetch"]

    def lazy_fetches(self) -> int:
        """Fetches started by another git command (reading a missing object), not by us."""
        names = [(e["sid"].count("/"), e["name"]) for e in self.events() if e["event"] == "cmd_name"]
        ours = min((depth for depth, _ in names), default=0)  # processes we started have no git parent
        return sum(1 for depth, name in names if name == "fetch" and depth > ours)

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)


@pytest.fixture
def trace(tmp_path, monkeypatch) -> Trace:
    path = tmp_path / "trace2.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(path))
    return Trace(path)


def snapshots(repo: git_source.CachedRepo, *, history: bool) -> dict[str, list[dict[str, bytes | None]]]:
    """Per locale, the card folder at the head (or at every card commit): path -> data."""
    result = {}
    for stream in LOCALES.values():
        commits = git_source.list_folder_commits(repo, stream.branch, stream.cards_folder).commits
        chosen = commits if history else commits[-1:]
        snaps = git_source.iter_folder_snapshots(repo, stream.cards_folder, chosen, MAX_CARD_BYTES)
        result[stream.locale] = [{f.path: f.data for f in snap.files} for snap in snaps]
    return result


def sync(source: str, cache: Path) -> git_source.CachedRepo:
    return git_source.sync_source(source, cache, list(FOLDERS), FOLDERS)


def present_objects(repo: git_source.CachedRepo) -> set[str]:
    """Objects in the cache; listing them never fetches."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def cold_fetches(tmp_path: Path, trace: Trace, cards: int, versions: int, *, history: bool) -> tuple[int, int, int]:
    remote = build_remote(tmp_path / f"remote-{cards}-{versions}", cards, versions)
    trace.reset()
    repo_path = sync(f"file://{remote.path}", tmp_path / f"cache-{cards}-{versions}")
    snaps = snapshots(repo_path, history=history)
    files = sum(len(folder) for folders in snaps.values() for folder in folders)
    assert files == 2 * (cards + 1) * (versions if history else 1)
    assert all(data is not None for folders in snaps.values() for folder in folders for data in folder.values())
    return trace.fetches(), trace.lazy_fetches(), trace.commands()["upload-pack"]


def test_cold_sync_and_head_snapshot_fetch_as_often_for_twice_the_cards(tmp_path, trace):
    small = cold_fetches(tmp_path, trace, cards=3, versions=2, history=False)
    large = cold_fetches(tmp_path, trace, cards=6, versions=2, history=False)

    assert small == large
    fetches, lazy, _ = small
    assert lazy == 0
    # branches, one request per path level (root, content, guides, box-ai, ai-models), blobs per locale
    assert fetches == 1 + 5 + 2


def test_backfill_fetches_as_often_for_twice_the_cards_and_twice_the_versions(tmp_path, trace):
    base = cold_fetches(tmp_path, trace, cards=3, versions=2, history=True)
    more_cards = cold_fetches(tmp_path, trace, cards=6, versions=2, history=True)
    more_versions = cold_fetches(tmp_path, trace, cards=3, versions=4, history=True)

    assert base == more_cards == more_versions
    assert base[1] == 0


def test_sync_leaves_everything_but_the_card_folders_on_the_remote(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    repo_path = sync(f"file://{remote.path}", tmp_path / "cache")
    snapshots(repo_path, history=True)

    present = present_objects(repo_path)
    outside = remote.git("rev-parse", "main:content/guides/other", "main:content/guides/other/shot-1.png").split()
    assert not present & set(outside)
    card_blobs = remote.git("ls-tree", "--object-only", "main", "--", LOCALES["en"].cards_folder).split()
    assert set(card_blobs) <= present


def test_nothing_new_means_no_fetch(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    repo_path = sync(f"file://{remote.path}", tmp_path / "cache")
    snapshots(repo_path, history=False)
    trace.reset()

    sync(f"file://{remote.path}", tmp_path / "cache")
    snapshots(repo_path, history=False)

    assert trace.fetches() == 0
    assert trace.commands()["upload-pack"] == 1  # the one ls-remote that tells nothing moved


def test_incremental_sync_fetches_only_the_new_commits_objects(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=3, versions=2)
    source = f"file://{remote.path}"
    repo_path = sync(source, tmp_path / "cache")
    snapshots(repo_path, history=True)
    old = remote.git("rev-parse", "main")
    before = present_objects(repo_path)
    remote.write("en", "m000-model-card.md", card_md("acme__m000", max_output_tokens="**99k tokens**"))
    remote.commit("en", "Bigger output", "2025-02-01T10:00:00+00:00")
    new = remote.git("rev-parse", "main")
    trace.reset()

    repo_path = sync(source, tmp_path / "cache")
    stream = LOCALES["en"]
    log = git_source.list_folder_commits(repo_path, stream.branch, stream.cards_folder, after=old)
    commits = log.commits
    [snap] = git_source.iter_folder_snapshots(repo_path, stream.cards_folder, commits, MAX_CARD_BYTES)

    assert [c.sha for c in commits] == [new] and not log.rewritten
    assert b"99k tokens" in {f.path: f.data for f in snap.files}[f"{stream.cards_folder}m000-model-card.md"]
    added = present_objects(repo_path) - before
    introduced = set(remote.git("rev-list", "--objects", "--no-object-names", f"{old}..{new}").split())
    assert added and added <= introduced
    assert trace.lazy_fetches() == 0


@pytest.mark.parametrize("kind", ["bundle", "file-without-filter"])
def test_remote_that_refuses_filters_falls_back_to_a_full_fetch(tmp_path, trace, kind):
    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    expected = snapshots(sync(f"file://{remote.path}", tmp_path / "reference"), history=True)
    remote.git("config", "uploadpack.allowFilter", "false")
    if kind == "bundle":
        source = str(tmp_path / "docs.bundle")
        remote.git("bundle", "create", "-q", source, "main", "jp")
    else:
        source = f"file://{remote.path}"
    trace.reset()

    repo_path = sync(source, tmp_path / "cache")
    got = snapshots(repo_path, history=True)

    assert got == expected
    assert trace.fetches() == 1  # the branches, whole; nothing is missing afterwards
    assert remote.git("rev-parse", "main:content/guides/other/shot-1.png") in present_objects(repo_path)


def test_card_folder_with_a_subfolder_is_walked_without_lazy_fetches(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=2, versions=1)
    folder = remote.path / LOCALES["en"].cards_folder
    for version in range(2):
        remote.git("checkout", "-q", "main")
        (folder / "images").mkdir(exist_ok=True)
        (folder / "images" / "diagram.png").write_bytes(IMAGE + bytes([version]))
        remote.git("add", LOCALES["en"].cards_folder)
        stamp = f"2025-03-0{version + 1}T10:00:00+00:00"
        remote.git("commit", "-q", "-m", "Diagram", env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    trace.reset()

    repo_path = sync(f"file://{remote.path}", tmp_path / "cache")
    snaps = snapshots(repo_path, history=True)

    assert trace.lazy_fetches() == 0
    assert all(not path.endswith("diagram.png") for folder in snaps["en"] for path in folder)


def test_corrupted_cache_is_detected_and_rebuilt(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    source = f"file://{remote.path}"
    repo = sync(source, tmp_path / "cache")
    expected = snapshots(repo, history=True)
    for pack in (repo.path / "objects" / "pack").iterdir():
        pack.unlink()
    shutil.rmtree(repo.path / "objects" / "info", ignore_errors=True)

    assert sync(source, tmp_path / "cache") == repo
    assert snapshots(repo, history=True) == expected


def test_many_runs_do_not_pile_up_packs(tmp_path, monkeypatch):
    monkeypatch.setattr(git_fetch, "MAX_PACKS", 6)
    remote = build_remote(tmp_path / "remote", cards=1, versions=1)
    source = f"file://{remote.path}"
    for step in range(8):
        remote.write("en", "m000-model-card.md", card_md("acme__m000", max_output_tokens=f"**{step + 2}k tokens**"))
        remote.commit("en", f"Step {step}", f"2025-04-{step + 1:02d}T10:00:00+00:00")
        repo_path = sync(source, tmp_path / "cache")
        snapshots(repo_path, history=False)

    packs = list((repo_path.path / "objects" / "pack").glob("*.pack"))
    assert len(packs) <= 6 + 1  # at most one blob fetch after the last compaction
    head = snapshots(repo_path, history=False)["en"][0]
    assert b"9k tokens" in head[f"{LOCALES['en'].cards_folder}m000-model-card.md"]


def test_the_trace_sees_a_lazy_fetch_when_a_missing_blob_is_read_directly(tmp_path, trace):
    """The counter above is real: outside our environment, reading a blob the sync left out fetches it lazily."""
    remote = build_remote(tmp_path / "remote", cards=1, versions=1)
    repo = sync(f"file://{remote.path}", tmp_path / "cache")
    blob = remote.git("rev-parse", f"main:{LOCALES['en'].cards_folder}index.md")
    trace.reset()

    subprocess.run(["git", "cat-file", "-p", blob], cwd=repo.path, capture_output=True, check=True)

    assert trace.lazy_fetches() >= 1


def test_under_our_environment_a_missing_object_is_an_error_never_a_lazy_fetch(tmp_path, trace):
    remote = build_remote(tmp_path / "remote", cards=1, versions=1)
    repo = sync(f"file://{remote.path}", tmp_path / "cache")
    blob = remote.git("rev-parse", f"main:{LOCALES['en'].cards_folder}index.md")
    trace.reset()

    read = subprocess.run(
        ["git", "cat-file", "-p", blob], cwd=repo.path, capture_output=True, env={**os.environ, **git_source.GIT_ENV}
    )

    assert read.returncode != 0
    assert trace.fetches() == 0


def distinct_card_blobs(remote: DocsRepo) -> set[str]:
    """Blob ids of every card and index version on both branches' card-folder histories."""
    blobs = set()
    for stream in LOCALES.values():
        for sha in remote.git("log", "--first-parent", "--format=%H", stream.branch, "--", stream.cards_folder).split():
            listing = remote.git("ls-tree", sha, "--", stream.cards_folder)
            blobs |= {line.split()[2] for line in listing.splitlines() if line.endswith(".md")}
    return blobs


@pytest.mark.usefixtures("prefect_harness")
def test_backfill_parses_each_distinct_blob_once(tmp_path):
    from flows.catalog import catalog_flow

    remote = build_remote(tmp_path / "remote", cards=3, versions=3)
    remote.write("en", "m000-model-card.md", card_md("acme__m000", max_output_tokens="**1k tokens**"))
    remote.commit("en", "Back to the first version of one card", "2025-02-01T10:00:00+00:00")

    summary = catalog_flow(
        source=f"file://{remote.path}", out=str(tmp_path / "out"), cache_dir=str(tmp_path / "cache"), mode="backfill"
    )

    assert summary["parsed"] == len(distinct_card_blobs(remote))


@pytest.mark.usefixtures("prefect_harness")
def test_run_on_unmoved_branches_parses_nothing_and_writes_nothing(tmp_path, trace):
    from flows.catalog import catalog_flow

    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    out = tmp_path / "out"
    kwargs = {"source": f"file://{remote.path}", "out": str(out), "cache_dir": str(tmp_path / "cache")}
    catalog_flow(**kwargs)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    trace.reset()

    summary = catalog_flow(**kwargs)

    assert summary["parsed"] == 0 and summary["locales"] == []
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()} == before
    assert trace.fetches() == 0


def test_help_imports_neither_prefect_nor_the_data_libraries():
    """`--help` must not pay for what only a run needs (python -X importtime lists every import)."""
    import sys

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flows.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: model-catalog" in done.stdout
    heavy = {"prefect", "polars", "pyarrow", "git", "markdown_it", "pyromark", "bs4"}
    assert not imported_packages(done.stderr) & heavy


def test_list_folder_commits_says_when_history_was_rewritten(tmp_path):
    """A force-push drops the last processed commit: only the newest folder commit comes back, flagged."""
    remote = build_remote(tmp_path / "remote", cards=1, versions=1)
    source = f"file://{remote.path}"
    base = remote.git("rev-parse", "main")
    remote.write("en", "m000-model-card.md", card_md("acme__m000", max_output_tokens="**8k tokens**"))
    first = remote.commit("en", "C1", "2025-02-01T10:00:00+00:00")
    remote.write("en", "m000-model-card.md", card_md("acme__m000", release_date="**May 1st, 2025**"))
    second = remote.commit("en", "C2", "2025-02-02T10:00:00+00:00")
    repo = sync(source, tmp_path / "cache")
    stream = LOCALES["en"]
    at = [datetime(2025, 2, day, 10, tzinfo=UTC) for day in (1, 2)]
    assert git_source.list_folder_commits(repo, "main", stream.cards_folder, after=base) == git_source.FolderLog(
        [git_source.CommitRef(first, at[0]), git_source.CommitRef(second, at[1])], rewritten=False
    )
    assert git_source.list_folder_commits(repo, "main", stream.cards_folder, after=second).commits == []

    remote.git("reset", "-q", "--hard", "HEAD~1")
    remote.git("reflog", "expire", "--expire=now", "--all")
    remote.git("gc", "-q", "--prune=now")
    for cache in ("cache", "fresh-cache"):  # a cache that still holds C2, and one that never saw it
        repo = sync(source, tmp_path / cache)
        log = git_source.list_folder_commits(repo, "main", stream.cards_folder, after=second)
        assert log.rewritten and [c.sha for c in log.commits] == [first]


def test_merges_on_the_first_parent_line_need_no_tree_of_their_side_branches(tmp_path, trace):
    """The real docs merge pull requests; `log --first-parent -- folder` compares a merge with its first parent only."""
    remote = build_remote(tmp_path / "remote", cards=2, versions=1)
    remote.git("checkout", "-q", "-b", "side", "main")
    remote.write("en", "m001-model-card.md", card_md("acme__m001", max_output_tokens="**77k tokens**"))
    remote.commit("en", "Side change", "2025-03-01T10:00:00+00:00")  # commits the side branch's folder
    remote.git("checkout", "-q", "main")
    remote.git("merge", "-q", "--no-ff", "-m", "Merge side", "side", env={"GIT_COMMITTER_DATE": "2025-03-02T10:00:00"})
    remote.git("branch", "-D", "side")
    trace.reset()

    repo = sync(f"file://{remote.path}", tmp_path / "cache")
    commits = git_source.list_folder_commits(repo, "main", LOCALES["en"].cards_folder).commits
    *_, head = git_source.iter_folder_snapshots(repo, LOCALES["en"].cards_folder, commits, MAX_CARD_BYTES)

    assert commits[-1].sha == remote.git("rev-parse", "main")
    assert b"77k tokens" in {f.path: f.data for f in head.files}[f"{LOCALES['en'].cards_folder}m001-model-card.md"]
    assert trace.lazy_fetches() == 0


def test_a_folder_the_sync_did_not_bring_is_refused(tmp_path):
    remote = build_remote(tmp_path / "remote", cards=1, versions=1)
    repo = git_source.sync_source(f"file://{remote.path}", tmp_path / "cache", ["main"])

    with pytest.raises(ValueError, match="was not synced"):
        git_source.list_folder_commits(repo, "main", LOCALES["en"].cards_folder)
    with pytest.raises(ValueError, match="branch 'jp' was not synced"):
        git_source.branch_head(repo, "jp")


def test_the_handle_survives_pickling_with_the_same_answers(tmp_path):
    """Prefect may persist a task's result: the handle carries no open process or repository."""
    import pickle

    remote = build_remote(tmp_path / "remote", cards=2, versions=2)
    repo = sync(f"file://{remote.path}", tmp_path / "cache")
    expected = snapshots(repo, history=True)  # opens the runner first

    copy = pickle.loads(pickle.dumps(repo))

    assert copy == repo and "git" not in copy.__dict__
    assert snapshots(copy, history=True) == expected
