"""The catalog on a bucket and in a folder, end to end through `model-catalog`, under faults.

Runs go through `run_cli` (the console's `main` in its own process, reporting to the test's
Prefect server), so they exercise the real client path: `AWS_ENDPOINT_URL` and credentials in
the environment reach moto's standalone S3 server on loopback. Whatever fails, the user gets one
line, and the published catalog is the previous one or the new one, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows import cli as cli_module
from output.catalog_files import OUTBOX_NAME
from output.store import OutputStore
from tests.conftest import ROOT
from tests.docs_repo import card_md, finish, make_docs_repo, seed_two_models
from tests.test_history import Script
from transform.tables import CHANGES, MODELS, VERSIONS

pytest_plugins = ("tests.s3_server",)  # the S3 server fixtures
pytestmark = pytest.mark.usefixtures("prefect_harness")

REPAIR = "run `model-catalog backfill` to rebuild the catalog from git"
# `model-catalog ARGS` with a kill before the n-th call of one store step (KILL_ON=step:n).
BOOTSTRAP = r"""
import os, signal, sys
import output.store as store

step, nth = os.environ.get("KILL_ON", "none:0").split(":")
seen = {}

def hit(kind):
    seen[kind] = seen.get(kind, 0) + 1
    if kind == step and seen[kind] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)

def counted(kind_of, original):
    def wrapper(self, *args):
        hit(kind_of(*args))
        return original(self, *args)
    return wrapper

B = store._Bucket
B.write = counted(lambda version, name, data: "manifest" if name == store.MANIFEST else "write", B.write)
B.switch = counted(lambda head, version: "switch", B.switch)
B.drop = counted(lambda version: "drop", B.drop)
from flows.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_cli(
    mode: str, source: Path, out: str, *args: str, env: dict[str, str] | None = None, wait: bool = True
) -> subprocess.Popen | tuple[int, str]:
    """`model-catalog MODE --source SOURCE --out OUT ARGS` in its own process; (exit code, stderr) unless not `wait`."""
    from prefect.settings import PREFECT_API_URL

    proc = subprocess.Popen(
        [sys.executable, "-c", BOOTSTRAP, mode, "--source", str(source), "--out", out, *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PREFECT_API_URL": str(PREFECT_API_URL.value()),
            "PREFECT_LOGGING_LEVEL": "WARNING",
            **(env or {}),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    return finish(proc) if wait else proc


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("model-catalog:")]
    assert len(lines) == 1, err
    return lines[0]


def catalog(location: str, options: dict[str, str] | None = None) -> dict[str, object]:
    """The published catalog, read back through the store (so validated), without what varies by run."""
    store = OutputStore(location, storage_options=options)
    volatile = ["detected_at", "run_id"]
    changes = pl.from_arrow(store.read_table("changes", CHANGES)).drop(volatile)
    return {
        "models": pl.from_arrow(store.read_table("models", MODELS)),
        "changes": changes,
        "versions": pl.from_arrow(store.read_table("model_versions", VERSIONS)),
        "state": store.read_state()["locales"],
    }


def assert_same(got: dict, want: dict) -> None:
    assert got["state"] == want["state"]
    for name in ("models", "changes", "versions"):
        assert_frame_equal(got[name], want[name])
    assert got["changes"].height == got["changes"].unique().height  # never a duplicated change row


def copy_prefix(server, bucket: str, src: str, dst: str) -> None:
    client = server.client()
    for key in server.objects(bucket, f"{src}/"):
        if key.endswith("/") or key.endswith("/LOCK"):
            continue
        client.copy_object(Bucket=bucket, Key=dst + key[len(src) :], CopySource={"Bucket": bucket, "Key": key})


# -- a bucket: run, rerun, backfill, kills, two runs at once ----------------------------------


@dataclass
class World:
    script: Script
    bucket: str
    cache: Path
    env: dict[str, str]
    start: str  # prefix after the first commit
    ref: str  # prefix after an uninterrupted run over the five commits since

    def uri(self, prefix: str) -> str:
        return f"s3://{self.bucket}/{prefix}"

    def args(self) -> list[str]:
        return ["--locale", "en", "--cache-dir", str(self.cache), "--keep-versions", "1"]


@pytest.fixture(scope="module")
def world(tmp_path_factory, s3_server, prefect_harness) -> World:
    base = tmp_path_factory.mktemp("bucket")
    script = Script(make_docs_repo(base))
    script.add()
    w = World(script, s3_server.new_bucket(), base / "cache", s3_server.env, "start", "ref")
    code, err = run_cli("run", script.repo.path, w.uri(w.start), *w.args(), env=w.env)
    assert code == 0, err
    for step in (script.modify, script.reformat, script.remove, script.other, script.readd, script.rename):
        step()
    copy_prefix(s3_server, w.bucket, w.start, w.ref)
    code, err = run_cli("run", script.repo.path, w.uri(w.ref), *w.args(), env=w.env)
    assert code == 0, err
    return w


@pytest.fixture
def bucket_env(world, s3_env) -> World:
    return world


def test_run_then_rerun_on_a_bucket_records_each_change_once(world, s3_server, bucket_env):
    prefix = f"rerun-{uuid.uuid4().hex[:6]}"
    copy_prefix(s3_server, world.bucket, world.start, prefix)
    code, err = run_cli("run", world.script.repo.path, world.uri(prefix), *world.args(), env=world.env)
    assert code == 0, err
    published = OutputStore(world.uri(prefix)).published_version()

    code, err = run_cli("run", world.script.repo.path, world.uri(prefix), *world.args(), env=world.env)

    assert code == 0, err
    assert OutputStore(world.uri(prefix)).published_version() == published  # nothing new: nothing written
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)))
    assert f"{prefix}/LOCK" not in s3_server.objects(world.bucket, prefix)


def test_backfill_on_a_bucket_makes_the_catalog_the_incremental_runs_made(world, bucket_env):
    prefix = f"backfill-{uuid.uuid4().hex[:6]}"
    code, err = run_cli("backfill", world.script.repo.path, world.uri(prefix), *world.args(), env=world.env)
    assert code == 0, err
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)))


def test_backfill_then_an_incremental_run_on_a_bucket_records_only_the_new_commit(tmp_path, s3_server, s3_env):
    docs = make_docs_repo(tmp_path)
    seed_two_models(docs)
    location, cache = f"s3://{s3_server.new_bucket()}/catalog", tmp_path / "cache"
    code, err = run_cli("backfill", docs.path, location, "--cache-dir", str(cache), env=s3_server.env)
    assert code == 0, err
    before = catalog(location)["changes"].height
    gamma = commit_gamma_returning(docs)

    code, err = run_cli("run", docs.path, location, "--cache-dir", str(cache), env=s3_server.env)

    assert code == 0, err
    changes = catalog(location)["changes"]
    assert changes.slice(before).select("change", "api_name", "to_commit").rows() == [("added", "acme__gamma", gamma)]


def test_the_published_catalog_downloaded_from_the_bucket_meets_the_contract(world, s3_server, tmp_path, check_outputs):
    local = s3_server.download(world.bucket, world.ref, tmp_path / "copy")
    assert sorted(p.name for p in local.iterdir()) == [
        "MANIFEST.json",
        "alerts",
        "changes.json",
        "changes.parquet",
        "findings.json",
        "findings.parquet",
        "model_versions.parquet",
        "models.json",
        "models.parquet",
        "snapshots",
        "state.json",
        "translation_lag.json",
        "translation_lag.parquet",
    ]
    check_outputs(local, "models,changes,versions,findings,state,lag")


def test_polars_reads_the_current_catalog_from_the_bucket_as_the_readme_shows(world, bucket_env):
    """The README's recipe: resolve CURRENT, then read the version's files."""
    import boto3

    s3 = boto3.client("s3")
    current = json.loads(s3.get_object(Bucket=world.bucket, Key=f"{world.ref}/CURRENT")["Body"].read())
    root = f"s3://{world.bucket}/{world.ref}/versions/{current['version']}"
    models = pl.read_parquet(
        f"{root}/models.parquet",
        storage_options={
            "aws_endpoint_url": os.environ["AWS_ENDPOINT_URL"],
            "aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
            "aws_region": "us-east-1",
            "aws_allow_http": "true",
        },
    )
    assert_frame_equal(models, catalog(world.uri(world.ref))["models"])


KILLS = ["write:1", "write:4", "manifest:1", "switch:1", "drop:1"]
AFTER_COMMIT = {"drop:1"}


@pytest.mark.parametrize("kill_on", KILLS)
def test_a_run_killed_while_publishing_to_a_bucket_leaves_before_or_after_and_the_next_run_completes(
    world, s3_server, bucket_env, kill_on
):
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    copy_prefix(s3_server, world.bucket, world.start, prefix)
    before = catalog(world.uri(prefix))
    env = {**world.env, "KILL_ON": kill_on, "MODEL_CATALOG_LEASE_SECONDS": "3"}  # its lease runs out soon

    code, err = run_cli("run", world.script.repo.path, world.uri(prefix), *world.args(), env=env)

    assert code == -signal.SIGKILL, err
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)) if kill_on in AFTER_COMMIT else before)
    code, err = run_cli("run", world.script.repo.path, world.uri(prefix), *world.args(), "--wait", "120", env=world.env)
    assert code == 0, err
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)))
    versions = {k.split("/")[2] for k in s3_server.objects(world.bucket, f"{prefix}/versions/") if k.count("/") > 2}
    assert versions == {OutputStore(world.uri(prefix)).published_version()}  # the killed run's leftovers are gone


@pytest.mark.parametrize("wait", ["0", "300"])
def test_two_runs_at_once_on_a_bucket_commit_once(world, s3_server, bucket_env, wait):
    prefix = f"twice-{uuid.uuid4().hex[:6]}"
    copy_prefix(s3_server, world.bucket, world.start, prefix)
    procs = [
        run_cli(
            "run", world.script.repo.path, world.uri(prefix), *world.args(), "--wait", wait, env=world.env, wait=False
        )
        for _ in range(2)
    ]
    results = [finish(p) for p in procs]

    refused = f"model-catalog: error: another run is writing {world.uri(prefix)}; try again when it has finished"
    for code, err in results:
        assert code == 0 or (code == 1 and one_error_line(err) == refused), err
    assert any(code == 0 for code, _ in results)
    if wait != "0":
        assert [code for code, _ in results] == [0, 0]
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)))


# -- a bucket that cannot be used ----------------------------------------------------------------


def test_a_missing_bucket_is_one_line(world, bucket_env):
    code, err = run_cli(
        "run", world.script.repo.path, "s3://no-such-bucket-at-all/catalog", *world.args(), env=world.env
    )
    assert code == 1
    assert (
        one_error_line(err)
        == "model-catalog: error: cannot use s3://no-such-bucket-at-all/catalog: the bucket does not exist"
    )


def test_wrong_credentials_are_one_line_and_never_shown(world, s3_server, bucket_env):
    secret = "wrong-" + uuid.uuid4().hex
    env = {**world.env, "AWS_SECRET_ACCESS_KEY": secret}
    before = s3_server.objects(world.bucket, world.ref)
    code, err = run_cli("run", world.script.repo.path, world.uri(world.ref), *world.args(), env=env)
    assert code == 1
    assert one_error_line(err) == (
        f"model-catalog: error: cannot use {world.uri(world.ref)}: "
        "the secret key does not match the access key (wrong credentials?)"
    )
    assert secret not in err
    assert s3_server.objects(world.bucket, world.ref) == before


def test_a_bucket_that_turns_unwritable_mid_run_is_one_line_and_loses_nothing(
    world, s3_server, bucket_env, monkeypatch, capfd
):
    """The policy changes after the run took the lease and read the catalog, before it publishes."""
    prefix = f"deny-{uuid.uuid4().hex[:6]}"
    copy_prefix(s3_server, world.bucket, world.start, prefix)
    before = catalog(world.uri(prefix))
    commit = OutputStore.commit

    def deny_then_commit(self, txn):
        s3_server.deny_writes(world.bucket)
        return commit(self, txn)

    monkeypatch.setattr(OutputStore, "commit", deny_then_commit)
    monkeypatch.setenv("MODEL_CATALOG_LEASE_SECONDS", "3")
    try:
        code = cli_module.main(
            ["run", "--source", str(world.script.repo.path), "--out", world.uri(prefix), *world.args()]
        )
    finally:
        s3_server.allow_writes(world.bucket)
    assert code == 1
    assert one_error_line(capfd.readouterr().err) == (
        f"model-catalog: error: cannot write outputs to {world.uri(prefix)}: access denied; previous outputs are intact"
    )
    assert_same(catalog(world.uri(prefix)), before)
    monkeypatch.setattr(OutputStore, "commit", commit)
    code, err = run_cli("run", world.script.repo.path, world.uri(prefix), *world.args(), "--wait", "120", env=world.env)
    assert code == 0, err
    assert_same(catalog(world.uri(prefix)), catalog(world.uri(world.ref)))


# -- credentials ---------------------------------------------------------------------------------


def test_bucket_credentials_never_reach_prefect_logs_or_outputs(
    tmp_path, s3_server, s3_env, monkeypatch, capfd, caplog
):
    """From the environment, then from a prefect-aws style AwsCredentials block: the secret stays out of everything."""
    from prefect.blocks.core import Block
    from pydantic import SecretStr

    from tests.test_hardening import files_under, prefect_records

    class AwsCredentials(Block):  # the fields of prefect-aws's block, stored under its type slug
        _block_type_slug = "aws-credentials"
        aws_access_key_id: str | None = None
        aws_secret_access_key: SecretStr | None = None
        region_name: str | None = None
        aws_client_parameters: dict | None = None

    docs = make_docs_repo(tmp_path)
    seed_two_models(docs)
    bucket, secret = s3_server.new_bucket(), s3_server.secret_key
    name = f"catalog-{uuid.uuid4().hex[:6]}"
    AwsCredentials(
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=SecretStr(secret),
        region_name="us-east-1",
        aws_client_parameters={"endpoint_url": s3_server.endpoint},
    ).save(name)
    cache = tmp_path / "cache"
    code = cli_module.main(
        ["run", "--source", str(docs.path), "--out", f"s3://{bucket}/env", "--cache-dir", str(cache)]
    )
    assert code == 0
    records = [prefect_records()]
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable)
    docs.write("en", "gamma-model-card.md", card_md("acme__gamma"))
    docs.commit("en", "Add gamma", "2025-02-01T10:00:00+00:00")
    args = ["--out", f"s3://{bucket}/env", "--cache-dir", str(cache), "--storage-block", name]
    code = cli_module.main(["run", "--source", str(docs.path), *args])
    assert code == 0
    records.append(prefect_records())
    assert '"storage_block":"' + name in records[-1]  # the run names the block, nothing more
    assert "acme__gamma" in catalog(f"s3://{bucket}/env", _options(s3_server))["models"]["api_name"].to_list()
    captured = capfd.readouterr()
    for where, text in {
        "stdout": captured.out,
        "stderr": captured.err,
        "log records": caplog.text,
        "Prefect API": "\n".join(records),
        "cache": files_under(cache).decode("utf-8", "replace"),
        "bucket": b"".join(s3_server.objects(bucket).values()).decode("utf-8", "replace"),
    }.items():
        assert secret not in text, where


# -- a local folder --------------------------------------------------------------------------------


@pytest.fixture
def docs(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    return repo


def commit_gamma(docs) -> None:
    docs.write("en", "gamma-model-card.md", card_md("acme__gamma"))
    docs.commit("en", "Add gamma", "2025-02-01T10:00:00+00:00")


def local_run(docs, out: Path, cache: Path, *args: str) -> tuple[int, str]:
    return run_cli("run", docs.path, str(out), "--cache-dir", str(cache), *args)


def chattr(flag: str, path: Path) -> None:
    result = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"chattr {flag} is not supported here (needs root and ext4/tmpfs): {result.stderr.strip()}")


def test_an_immutable_published_file_does_not_stop_the_next_run(tmp_path, docs):
    """Issue 11's case, an immutable output file: each run writes a new version, so nothing needs changing."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert local_run(docs, out, cache, "--keep-versions", "1")[0] == 0
    chattr("+i", (out / "models.parquet").resolve())  # the published version's file
    try:
        commit_gamma(docs)
        code, err = local_run(docs, out, cache, "--keep-versions", "1")
        assert code == 0, err
        assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()
        assert len(list((out / "versions").iterdir())) == 2  # the old version cannot go yet ...
    finally:
        for path in (out / "versions").rglob("models.parquet"):
            subprocess.run(["chattr", "-i", str(path)], check=False)
    assert local_run(docs, out, cache, "--keep-versions", "1")[0] == 0
    assert len(list((out / "versions").iterdir())) == 1  # ... and goes once it can


def test_an_immutable_file_in_an_older_flat_folder_is_refused_in_one_line(tmp_path, docs):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert local_run(docs, tmp_path / "versioned", cache)[0] == 0
    shutil.copytree(
        tmp_path / "versioned", out, ignore=shutil.ignore_patterns("versions", "current", ".lock"), symlinks=False
    )  # the flat layout: real files at the top
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    chattr("+i", out / "models.parquet")
    try:
        commit_gamma(docs)
        code, err = local_run(docs, out, cache)
    finally:
        subprocess.run(["chattr", "-i", str(out / "models.parquet")], check=False)
    assert code == 1
    assert one_error_line(err) == (
        f"model-catalog: error: cannot move {out} to its versioned layout: {out}/models.parquet cannot be replaced "
        "(Operation not permitted; is it immutable? see lsattr); previous outputs are intact"
    )
    assert all(p.read_bytes() == data for p, data in before.items())
    code, err = local_run(docs, out, cache)  # writable again: migrated, then the run goes on
    assert code == 0, err
    assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()


def test_a_link_refused_at_the_file_layer_is_copied_instead(tmp_path, docs, monkeypatch):
    """Where chattr is unsupported: every hard link fails with EPERM, as for an immutable file."""
    import output.store as store_module

    out, cache = tmp_path / "out", tmp_path / "cache"
    assert cli_module.main(["run", "--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)]) == 0
    commit_gamma(docs)

    def refuse(src, dst, **kwargs):
        raise PermissionError(1, "Operation not permitted", str(src))

    monkeypatch.setattr(store_module.os, "link", refuse)
    assert cli_module.main(["run", "--source", str(docs.path), "--out", str(out), "--cache-dir", str(cache)]) == 0
    assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()
    assert (out / "state.json").stat().st_nlink == 1  # a copy


@pytest.mark.parametrize("name", ["changes", "models", OUTBOX_NAME])
def test_a_parquet_file_cut_in_half_is_one_line_naming_it_and_the_repair(tmp_path, docs, name):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert local_run(docs, out, cache, "--alert-baseline")[0] == 0
    path = out / f"{name}.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # in place, through the link
    commit_gamma(docs)

    code, err = local_run(docs, out, cache)

    assert code == 1
    line = one_error_line(err)
    assert line.startswith(f"model-catalog: error: {out}/{name}.parquet is damaged (not a readable Parquet file")
    assert line.endswith(REPAIR)
    assert path.read_bytes() == data[: len(data) // 2]  # nothing published over it


@pytest.mark.parametrize("how", ["garbage", "dangling"])
def test_a_broken_pointer_is_one_line(tmp_path, docs, how):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert local_run(docs, out, cache)[0] == 0
    (out / "current").unlink()
    if how == "garbage":
        (out / "current").write_text("garbage")
    else:
        (out / "current").symlink_to("versions/20000101T000000000000Z-00000000")

    code, err = local_run(docs, out, cache)

    assert code == 1
    line = one_error_line(err)
    assert line.startswith(f"model-catalog: error: {out}/current is damaged (") and line.endswith(REPAIR)


def test_a_failed_first_run_leaves_no_output_folder(tmp_path):
    out, source = tmp_path / "new" / "catalog", tmp_path / "not-a-repository"
    source.mkdir()
    code, err = run_cli("run", source, str(out), "--cache-dir", str(tmp_path / "cache"))
    assert code == 1, err
    assert one_error_line(err).startswith("model-catalog: error: ")
    assert not (tmp_path / "new").exists()


def test_a_run_on_an_older_flat_folder_migrates_it_and_goes_on(tmp_path, docs, check_outputs):
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert local_run(docs, tmp_path / "versioned", cache)[0] == 0
    shutil.copytree(tmp_path / "versioned", out, ignore=shutil.ignore_patterns("versions", "current"), symlinks=False)
    commit_gamma(docs)

    code, err = local_run(docs, out, cache)

    assert code == 0, err
    assert (out / "current").is_symlink() and (out / "models.parquet").is_symlink()
    assert "acme__gamma" in pl.read_parquet(out / "models.parquet")["api_name"].to_list()
    changes = pl.read_parquet(out / "changes.parquet")
    assert changes.filter(pl.col("api_name") == "acme__gamma")["change"].to_list() == ["added"]
    check_outputs(out)


# -- a real Prefect server, a process worker, the bucket deployment of prefect.yaml -----------------


@pytest.mark.slow
def test_the_bucket_deployment_on_a_worker_with_an_emptied_cache_records_only_the_new_commit(tmp_path, s3_server):
    from tests.test_serve import BIN, api, free_port, start, stop, wait_until

    docs = make_docs_repo(tmp_path)
    seed_two_models(docs)
    bucket, cache, home = s3_server.new_bucket(), tmp_path / "cache", tmp_path / "prefect-home"
    home.mkdir()
    base = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "AWS_"))}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    client_env = env | {"PREFECT_API_URL": base} | s3_server.env  # the worker's environment: the AWS chain
    running: dict[str, tuple[subprocess.Popen, Path]] = {}
    try:
        log = tmp_path / "server.log"
        port = base.rsplit(":", 1)[1].split("/")[0]
        running["prefect server"] = (
            start([BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", port], env, log),
            log,
        )
        wait_until(lambda: api(base, "/health"), "healthy Prefect server", 180, running)
        params = {"source": str(docs.path), "out": f"s3://{bucket}/catalog", "cache_dir": str(cache), "locales": ["en"]}
        for args in (
            ["work-pool", "create", "model-catalog", "--type", "process"],
            ["deploy", "--name", "bucket", "--params", json.dumps(params)],
        ):
            result = subprocess.run(
                [BIN / "prefect", "--no-prompt", *args], cwd=ROOT, env=client_env, capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
        deployment = api(base, "/deployments/name/model-catalog/bucket")
        log = tmp_path / "worker.log"
        worker = [BIN / "prefect", "worker", "start", "--pool", "model-catalog", "--prefetch-seconds", "5"]
        running["worker"] = (start(worker, client_env | {"PREFECT_WORKER_QUERY_SECONDS": "2"}, log), log)

        def run_deployment() -> dict:
            flow_run = api(base, f"/deployments/{deployment['id']}/create_flow_run", {"state": {"type": "SCHEDULED"}})

            def finished() -> dict | None:
                found = api(base, f"/flow_runs/{flow_run['id']}")
                return found if found and found["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") else None

            done = wait_until(finished, "finished run", 300, running)
            assert done["state"]["type"] == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
            return done

        run_deployment()
        shutil.rmtree(cache)  # a fresh container: nothing but the bucket survives
        gamma = commit_gamma_returning(docs)
        second = run_deployment()
    finally:
        for process, _ in running.values():
            stop(process, signal.SIGINT)

    changes = pl.from_arrow(
        OutputStore(f"s3://{bucket}/catalog", storage_options=_options(s3_server)).read_table("changes", CHANGES)
    )
    new = changes.filter(pl.col("run_id") == second["id"])
    assert new.select("change", "api_name", "to_commit").rows() == [("added", "acme__gamma", gamma)]
    assert changes.filter(pl.col("change") == "added").height == 3  # the baseline's two, and gamma once


def commit_gamma_returning(docs) -> str:
    docs.write("en", "gamma-model-card.md", card_md("acme__gamma"))
    return docs.commit("en", "Add gamma", "2025-02-01T10:00:00+00:00")


def _options(server) -> dict[str, str]:
    return {"access_key": server.access_key, "secret_key": server.secret_key, "endpoint_url": server.endpoint}
