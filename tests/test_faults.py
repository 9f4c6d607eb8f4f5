"""Faults around a run: a remote that fails or vanishes, a disk that fills or turns read-only, a broken cache.

Whatever fails, the user gets one line and no traceback, and the previous outputs stay
as they were, readable.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from extract import git_source
from extract.sources import TOKEN_ENV, USER_ENV
from flows import catalog as catalog_module
from flows import cli
from flows import tasks as tasks_module
from output import store as store_module
from tests.docs_repo import card_md, make_docs_repo, seed_two_models
from tests.test_sources import tls_git_server

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROOT = Path(__file__).resolve().parents[1]


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of an output folder, by relative path (the lock file aside)."""
    return {
        str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"
    }


def no_outputs(out: Path) -> bool:
    """A failed first run may leave the folder it locked, but nothing in it."""
    return not out.exists() or snapshot(out) == {}


def assert_readable(out: Path) -> None:
    for name in ("models", "changes", "findings"):
        pl.read_parquet(out / f"{name}.parquet")
    pl.read_parquet(out / "model_versions.parquet")


def main(*args: str) -> int:
    return cli.main(["run", *args])


def commit_new_card(docs) -> None:
    docs.write("en", "gamma-model-card.md", card_md("acme__gamma"))
    docs.commit("en", "Add gamma", "2025-02-01T10:00:00+00:00")


def first_run_then_new_card(docs, out: Path, cache: Path) -> dict[str, bytes]:
    """The outputs of a first run, then a new card for the next run to find."""
    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 0
    before = snapshot(out)
    commit_new_card(docs)
    return before


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("model-catalog:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def docs(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    return repo


@pytest.fixture(autouse=True)
def _no_token(monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(USER_ENV, raising=False)


def fast_retries(monkeypatch, condition=None) -> None:
    """The task's real retry policy and condition, without the waits (2, 10 and 30 s) between attempts."""
    options = {"retry_delay_seconds": 0}
    if condition is not None:
        options["retry_condition_fn"] = condition
    monkeypatch.setattr(tasks_module, "sync_source", tasks_module.sync_source.with_options(**options))


def latest_sync_run_count() -> int:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, TaskRunFilter, TaskRunFilterName
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        [latest] = client.read_flow_runs(sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=1)
        [sync] = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[latest.id])),
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="sync_source")),
        )
    return sync.run_count


# -- the network -------------------------------------------------------------------------------


def test_a_remote_that_vanishes_mid_run_is_retried_and_the_run_succeeds_when_it_is_back(
    tmp_path, docs, monkeypatch, capfd
):
    out, cache = tmp_path / "out", tmp_path / "cache"
    source = f"file://{docs.path}"
    assert main("--source", source, "--out", str(out), "--cache-dir", str(cache)) == 0
    commit_new_card(docs)
    away = tmp_path / "unmounted"
    check = catalog_module.check_source

    def check_then_vanish(text: str) -> str:  # the share goes away right after the run checked it
        checked = check(text)
        docs.path.rename(away)
        return checked

    def back_then_decide(task, task_run, state):  # ...and is back before the retry
        if away.exists():
            away.rename(docs.path)
        return tasks_module._is_transient(task, task_run, state)

    monkeypatch.setattr(catalog_module, "check_source", check_then_vanish)
    fast_retries(monkeypatch, back_then_decide)

    assert main("--source", source, "--out", str(out), "--cache-dir", str(cache)) == 0

    assert latest_sync_run_count() == 2
    assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()
    assert "Traceback" not in capfd.readouterr().err


def test_a_remote_that_stays_down_is_retried_then_reported_in_one_line(tmp_path, docs, monkeypatch, capfd):
    out, cache = tmp_path / "out", tmp_path / "cache"
    before = first_run_then_new_card(docs, out, cache)
    check = catalog_module.check_source

    def check_then_vanish(text: str) -> str:
        checked = check(text)
        shutil.rmtree(docs.path)
        return checked

    monkeypatch.setattr(catalog_module, "check_source", check_then_vanish)
    fast_retries(monkeypatch)
    capfd.readouterr()

    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 1

    line = one_error_line(capfd.readouterr().err)
    assert line == (
        f"model-catalog: error: cannot read '{docs.path}': fatal: '{docs.path}' does not appear to be a git repository"
    )
    assert latest_sync_run_count() == 4  # the first attempt and three retries
    assert snapshot(out) == before
    assert_readable(out)


def test_a_server_error_is_retried_then_reported_in_one_line(tmp_path, docs, monkeypatch, capfd, httpserver_tls):
    server, cert = httpserver_tls
    server.expect_request("/docs.git/info/refs").respond_with_data("down for maintenance", status=503)
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 0
    before = snapshot(out)
    fast_retries(monkeypatch)
    capfd.readouterr()

    assert main("--source", server.url_for("/docs.git"), "--out", str(out), "--cache-dir", str(cache)) == 1

    line = one_error_line(capfd.readouterr().err)
    assert line.startswith(
        f"model-catalog: error: cannot read '{server.url_for('/docs.git')}': fatal: unable to access"
    )
    assert "returned error: 503" in line
    assert len(server.log) == 4  # the server saw the first attempt and three retries
    assert snapshot(out) == before


def test_a_wrong_token_is_not_retried(tmp_path, monkeypatch, capfd, httpserver_tls):
    server, cert = httpserver_tls
    server.expect_request("/docs.git/info/refs").respond_with_data("", status=403)
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    fast_retries(monkeypatch)

    assert main("--source", server.url_for("/docs.git"), "--out", str(tmp_path / "out")) == 1

    assert "returned error: 403" in one_error_line(capfd.readouterr().err)
    assert len(server.log) == 1
    assert no_outputs(tmp_path / "out")


@pytest.fixture
def httpserver_tls(tmp_path):
    with tls_git_server(tmp_path) as server:
        yield server


def run_console(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """A separate process, recording its runs on the test harness's Prefect server (no server start-up)."""
    from prefect.settings import PREFECT_API_URL

    return subprocess.run(
        [*args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": str(PREFECT_API_URL.value())},
    )


def test_console_script_reports_a_failed_sync_in_one_line_without_traceback(tmp_path, docs):
    """The real entry point in its own process: Prefect's own logging must not print a traceback either."""
    out = tmp_path / "out"
    script = Path(sys.executable).with_name("model-catalog")
    ok = run_console(str(script), "run", "--source", str(docs.path), "--out", str(out), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    before = snapshot(out)
    docs.git("branch", "-m", "jp", "jp-renamed")

    failed = run_console(str(script), "run", "--source", str(docs.path), "--out", str(out), cwd=tmp_path)

    assert failed.returncode == 1
    assert one_error_line(failed.stderr) == f"model-catalog: error: branch 'jp' not found in '{docs.path}'"
    assert snapshot(out) == before


def test_console_process_after_exhausted_retries_prints_one_line_without_traceback(tmp_path):
    """Same, for the retried path; the waits are cut so the process ends in seconds."""
    program = (
        "import sys; from flows import cli, tasks; "
        "tasks.sync_source = tasks.sync_source.with_options(retry_delay_seconds=0); "
        "sys.exit(cli.main(sys.argv[1:]))"
    )
    with_port = f"https://reader:SECRET-in-url@127.0.0.1:{closed_port()}/docs.git"

    result = run_console(sys.executable, "-c", program, "run", "--source", with_port, "--out", "out", cwd=tmp_path)

    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith("model-catalog: error: cannot read 'https://127.0.0.1:")
    assert result.stderr.count("Retry ") == 3 and "Retries are exhausted" in result.stderr
    assert "SECRET-in-url" not in result.stderr + result.stdout
    assert no_outputs(tmp_path / "out")


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the disk ----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A real 4 MB filesystem (tmpfs), so a full or read-only disk is the kernel's, not a mock."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN): {result.stderr.decode().strip()}"
        )
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the filesystem until only about `leave` bytes are free."""
    filler = disk / "filler"
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with open(filler, "wb") as handle:
        try:
            handle.write(b"\0" * max(0, free - leave))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@pytest.mark.parametrize("room", [0.0, 0.5], ids=["full", "fills-while-writing"])
def test_a_full_disk_leaves_the_previous_outputs_intact_and_readable(tmp_path, docs, small_disk, capfd, room):
    """`room`: free space left, as a share of the outputs' size (the next run writes at least as much)."""
    out, cache = small_disk / "out", tmp_path / "cache"
    before = first_run_then_new_card(docs, out, cache)
    filler = fill(small_disk, int(room * sum(len(data) for data in before.values())))
    capfd.readouterr()

    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 1

    line = one_error_line(capfd.readouterr().err)
    assert (
        line
        == f"model-catalog: error: cannot write outputs to {out}: no space left on device; previous outputs are intact"
    )
    assert snapshot(out) == before
    assert_readable(out)
    assert [p.name for p in out.iterdir() if p.name.startswith(".staging")] == []

    filler.unlink()
    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 0
    assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()


def test_a_read_only_output_folder_leaves_the_previous_outputs_intact(tmp_path, docs, small_disk, capfd):
    out, cache = small_disk / "out", tmp_path / "cache"
    before = first_run_then_new_card(docs, out, cache)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    capfd.readouterr()

    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 1

    assert "Read-only file system" in one_error_line(capfd.readouterr().err)
    assert snapshot(out) == before
    assert_readable(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; the tmpfs and injected tests cover it")
def test_a_chmod_read_only_output_folder_leaves_the_previous_outputs_intact(tmp_path, docs, capfd):
    out, cache = tmp_path / "out", tmp_path / "cache"
    before = first_run_then_new_card(docs, out, cache)
    out.chmod(0o555)
    try:
        assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 1
    finally:
        out.chmod(0o755)
    assert "Permission denied" in one_error_line(capfd.readouterr().err)
    assert snapshot(out) == before


@pytest.mark.parametrize(("after", "code"), [(0, errno.ENOSPC), (3, errno.ENOSPC), (5, errno.EIO), (2, errno.EROFS)])
def test_a_write_failing_at_the_file_layer_leaves_the_previous_outputs_intact(
    tmp_path, docs, monkeypatch, capfd, after, code
):
    """Where no filesystem can be mounted: every `open` for writing in the store fails after `after` files."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    before = first_run_then_new_card(docs, out, cache)
    opened = []

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            opened.append(path)
            if len(opened) > after:
                raise OSError(code, os.strerror(code), str(path))
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(store_module, "open", failing_open, raising=False)
    capfd.readouterr()

    assert main("--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)) == 1

    line = one_error_line(capfd.readouterr().err)
    assert (
        line.startswith(f"model-catalog: error: cannot write outputs to {out}:")
        and "previous outputs are intact" in line
    )
    assert snapshot(out) == before
    assert_readable(out)


# -- the cache ---------------------------------------------------------------------------------


def _packs(cache: Path) -> list[str]:
    return sorted(glob.glob(str(cache / "objects/pack/*.pack")), key=os.path.getsize)


def _truncate_packs(cache: Path) -> None:
    for pack in _packs(cache):
        os.truncate(pack, os.path.getsize(pack) // 2)


def _flip_pack_bytes(cache: Path) -> None:
    for pack in _packs(cache):
        data = bytearray(Path(pack).read_bytes())
        middle = len(data) // 2
        data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
        Path(pack).write_bytes(bytes(data))


def _delete_objects(cache: Path) -> None:
    for path in glob.glob(str(cache / "objects/pack/*")) + glob.glob(str(cache / "objects/??/*")):
        os.remove(path)


def _garbage_head(cache: Path) -> None:
    (cache / "HEAD").write_bytes(b"\0garbage\xff")


def _garbage_ref(cache: Path) -> None:
    (cache / "refs/remotes/origin/main").write_text("0123456789abcdef0123456789abcdef01234567\n")


def _garbage_config(cache: Path) -> None:
    (cache / "config").write_text("[[[ not a config")


def _replaced_by_a_file(cache: Path) -> None:
    shutil.rmtree(cache)
    cache.write_text("not a repository")


@pytest.mark.parametrize(
    "corrupt",
    [
        _truncate_packs,
        _flip_pack_bytes,
        _delete_objects,
        _garbage_head,
        _garbage_ref,
        _garbage_config,
        _replaced_by_a_file,
    ],
)
def test_a_corrupted_cache_is_detected_and_rebuilt(tmp_path, docs, corrupt):
    out, cache_dir = tmp_path / "out", tmp_path / "cache"
    catalog_module.catalog_flow(source=str(docs.path), out=str(out), cache_dir=str(cache_dir))
    cache = git_source.cache_path(cache_dir, str(docs.path))
    corrupt(cache)
    commit_new_card(docs)

    summary = catalog_module.catalog_flow(source=str(docs.path), out=str(out), cache_dir=str(cache_dir))

    assert summary["changes"]["added"] == 1
    models = pl.read_parquet(out / "models.parquet")
    assert sorted(models.filter(pl.col("locale") == "en")["api_name"].to_list()) == [
        "acme__alpha",
        "acme__beta_1_5",
        "acme__gamma",
    ]
    assert subprocess.run(["git", "fsck", "--connectivity-only"], cwd=cache, capture_output=True).returncode == 0
