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
from tests.docs_repo import make_docs_repo
from tests.test_history import Script

pytestmark = pytest.mark.usefixtures("prefect_harness")

# Runs `model-catalog ARGS...` with the store's writes, renames and deletions counted; the
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


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    """Wait for the run; if it was killed, end whatever it started and left behind (its own session)."""
    try:
        _, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode < 0:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, err


def output_files(out: Path) -> dict[str, bytes]:
    """Every output file by relative path; the lock and staging folders are not outputs."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def assert_same_catalog(out: Path, ref: Path) -> None:
    """Equal to an uninterrupted run: only when it ran and who ran it may differ."""
    assert sorted(output_files(out)) == sorted(output_files(ref))
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"]
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
        return [mode, "--source", str(self.script.repo.path), "--locale", "en", "--cache-dir", str(self.cache)]


@pytest.fixture(scope="module")
def world(tmp_path_factory, prefect_harness) -> World:
    base = tmp_path_factory.mktemp("crash")
    script = Script(make_docs_repo(base))
    script.add()
    start, cache = base / "start", base / "cache"
    catalog_flow(source=str(script.repo.path), out=str(start), cache_dir=str(cache), locales=["en"])
    for step in (script.modify, script.reformat, script.remove, script.other, script.readd, script.rename):
        step()
    w = World(script, start, cache, {}, {})
    for mode in ("run", "backfill"):
        ref, log = base / f"ref-{mode}", base / f"calls-{mode}.log"
        shutil.copytree(start, ref)
        code, err = finish(cli(w.args(mode), ref, CALL_LOG=str(log)))
        assert code == 0, err
        w.refs[mode], w.calls[mode] = ref, log.read_text().splitlines()
    return w


def transactions(calls: list[str]) -> list[list[str]]:
    """The store operations of each commit: staging writes, the commit rename, moves, clean-up."""
    groups: list[list[str]] = [[]]
    for call in calls:
        groups[-1].append(call)
        if call.startswith("rmtree .staging-done-"):
            groups.append([])
    return [g for g in groups if g]


def kill_point(calls: list[str], where: str) -> int:
    """The 1-based number of the store operation the process dies before, in the catalog's commit."""
    groups = transactions(calls)
    main = next(n for n, g in enumerate(groups) if "replace changes.parquet" in g)
    offset, txn = sum(len(g) for g in groups[:main]), groups[main]
    writes = [i for i, c in enumerate(txn) if c.startswith("write ")]
    moves = [i for i, c in enumerate(txn) if c.startswith("replace ")]
    index = {
        "first staging write": writes[0],
        "middle staging write": writes[len(writes) // 2],
        "manifest write": writes[-1],
        "commit rename": txn.index("rename .commit"),
        "first move into place": moves[0],
        "middle move into place": moves[len(moves) // 2],
        "last move into place": moves[-1],
        "renaming the finished commit away": len(txn) - 2,
        "deleting the finished commit": len(txn) - 1,
    }[where]
    return offset + index + 1


BEFORE_COMMIT = ("first staging write", "middle staging write", "manifest write", "commit rename")
AFTER_COMMIT = (
    "first move into place",
    "middle move into place",
    "last move into place",
    "renaming the finished commit away",
    "deleting the finished commit",
)


def test_uninterrupted_runs_stage_then_commit_then_move_then_clean_up(world):
    for calls in world.calls.values():
        for txn in transactions(calls):
            kinds = [re.sub(r"[0-9a-f]{32}", "X", c).split("/")[0] for c in txn]
            staged = kinds.index("rename .commit")
            assert set(kinds[:staged]) == {"write .staging-X"}
            assert txn[staged - 1].endswith("/MANIFEST.json")
            assert all(c.startswith("replace ") for c in txn[staged + 1 : -2])
            assert kinds[-2:] == ["rename .staging-done-X", "rmtree .staging-done-X"]
    moved = {c.removeprefix("replace ") for c in world.calls["run"] if c.startswith("replace ")}
    assert {"models.parquet", "changes.parquet", "model_versions.parquet", "state.json"} <= moved
    assert {m for m in moved if m.startswith("snapshots/")} == {
        f"snapshots/en/{world.script.sha[s]}.parquet" for s in ("modify", "reformat", "remove", "readd", "rename")
    }


def test_backfill_and_incremental_run_make_the_same_catalog(world):
    assert_same_catalog(world.refs["backfill"], world.refs["run"])


KILLS = [
    *[("run", where) for where in BEFORE_COMMIT if where != "middle staging write"],
    *[("run", where) for where in AFTER_COMMIT if where != "last move into place"],
    ("backfill", "middle staging write"),
    ("backfill", "middle move into place"),
]


@pytest.mark.parametrize(("mode", "where"), KILLS)
def test_killed_run_leaves_before_or_after_and_the_next_run_completes(world, tmp_path, mode, where):
    out = tmp_path / "out"
    shutil.copytree(world.start, out)
    before = output_files(out)

    code, err = finish(cli(world.args(mode), out, KILL_AT=str(kill_point(world.calls[mode], where))))

    assert code == -signal.SIGKILL, err
    if where in BEFORE_COMMIT:
        assert output_files(out) == before
    else:
        assert (out / ".commit").exists() or any(out.glob(".staging-done-*"))
    summary = catalog_flow(
        source=str(world.script.repo.path), out=str(out), cache_dir=str(world.cache), locales=["en"], mode="run"
    )
    if where in AFTER_COMMIT:
        assert summary["locales"] == []  # the killed run's commit was finished, not redone
    assert_same_catalog(out, world.refs["run"])


def test_second_run_is_refused_with_one_line_while_the_folder_is_held(world, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(world.start, out)
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
    shutil.copytree(world.start, out)

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
    shutil.copytree(world.start, out)

    procs = [cli([*world.args("run"), "--wait", wait], out) for _ in range(2)]
    results = [finish(p) for p in procs]

    refused = f"model-catalog: error: another run is writing {out}; try again when it has finished"
    for code, err in results:
        assert code == 0 or (code == 1 and err.strip().splitlines()[-1] == refused), err
    assert any(code == 0 for code, _ in results)
    if wait != "0":
        assert [code for code, _ in results] == [0, 0]
    assert_same_catalog(out, world.refs["run"])


def test_recovery_finishes_a_half_moved_commit_and_drops_uncommitted_staging(tmp_path):
    from output.store import Transaction

    out = tmp_path / "out"
    store = OutputStore(out)
    with store.locked():
        txn = Transaction()
        txn.put_json("state.json", {"v": 1})
        txn.put_json("snapshots/en/a.json", {"v": 1})
        store.commit(txn)
    (out / ".commit" / "snapshots" / "en").mkdir(parents=True)
    (out / ".commit" / "state.json").write_text('{"v": 2}')
    (out / ".commit" / "snapshots" / "en" / "a.json").write_text('{"v": 2}')
    (out / ".commit" / "MANIFEST.json").write_text('{"files": ["snapshots/en/a.json", "state.json", "gone.json"]}')
    (out / "snapshots" / "en" / "a.json").write_text('{"v": 2}')  # moved before the kill ...
    (out / ".commit" / "snapshots" / "en" / "a.json").unlink()  # ... so no longer staged
    (out / ".staging-0123").mkdir()
    (out / ".staging-0123" / "models.parquet").write_bytes(b"half a file")

    with store.locked():
        pass

    assert output_files(out) == {"snapshots/en/a.json": b'{"v": 2}', "state.json": b'{"v": 2}'}
    assert sorted(p.name for p in out.iterdir()) == [".lock", "snapshots", "state.json"]


def test_recovery_drops_a_finished_commit_whose_deletion_was_cut_short(tmp_path):
    out = tmp_path / "out"
    (out / ".commit" / "snapshots" / "en").mkdir(parents=True)  # the manifest and files already gone
    (out / "state.json").write_text("{}")

    with OutputStore(out).locked():
        pass

    assert sorted(p.name for p in out.iterdir()) == [".lock", "state.json"]
