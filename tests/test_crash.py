"""A run killed (SIGKILL) while it writes, and two runs on one output folder at once.

The real pipeline runs in a subprocess through `flows.cli.main`; a small bootstrap wraps the
store's file operations from outside so the process kills itself on the k-th one. Whatever
k is, the folder is either as it was, or the next run's recovery makes it equal to the result
of an uninterrupted run, and that next run completes normally.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.catalog import catalog_flow
from output.store import OutputStore
from tests.conftest import ROOT
from tests.docs_repo import finish, make_docs_repo
from tests.test_history import Script

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Runs `model-catalog ARGS...` with the store's writes, links, renames and deletions counted; the
# KILL_AT-th one kills the process before it happens. CALL_LOG gets one line per operation.
BOOTSTRAP = r"""
import os, shutil, signal, sys
import output.store as store

kill_at, log, count = int(os.environ["KILL_AT"]), os.environ.get("CALL_LOG"), 0

def hit(kind, path):
    global count
    count += 1
    if log:
        with open(log, "a") as handle:
            handle.write(f"{kind} {os.path.relpath(path, os.environ['OUT'])}\n")
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

class Os:
    def __getattr__(self, name):
        return getattr(os, name)
    def replace(self, src, dst, *args, **kwargs):
        hit("replace", dst)
        return os.replace(src, dst, *args, **kwargs)
    def rename(self, src, dst, *args, **kwargs):
        hit("rename", dst)
        return os.rename(src, dst, *args, **kwargs)
    def link(self, src, dst, *args, **kwargs):
        hit("link", dst)
        return os.link(src, dst, *args, **kwargs)

class Shutil:
    def __getattr__(self, name):
        return getattr(shutil, name)
    def rmtree(self, path, *args, **kwargs):
        hit("rmtree", path)
        return shutil.rmtree(path, *args, **kwargs)

write_file = store._write_file

def counted_write(path, data):
    hit("write", path)
    return write_file(path, data)

store.os, store.shutil, store._write_file = Os(), Shutil(), counted_write
from flows.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli(args: list[str], out: Path, **env: str) -> subprocess.Popen:
    """`model-catalog ARGS` in a subprocess that reports to the test's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return subprocess.Popen(
        [sys.executable, "-c", BOOTSTRAP, *args, "--out", str(out)],
        cwd=ROOT,
        env={
            **os.environ,
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            "OUT": str(out),
            "KILL_AT": "0",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def output_files(out: Path) -> dict[str, bytes]:
    """Every published file by its contract path, read through the folder's fixed links.

    The lock, `current` and `versions/` are the store's own; a dangling link fails the read.
    """
    files = {}
    for folder, dirs, names in os.walk(out, followlinks=True):
        if Path(folder) == out:
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("current", "versions")]
            names = [n for n in names if not n.startswith(".")]
        for name in names:
            path = Path(folder) / name
            files[str(path.relative_to(out))] = path.read_bytes()
    return dict(sorted(files.items()))


def assert_tidy(out: Path) -> None:
    """No leftovers of a killed run: no temporary names, only versions a manifest keeps."""
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert not [p.name for p in (out / "versions").iterdir() if not p.name[0].isdigit()]
    current = os.readlink(out / "current").removeprefix("versions/")
    kept = json.loads((out / "current" / "MANIFEST.json").read_text())["kept"]
    assert sorted(p.name for p in (out / "versions").iterdir()) == sorted([current, *kept])


def assert_same_catalog(out: Path, ref: Path, tidy: bool = True) -> None:
    """Equal to an uninterrupted run: only when it ran and who ran it may differ."""
    assert sorted(output_files(out)) == sorted(output_files(ref))
    if tidy:
        assert_tidy(out)
    volatile = ["detected_at", "run_id"]
    got, want = pl.read_parquet(out / "changes.parquet"), pl.read_parquet(ref / "changes.parquet")
    assert_frame_equal(got.drop(volatile), want.drop(volatile))
    assert got.height == got.drop(volatile).unique().height  # never a duplicated change row
    tables = ["models.parquet", "model_versions.parquet", "findings.parquet"]
    for name in tables + [n for n in output_files(ref) if n.startswith("snapshots/")]:
        assert_frame_equal(pl.read_parquet(out / name), pl.read_parquet(ref / name))
    for name in ("models.json", "findings.json"):
        assert (out / name).read_bytes() == (ref / name).read_bytes()
    assert (
        json.loads((out / "state.json").read_text())["locales"]
        == json.loads((ref / "state.json").read_text())["locales"]
    )


@dataclass
class World:
    """A folder that stopped at the first commit, five commits since, and what a clean run makes."""

    script: Script
    start: Path
    cache: Path
    refs: dict[str, Path]
    calls: dict[str, list[str]]

    def args(self, mode: str) -> list[str]:
        # One version kept, so that every commit also deletes the one before: the deletion is a kill point too.
        return [
            mode,
            "--source",
            str(self.script.repo.path),
            "--locale",
            "en",
            "--cache-dir",
            str(self.cache),
            "--keep-versions",
            "1",
        ]


@pytest.fixture(scope="module")
def world(tmp_path_factory, prefect_harness) -> World:
    base = tmp_path_factory.mktemp("crash")
    script = Script(make_docs_repo(base))
    script.add()
    start, cache = base / "start", base / "cache"
    catalog_flow(source=str(script.repo.path), out=str(start), cache_dir=str(cache), locales=["en"], keep_versions=1)
    for step in (script.modify, script.reformat, script.remove, script.other, script.readd, script.rename):
        step()
    w = World(script, start, cache, {}, {})
    for mode in ("run", "backfill"):
        ref, log = base / f"ref-{mode}", base / f"calls-{mode}.log"
        shutil.copytree(start, ref, symlinks=True)
        code, err = finish(cli(w.args(mode), ref, CALL_LOG=str(log)))
        assert code == 0, err
        w.refs[mode], w.calls[mode] = ref, log.read_text().splitlines()
    return w


VERSION = re.compile(r"versions/(\d{8}T\d{12}Z-[0-9a-f]{8})/")


def transactions(calls: list[str]) -> list[list[str]]:
    """The store operations of each commit: from its first write into a new version to the next commit's."""
    groups: list[list[str]] = [[]]
    version = None
    for call in calls:
        match = VERSION.search(call) if call.startswith(("write ", "link ")) else None
        if match and match.group(1) != version and groups[-1]:
            groups.append([])
        version = match.group(1) if match else version
        groups[-1].append(call)
    return [g for g in groups if g]


def kill_point(calls: list[str], where: str) -> int:
    """The 1-based number of the store operation the process dies before, in the catalog's commit."""
    groups = transactions(calls)
    main = next(
        n for n, g in enumerate(groups) if any(c.startswith("write ") and c.endswith("/changes.parquet") for c in g)
    )
    offset, txn = sum(len(g) for g in groups[:main]), groups[main]
    writes = [i for i, c in enumerate(txn) if c.startswith("write ") and not c.endswith("/MANIFEST.json")]
    first = {
        "carry-over link": "link ",
        "manifest write": "write versions/X/MANIFEST.json",
        "pointer switch": "replace current",
        "renaming an old version away": "rename versions/.trash-",
        "deleting the old version": "rmtree versions/.trash-",
    }
    if where in first:
        index = next(i for i, c in enumerate(txn) if VERSION.sub("versions/X/", c).startswith(first[where]))
    else:
        index = writes[0] if where == "first version write" else writes[len(writes) // 2]
    return offset + index + 1


BEFORE_COMMIT = ("first version write", "middle version write", "carry-over link", "manifest write", "pointer switch")
AFTER_COMMIT = ("renaming an old version away", "deleting the old version")


def test_uninterrupted_runs_write_a_version_then_switch_the_pointer_then_clean_up(world):
    for calls in world.calls.values():
        for txn in transactions(calls):
            kinds = [VERSION.sub("versions/X/", c) for c in txn]
            switch = kinds.index("replace current")
            [manifest] = [i for i, c in enumerate(kinds) if c.endswith("/MANIFEST.json")]
            [version] = {VERSION.search(c).group(1) for c in txn[:manifest] if VERSION.search(c)}
            assert all(c.split()[0] in ("write", "link") and "versions/X/" in c for c in kinds[:manifest])
            assert all(c.startswith("replace ") for c in kinds[manifest + 1 : switch])  # the fixed top-level links
            assert all(c.split()[0] in ("rename", "rmtree") and "/.trash-" in c for c in kinds[switch + 1 :])
            assert version
    run = transactions(world.calls["run"])
    [catalog] = [g for g in run if any(c.startswith("write ") and c.endswith("/changes.parquet") for c in g)]
    written = {VERSION.sub("", c.split()[1]) for c in catalog if c.startswith("write ")}
    assert {"models.parquet", "changes.parquet", "model_versions.parquet", "state.json"} <= written
    assert {m for m in written if m.startswith("snapshots/")} == {
        f"snapshots/en/{world.script.sha[s]}.parquet" for s in ("modify", "reformat", "remove", "readd", "rename")
    }
    linked = {VERSION.sub("", c.split()[1]) for c in catalog if c.startswith("link ")}
    assert linked == {f"snapshots/en/{world.script.sha['add']}.parquet"}  # carried over, not rewritten


def test_backfill_and_incremental_run_make_the_same_catalog(world):
    assert_same_catalog(world.refs["backfill"], world.refs["run"])


KILLS = [
    *[("run", where) for where in BEFORE_COMMIT],
    *[("run", where) for where in AFTER_COMMIT],
    ("backfill", "middle version write"),
    ("backfill", "pointer switch"),
    ("backfill", "deleting the old version"),
]


def rerun(world, out: Path) -> dict:
    """The run after a killed one, in this process: it must complete the catalog."""
    return catalog_flow(
        source=str(world.script.repo.path),
        out=str(out),
        cache_dir=str(world.cache),
        locales=["en"],
        mode="run",
        keep_versions=1,
    )


@pytest.mark.parametrize(("mode", "where"), KILLS)
def test_killed_run_leaves_before_or_after_and_the_next_run_completes(world, tmp_path, mode, where):
    out = tmp_path / "out"
    shutil.copytree(world.start, out, symlinks=True)
    before = output_files(out)

    code, err = finish(cli(world.args(mode), out, KILL_AT=str(kill_point(world.calls[mode], where))))

    assert code == -signal.SIGKILL, err
    if where in BEFORE_COMMIT:
        assert output_files(out) == before
    else:
        assert_same_catalog(out, world.refs[mode], tidy=False)  # published whole, before the clean-up
    summary = rerun(world, out)
    if where in AFTER_COMMIT:
        assert summary["locales"] == []  # the killed run's commit stands, it is not redone
    assert_same_catalog(out, world.refs["run"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_killed_at_a_random_store_operation_leaves_a_catalog_the_next_run_completes(world, tmp_path, seed):
    """Anywhere in the run, not only at the named points: before, between or after its commits."""
    calls = world.calls["run"]
    kill_at = random.Random(seed).randint(1, len(calls))
    out = tmp_path / "out"
    shutil.copytree(world.start, out, symlinks=True)

    code, err = finish(cli(world.args("run"), out, KILL_AT=str(kill_at)))

    assert code == -signal.SIGKILL, err
    output_files(out)  # every contract path reads: no dangling link, whatever was published
    rerun(world, out)
    assert_same_catalog(out, world.refs["run"])


def test_second_run_is_refused_with_one_line_while_the_folder_is_held(world, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(world.start, out, symlinks=True)
    before = output_files(out)

    with OutputStore(out).locked():
        code, err = finish(cli(world.args("run"), out))

    assert code == 1
    assert err.strip().splitlines()[-1] == (
        f"model-catalog: error: another run is writing {out}; try again when it has finished"
    )
    assert "Traceback" not in err
    assert output_files(out) == before


def test_second_run_with_wait_runs_when_the_first_lets_go(world, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(world.start, out, symlinks=True)

    with OutputStore(out).locked():
        proc = cli([*world.args("run"), "--wait", "300"], out)
        wait_until_open(proc, out / ".lock")

    code, err = finish(proc)
    assert code == 0, err
    assert_same_catalog(out, world.refs["run"])


def wait_until_open(proc: subprocess.Popen, path: Path) -> None:
    """Block until the process has `path` open (it then waits on the lock), or has ended."""
    fds = Path(f"/proc/{proc.pid}/fd")
    while proc.poll() is None:
        try:
            if any(os.readlink(fd) == str(path) for fd in fds.iterdir()):
                return
        except (FileNotFoundError, ProcessLookupError):
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)


@pytest.mark.parametrize("wait", ["0", "300"])
def test_two_runs_at_once_never_duplicate_change_rows(world, tmp_path, wait):
    out = tmp_path / "out"
    shutil.copytree(world.start, out, symlinks=True)

    procs = [cli([*world.args("run"), "--wait", wait], out) for _ in range(2)]
    results = [finish(p) for p in procs]

    refused = f"model-catalog: error: another run is writing {out}; try again when it has finished"
    for code, err in results:
        assert code == 0 or (code == 1 and err.strip().splitlines()[-1] == refused), err
    assert any(code == 0 for code, _ in results)
    if wait != "0":
        assert [code for code, _ in results] == [0, 0]
    assert_same_catalog(out, world.refs["run"])


def test_a_half_moved_commit_of_the_older_flat_layout_is_finished_then_migrated(tmp_path):
    """What the older protocol left when killed after its commit point: some files moved, some still staged."""
    out = tmp_path / "out"
    (out / "snapshots" / "en").mkdir(parents=True)
    (out / "state.json").write_text('{"v": 1}')
    (out / "snapshots" / "en" / "a.json").write_text('{"v": 1}')
    (out / ".lock").touch()
    (out / ".commit" / "snapshots" / "en").mkdir(parents=True)
    (out / ".commit" / "state.json").write_text('{"v": 2}')
    (out / ".commit" / "MANIFEST.json").write_text('{"files": ["snapshots/en/a.json", "state.json", "gone.json"]}')
    (out / "snapshots" / "en" / "a.json").write_text('{"v": 2}')  # moved before the kill, so no longer staged
    (out / ".staging-0123").mkdir()
    (out / ".staging-0123" / "models.parquet").write_bytes(b"half a file")

    with OutputStore(out).locked():
        pass

    assert output_files(out) == {"snapshots/en/a.json": b'{"v": 2}', "state.json": b'{"v": 2}'}
    assert sorted(p.name for p in out.iterdir()) == [".lock", "current", "snapshots", "state.json", "versions"]
    assert all((out / name).is_symlink() for name in ("current", "snapshots", "state.json"))
    assert_tidy(out)


def test_a_finished_flat_commit_whose_deletion_was_cut_short_is_dropped(tmp_path):
    out = tmp_path / "out"
    (out / ".commit" / "snapshots" / "en").mkdir(parents=True)  # the manifest and files already gone
    (out / "state.json").write_text("{}")

    with OutputStore(out).locked():
        pass

    assert sorted(p.name for p in out.iterdir()) == [".lock", "current", "state.json", "versions"]
    assert output_files(out) == {"state.json": b"{}"}
