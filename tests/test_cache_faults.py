"""Faults in the git layer: runaway or hung git, shallow and partial sources, killed and concurrent runs
sharing one cache, a cache folder that cannot be used, a worker whose cache is empty.

Each case is reproduced first (a real shallow clone, the files a killed git leaves, four processes
at once, a full tmpfs) and must end with a usable cache or one line. Counts of git processes come
from GIT_TRACE2_EVENT; nothing here asserts a time.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import polars as pl
import pytest

from extract import git_fetch, git_source
from extract.git_errors import CacheDamaged, CacheError, IncompleteSource
from extract.sources import LOCALES, TOKEN_ENV, USER_ENV
from tests.docs_repo import ROOT, card_md, make_docs_repo, seed_two_models

FOLDERS = {s.branch: s.cards_folder for s in LOCALES.values()}
EN = LOCALES["en"]


@pytest.fixture(autouse=True)
def _no_token(monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(USER_ENV, raising=False)


@pytest.fixture
def docs(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    return repo


class Trace:
    """trace2 events of every git process started while the test runs."""

    def __init__(self, path: Path):
        self.path = path

    def names(self) -> list[str]:
        if not self.path.exists():
            return []
        events = (json.loads(line) for line in self.path.read_text().splitlines() if line.strip())
        return [e["name"] for e in events if e["event"] == "cmd_name"]

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)


@pytest.fixture
def trace(tmp_path, monkeypatch) -> Trace:
    path = tmp_path / "trace2.json"
    monkeypatch.setenv("GIT_TRACE2_EVENT", str(path))
    return Trace(path)


def sync(source: str, cache_dir: Path) -> git_source.CachedRepo:
    return git_source.sync_source(source, cache_dir, list(FOLDERS), FOLDERS)


def head_cards(repo: git_source.CachedRepo) -> dict[str, dict[str, bytes | None]]:
    """Per branch, the card folder at the head: path -> bytes."""
    cards = {}
    for stream in LOCALES.values():
        commits = git_source.list_folder_commits(repo, stream.branch, stream.cards_folder).commits
        [snap] = git_source.iter_folder_snapshots(repo, stream.cards_folder, commits[-1:], 1 << 20)
        cards[stream.branch] = {f.path: f.data for f in snap.files}
    return cards


def commit_new_card(docs, name: str = "gamma") -> str:
    docs.write("en", f"{name}-model-card.md", card_md(f"acme__{name}"))
    return docs.commit("en", f"Add {name}", "2025-02-01T10:00:00+00:00")


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


def fsck_ok(path: Path) -> bool:
    return subprocess.run(["git", "fsck", "--connectivity-only"], cwd=path, capture_output=True).returncode == 0


# -- bounded git -------------------------------------------------------------------------------


def shallow_clone(docs, tmp_path: Path) -> Path:
    """`git clone --depth 3 --no-single-branch` of a docs repository with a longer history."""
    for i in range(4):
        for locale in ("en", "ja"):
            docs.write(locale, "alpha-model-card.md", card_md("acme__alpha", locale=locale, max_output_tokens=f"{i}k"))
            docs.commit(locale, f"v{i}", f"2025-02-0{i + 1}T10:00:00+00:00")
    target = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", "--no-single-branch", f"file://{docs.path}", str(target)],
        check=True,
        capture_output=True,
    )
    assert (target / ".git" / "shallow").exists()
    return target


def test_a_shallow_source_is_refused_in_one_line_after_a_handful_of_git_processes(tmp_path, docs, trace):
    """It used to start a chain of nested lazy fetches, thousands deep, bounded only by the 900 s timeout."""
    shallow = shallow_clone(docs, tmp_path)
    trace.reset()

    with pytest.raises(IncompleteSource) as info:
        sync(str(shallow), tmp_path / "cache")

    assert one_line(info.value) == (
        f"source '{shallow}' is a shallow clone: its history is cut short; "
        "run `git fetch --unshallow` there, or use a full clone"
    )
    names = trace.names()
    assert len(names) <= 20, names
    assert names.count("fetch") == 1

    subprocess.run(["git", "fetch", "-q", "--unshallow"], cwd=shallow, check=True)  # the way out it names
    assert head_cards(sync(str(shallow), tmp_path / "cache")) == head_cards(sync(str(docs.path), tmp_path / "ref"))


def test_where_git_would_fetch_lazily_the_shallow_chain_stops_at_the_process_bound(tmp_path, docs, trace, monkeypatch):
    """A git before the April 2024 security releases (2.39.4) ignores GIT_NO_LAZY_FETCH: the chain starts as it
    did in the case reported (3,241 processes after 21 s), and the process bound ends it."""
    shallow = shallow_clone(docs, tmp_path)
    monkeypatch.delitem(git_fetch.GIT_ENV, "GIT_NO_LAZY_FETCH")
    trace.reset()

    with pytest.raises(IncompleteSource) as info:
        sync(str(shallow), tmp_path / "cache")

    assert one_line(info.value) == (
        f"cannot fetch from '{shallow}': git started more than {git_fetch.MAX_PROCESSES} processes and was "
        "stopped (a shallow or partial source can make git fetch objects one by one)"
    )
    fetches = trace.names().count("fetch")
    assert 1 < fetches <= 2 * git_fetch.MAX_PROCESSES  # the chain had begun; the bound cut it short


def processes_with(marker: str) -> list[str]:
    found = []
    for name in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline:
            found.append(cmdline)
    return found


def test_a_git_that_starts_processes_without_end_is_killed_whole(tmp_path, trace):
    alias = f"loop{uuid.uuid4().hex[:8]}"

    with pytest.raises(git_fetch.GitFailed) as info:
        git_fetch.run_git(tmp_path, ["-c", f"alias.{alias}=!git {alias}", alias])

    assert info.value.bound == f"started more than {git_fetch.MAX_PROCESSES} processes"
    assert processes_with(f"git {alias}") == []  # nothing of the chain is left running
    assert len(trace.names()) <= 4 * git_fetch.MAX_PROCESSES


def test_a_git_that_hangs_is_killed_whole_at_the_time_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(git_fetch, "GIT_TIMEOUT_S", 1)
    pause = f"{600 + uuid.uuid4().int % 1000}.25"  # seconds no test waits for; unique, to find its process

    with pytest.raises(git_fetch.GitFailed) as info:
        git_fetch.run_git(tmp_path, ["-c", "alias.hang=!sleep " + pause, "hang"])

    assert info.value.bound == "ran longer than 1 s"
    assert processes_with(f"sleep {pause}") == []
    failure = git_fetch.Fetcher(tmp_path, "https://example.com/docs.git").failure(info.value, "cannot fetch from")
    assert type(failure).__name__ == "TransientSyncError"  # a hung server may answer next time


def test_a_source_that_is_itself_a_partial_clone_is_refused_in_one_line(tmp_path, docs, trace):
    docs.git("config", "uploadpack.allowFilter", "true")
    commit_new_card(docs)
    partial = tmp_path / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-single-branch", f"file://{docs.path}", str(partial)],
        check=True,
        capture_output=True,
    )
    trace.reset()

    with pytest.raises(IncompleteSource) as info:
        sync(str(partial), tmp_path / "cache")

    assert one_line(info.value).startswith(f"source '{partial}' lacks objects of its own history")
    assert len(trace.names()) <= 20


# -- caches that heal --------------------------------------------------------------------------


def test_a_ref_lock_left_by_a_killed_fetch_is_cleared_so_the_run_succeeds(tmp_path, docs):
    """The case as found: with the lock file there, git refused every later fetch ("cannot lock ref")."""
    cache_dir = tmp_path / "cache"
    path = sync(str(docs.path), cache_dir).path
    new = commit_new_card(docs)
    (path / "refs/remotes/origin/main.lock").write_text("")
    refused = subprocess.run(
        ["git", "fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main"], cwd=path, capture_output=True
    )
    assert refused.returncode != 0 and b"cannot lock ref" in refused.stderr
    assert fsck_ok(path)  # which is why the old check never noticed

    repo = sync(str(docs.path), cache_dir)

    assert git_source.branch_head(repo, "main").sha == new
    assert not (path / "refs/remotes/origin/main.lock").exists()


STALE = [
    "refs/remotes/origin/jp.lock",
    "refs/model-catalog/folders/0123456789abcdef.lock",
    "packed-refs.lock",
    "HEAD.lock",
    "config.lock",
    "index.lock",
    "shallow.lock",
    "objects/info/commit-graph.lock",
    "objects/pack/tmp_pack_Ab12Cd",
    "objects/pack/tmp_idx_Ab12Cd",
    "objects/pack/.tmp-1234-pack-abc.pack",
    "objects/ab/tmp_obj_Ab12Cd",
    "objects/pack/pack-0123456789abcdef0123456789abcdef01234567.keep",
]


@pytest.mark.parametrize("leftover", STALE)
def test_what_a_killed_git_leaves_in_the_cache_is_removed_under_the_lock(tmp_path, docs, leftover):
    cache_dir = tmp_path / "cache"
    path = sync(str(docs.path), cache_dir).path
    new = commit_new_card(docs)
    stale = path / leftover
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"fetch-pack 4242 on worker\n" if leftover.endswith(".keep") else b"")

    repo = sync(str(docs.path), cache_dir)

    assert git_source.branch_head(repo, "main").sha == new
    assert not stale.exists()
    assert fsck_ok(path)


def test_a_lock_file_that_became_a_folder_is_removed_too(tmp_path, docs):
    cache_dir = tmp_path / "cache"
    path = sync(str(docs.path), cache_dir).path
    new = commit_new_card(docs)
    (path / "refs/remotes/origin/main.lock").mkdir()
    (path / "refs/remotes/origin/main.lock" / "x").write_text("x")

    assert git_source.branch_head(sync(str(docs.path), cache_dir), "main").sha == new


def test_a_cache_that_fsck_passes_but_git_cannot_fetch_into_is_rebuilt(tmp_path, docs):
    """A ref folder where the branch ref must go: every fetch fails ("cannot lock ref"), fsck sees nothing."""
    cache_dir = tmp_path / "cache"
    path = sync(str(docs.path), cache_dir).path
    old = docs.git("rev-parse", "main")
    new = commit_new_card(docs)
    (path / "refs/remotes/origin/main").unlink(missing_ok=True)
    subprocess.run(["git", "pack-refs", "--all"], cwd=path, check=True)
    subprocess.run(["git", "update-ref", "-d", "refs/remotes/origin/main"], cwd=path, check=True)
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main/stray", old], cwd=path, check=True)
    assert fsck_ok(path)

    repo = sync(str(docs.path), cache_dir)

    assert git_source.branch_head(repo, "main").sha == new
    assert head_cards(repo)["main"][f"{EN.cards_folder}gamma-model-card.md"]
    assert not (path / "refs/remotes/origin/main/stray").exists()


def lose_folder_tree(repo: git_source.CachedRepo, tree: str) -> None:
    """Delete every pack holding `tree`: in a partial clone fsck takes it for promised, so it passes."""
    for idx in (repo.path / "objects" / "pack").glob("*.idx"):
        listed = subprocess.run(["git", "show-index"], stdin=idx.open("rb"), capture_output=True, text=True).stdout
        if tree in listed:
            for part in idx.parent.glob(idx.stem + ".*"):
                part.unlink()
    assert fsck_ok(repo.path)


def filtering(docs) -> str:
    """The docs served as GitHub serves them, with filters: trees and blobs then come in their own packs."""
    docs.git("config", "uploadpack.allowFilter", "true")
    return f"file://{docs.path}"


def test_a_reader_that_finds_lost_trees_says_so_once_and_the_next_sync_rebuilds(tmp_path, docs):
    cache_dir = tmp_path / "cache"
    source = filtering(docs)
    repo = sync(source, cache_dir)
    expected = head_cards(repo)
    lose_folder_tree(repo, docs.git("rev-parse", f"main:{EN.cards_folder}"))

    with pytest.raises(CacheDamaged) as info:
        git_source.list_folder_commits(repo, "main", EN.cards_folder)
    assert one_line(info.value).endswith("the next run rebuilds it")

    assert head_cards(sync(source, cache_dir)) == expected


def test_a_lost_folder_tree_is_never_read_as_an_empty_folder(tmp_path, docs):
    """`<commit>:<folder>` says "missing" for both; only a folder absent at the commit is an empty listing."""
    repo = sync(filtering(docs), tmp_path / "cache")
    commits = git_source.list_folder_commits(repo, "main", EN.cards_folder).commits
    lose_folder_tree(repo, docs.git("rev-parse", f"main:{EN.cards_folder}"))

    with pytest.raises(CacheDamaged):
        list(git_source.iter_folder_snapshots(repo, EN.cards_folder, commits, 1 << 20))


def test_a_folder_absent_at_a_commit_is_an_empty_listing(tmp_path, docs):
    docs.git("checkout", "-q", "main")
    shutil.rmtree(docs.path / EN.cards_folder)
    docs.git("add", "-A")
    docs.git("commit", "-q", "-m", "Drop the folder")
    repo = sync(str(docs.path), tmp_path / "cache")
    commits = git_source.list_folder_commits(repo, "main", EN.cards_folder).commits

    snaps = list(git_source.iter_folder_snapshots(repo, EN.cards_folder, commits, 1 << 20))

    assert [len(s.files) for s in snaps] == [3, 0]


SYNC_PROGRAM = """
import sys
from pathlib import Path
from extract import git_source
from extract.sources import LOCALES
folders = {s.branch: s.cards_folder for s in LOCALES.values()}
repo = git_source.sync_source(sys.argv[1], Path(sys.argv[2]), list(folders), folders)
cards = sum(len(s.files) for b, f in folders.items()
            for s in git_source.iter_folder_snapshots(
                repo, f, git_source.list_folder_commits(repo, b, f).commits[-1:], 1 << 20))
print(repo.heads["main"].sha, repo.heads["jp"].sha, cards)
"""


def syncs_at_once(source: str, cache_dir: Path, runs: int) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", SYNC_PROGRAM, source, str(cache_dir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(runs)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in started]


@pytest.mark.parametrize("cache", ["new", "behind"])
def test_four_runs_sharing_one_cache_all_succeed(tmp_path, docs, cache):
    """Four runs with their own outputs and one --cache-dir, started at once, failed in 6 of 12 trials."""
    cache_dir = tmp_path / "cache"
    if cache == "behind":
        sync(str(docs.path), cache_dir)
        commit_new_card(docs)

    done = syncs_at_once(str(docs.path), cache_dir, 4)

    expected = f"{docs.git('rev-parse', 'main')} {docs.git('rev-parse', 'jp')} {3 + (cache == 'behind') + 3}"
    assert [(d.returncode, d.stdout.strip()) for d in done] == [(0, expected)] * 4, [d.stderr for d in done]
    assert [p.name for p in cache_dir.iterdir() if p.name.startswith(".")] == []  # no half-made cache left
    assert fsck_ok(git_source.cache_path(cache_dir, str(docs.path)))


def test_a_sync_does_not_run_under_another_runs_reads(tmp_path, docs, monkeypatch):
    cache_dir = tmp_path / "cache"
    repo = sync(str(docs.path), cache_dir)
    monkeypatch.setattr(git_source, "CACHE_LOCK_WAIT_S", 0)

    with git_source._cache_lock(repo.path, exclusive=False), pytest.raises(CacheError) as info:
        sync(str(docs.path), cache_dir)
    assert one_line(info.value) == (
        f"the cache folder '{repo.path}' is busy: another run has held it for over 0 s; try again later"
    )

    with git_source._cache_lock(repo.path, exclusive=False):  # readers share it
        assert git_source.list_folder_commits(repo, "main", EN.cards_folder).commits
    with git_source._cache_lock(repo.path, exclusive=True), pytest.raises(CacheError):
        git_source.list_folder_commits(repo, "main", EN.cards_folder)


def test_the_cache_lock_is_held_as_long_as_any_git_process_of_the_sync_runs(tmp_path, monkeypatch):
    """A run killed mid-fetch leaves its git running; the next run must wait for it, not clear its locks."""
    path = tmp_path / "cache" / "0123456789abcdef"
    path.mkdir(parents=True)
    monkeypatch.setattr(git_source, "CACHE_LOCK_WAIT_S", 0)
    with git_source._cache_lock(path, exclusive=True) as fd:
        child = subprocess.Popen(["sleep", "600"], pass_fds=(fd,), start_new_session=True)
    try:
        with pytest.raises(CacheError, match="is busy"), git_source._cache_lock(path, exclusive=True):
            pass
    finally:
        child.kill()
        child.wait()
    with git_source._cache_lock(path, exclusive=True):
        pass


def test_a_cache_dir_that_is_a_file_is_one_line(tmp_path, docs):
    cache_dir = tmp_path / "cache"
    cache_dir.write_text("not a folder")

    with pytest.raises(CacheError) as info:
        sync(str(docs.path), cache_dir)

    assert one_line(info.value) == (
        f"cannot use the cache folder '{cache_dir}': it is not a folder; fix it or pass another --cache-dir"
    )


@pytest.fixture
def small_disk(tmp_path):
    """A real 4 MB filesystem (tmpfs), so a full disk is the kernel's, not a mock."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN): {result.stderr.decode()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.parametrize("cache", ["new", "behind"])
def test_a_cache_on_a_full_disk_is_one_line_and_the_next_run_after_freeing_succeeds(tmp_path, docs, small_disk, cache):
    cache_dir = small_disk / "cache"
    if cache == "behind":
        sync(str(docs.path), cache_dir)
    new = commit_new_card(docs)
    filler = fill(small_disk)

    with pytest.raises(CacheError) as info:
        sync(str(docs.path), cache_dir)

    assert one_line(info.value) == (
        f"cannot use the cache folder '{cache_dir}': no space left on device; fix it or pass another --cache-dir"
    )
    filler.unlink()
    repo = sync(str(docs.path), cache_dir)
    assert git_source.branch_head(repo, "main").sha == new
    assert f"{EN.cards_folder}gamma-model-card.md" in head_cards(repo)["main"]


# -- through the flow --------------------------------------------------------------------------


@pytest.fixture
def flows(prefect_harness):
    from flows import catalog, cli, tasks

    return catalog, cli, tasks


def test_the_console_gives_one_line_for_a_shallow_source_and_a_cache_dir_that_is_a_file(tmp_path, docs, flows, capfd):
    _, cli, _ = flows
    shallow = shallow_clone(docs, tmp_path)
    (tmp_path / "file").write_text("")
    capfd.readouterr()

    assert (
        cli.main(["run", "--source", str(shallow), "--out", str(tmp_path / "a"), "--cache-dir", str(tmp_path / "c")])
        == 1
    )
    assert (
        cli.main(
            ["run", "--source", str(docs.path), "--out", str(tmp_path / "b"), "--cache-dir", str(tmp_path / "file")]
        )
        == 1
    )

    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("model-catalog:")]
    assert lines == [
        f"model-catalog: error: source '{shallow}' is a shallow clone: its history is cut short; "
        "run `git fetch --unshallow` there, or use a full clone",
        f"model-catalog: error: cannot use the cache folder '{tmp_path / 'file'}': it is not a folder; "
        "fix it or pass another --cache-dir",
    ]


def test_a_dns_failure_is_not_retried_by_the_flow(tmp_path, flows, monkeypatch, capfd, trace):
    _, cli, tasks = flows
    monkeypatch.setattr(tasks, "sync_source", tasks.sync_source.with_options(retry_delay_seconds=0))
    capfd.readouterr()

    assert cli.main(["run", "--source", "https://docs.invalid/docs.git", "--out", str(tmp_path / "out")]) == 1

    assert trace.names().count("ls-remote") == 1  # one attempt: no retry can make the name resolve
    assert "Could not resolve host: docs.invalid" in capfd.readouterr().err


def changes_without_run(out: Path) -> pl.DataFrame:
    changes = pl.read_parquet(out / "changes.parquet")
    return changes.drop([c for c in changes.columns if c in ("run_id", "detected_at")]).sort(pl.all())


def test_a_worker_with_an_empty_cache_continues_from_the_stored_state(tmp_path, docs, flows):
    """A fresh container: the cache folder is empty, the outputs are there. Nothing the run needs lives only
    in the cache, so it records what a run that kept its cache records: exactly the new commit's changes."""
    catalog, _, _ = flows
    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    for out in (kept, fresh):
        catalog.catalog_flow(source=str(docs.path), out=str(out), cache_dir=str(out.with_suffix(".cache")))
    docs.write(
        "en", "alpha-model-card.md", card_md("acme__alpha", title="Acme Alpha", max_output_tokens="**16k tokens**")
    )
    new = commit_new_card(docs)
    shutil.rmtree(fresh.with_suffix(".cache"))

    summaries = [
        catalog.catalog_flow(source=str(docs.path), out=str(out), cache_dir=str(out.with_suffix(".cache")))
        for out in (kept, fresh)
    ]

    assert summaries[0]["changes"] == summaries[1]["changes"]
    assert changes_without_run(fresh).equals(changes_without_run(kept))
    latest = pl.read_parquet(fresh / "changes.parquet").filter(pl.col("to_commit") == new)
    assert sorted(latest.select("change", "api_name", "field").rows()) == [
        ("added", "acme__gamma", None),
        ("modified", "acme__alpha", "max_output_tokens"),
    ]
    assert json.loads((fresh / "state.json").read_text())["locales"]["en"]["commit"] == new
