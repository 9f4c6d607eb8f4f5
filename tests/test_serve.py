"""Scheduled runs: `model-catalog serve`, the webhook kept in a Secret block, and `prefect.yaml`.

The slow test starts a real Prefect server on loopback, serves the deployment from another
process on a 5-second interval, and waits for a scheduled run to complete and write the catalog.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import polars as pl
import pytest
import yaml
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from flows.alerts import WEBHOOK_BLOCK, resolve_webhook
from flows.catalog import DESCRIPTION, catalog_flow
from flows.cli import main
from tests.docs_repo import card_md, make_docs_repo, seed_two_models
from transform import alerts

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "s3cr3t-token"


def test_prefect_yaml_deploys_the_catalog_flow_with_parameters_it_accepts():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in config["deployments"]}
    assert sorted(deployments) == ["bucket", "daily"]
    for deployment in deployments.values():
        check_deployment(deployment)
    assert deployments["bucket"]["parameters"]["out"].startswith("s3://")


def check_deployment(deployment: dict) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    path, name = deployment["entrypoint"].split(":")
    assert (ROOT / path).resolve() == ROOT / "flows" / "catalog.py" and name == catalog_flow.fn.__name__
    assert catalog_flow.validate_parameters(deployment["parameters"])["mode"] == "run"
    alerts.alert_rule(deployment["parameters"]["alert_on"])
    assert [CronSchedule(cron=s["cron"], timezone=s["timezone"]).cron for s in deployment["schedules"]] == ["0 6 * * *"]
    assert deployment["work_pool"]["name"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cron", "0 6 * * *", "--interval", "60"], "not allowed with argument"),
        (["--interval", "-5"], "is not a positive number of seconds"),
        (["--cron", "every morning"], "is not a cron schedule"),
    ],
)
def test_serve_refuses_conflicting_or_bad_schedules_up_front(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--source", str(tmp_path), *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_serve_without_a_prefect_server_is_one_line(tmp_path):
    result = subprocess.run(
        [str(BIN / "model-catalog"), "serve", "--interval", "5", "--source", str(tmp_path), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("model-catalog: error: cannot reach the Prefect API at http://127.0.0.1:")


@pytest.mark.usefixtures("prefect_harness")
def test_a_deployment_finds_its_webhook_in_a_secret_block_and_never_stores_the_url(tmp_path, httpserver: HTTPServer):
    from prefect.client.orchestration import get_client

    from flows.serve import store_webhook

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook") + f"?token={SECRET}"
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    kw = {"source": str(repo.path), "out": str(out), "cache_dir": str(cache), "locales": ["en"], "return_state": True}

    assert store_webhook(url) == WEBHOOK_BLOCK
    assert resolve_webhook(None, WEBHOOK_BLOCK).get_secret_value() == url
    first = catalog_flow(**kw, alert_webhook=SecretStr(url))
    repo.write("en", "gamma-model-card.md", card_md("acme__gamma", title="Acme Gamma"))
    repo.commit("en", "Add Gamma", "2025-02-01T10:00:00+00:00")
    second = catalog_flow(**kw, alert_webhook_secret=WEBHOOK_BLOCK)

    [(request, _)] = httpserver.log
    assert request.args["token"] == SECRET
    assert [m["api_name"] for m in request.json["models"]] == ["acme__gamma"]
    with get_client(sync_client=True) as client:
        stored = [client.read_flow_run(s.state_details.flow_run_id).parameters for s in (first, second)]
    assert stored[0]["alert_webhook"] == "**********"
    assert stored[1]["alert_webhook_secret"] == WEBHOOK_BLOCK
    assert SECRET not in json.dumps(stored)


@pytest.mark.usefixtures("prefect_harness")
def test_a_missing_secret_block_is_a_clear_error():
    with pytest.raises(alerts.AlertConfigError, match="Secret block 'no-such-block' not found"):
        resolve_webhook(None, "no-such-block")


# -- a real server, a served deployment, a scheduled run ---------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in its own session, so it and every child it spawns can be stopped together."""
    with open(log, "wb") as handle:
        return subprocess.Popen(
            [str(a) for a in args], env=env, cwd=log.parent, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def stop(process: subprocess.Popen, sig: signal.Signals) -> None:
    """Ask politely, then kill the whole process group; never leaves a process behind."""
    for signal_, wait_s in ((sig, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, signal_)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent
        os.killpg(process.pid, signal.SIGKILL)


def api(base: str, path: str, body: dict | None = None) -> dict | list | None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, headers={"Content-Type": "application/json"}, method="POST" if data else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until(read, what: str, deadline_s: float, processes: dict[str, tuple[subprocess.Popen, Path]]):
    """Poll `read()` until truthy; fail early, with the log, if a process it needs has died."""
    end = time.monotonic() + deadline_s
    while True:
        found = read()
        if found:
            return found
        for name, (process, log) in processes.items():
            assert process.poll() is None, f"{name} exited ({process.returncode}):\n{log.read_text()[-3000:]}"
        if time.monotonic() > end:
            logs = "\n".join(f"--- {n}\n{log.read_text()[-3000:]}" for n, (_, log) in processes.items())
            pytest.fail(f"no {what} after {deadline_s}s\n{logs}")
        time.sleep(1)


@pytest.mark.slow
def test_served_deployment_runs_on_schedule_and_writes_the_catalog(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache, home = tmp_path / "out", tmp_path / "cache", tmp_path / "prefect-home"
    home.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"}
    client_env = env | {"PREFECT_API_URL": base, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    running: dict[str, tuple[subprocess.Popen, Path]] = {}
    try:
        server_log = tmp_path / "server.log"
        server = start([BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", port], env, server_log)
        running["prefect server"] = (server, server_log)
        wait_until(lambda: api(base, "/health"), "healthy Prefect server", 180, running)

        serve_log = tmp_path / "serve.log"
        serve = start(
            [BIN / "model-catalog", "serve", "--interval", "5", "--source", repo.path, "--out", out,
             "--cache-dir", cache, "--locale", "en"],
            client_env,
            serve_log,
        )  # fmt: skip
        running["model-catalog serve"] = (serve, serve_log)
        completed = {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}, "limit": 5}
        [run, *_] = wait_until(lambda: api(base, "/flow_runs/filter", completed), "completed run", 180, running)

        assert run["auto_scheduled"] is True  # made by the scheduler, not by hand
        deployment = api(base, f"/deployments/{run['deployment_id']}")
        assert deployment["name"] == "scheduled"
        assert deployment["description"] == DESCRIPTION  # for users, not the flow's developer docstring
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["schedules"][0]["schedule"]["interval"] == 5.0
        assert deployment["parameters"]["out"] == str(out) and deployment["parameters"]["locales"] == ["en"]
        models = pl.read_parquet(out / "models.parquet")
        assert sorted(models["api_name"].to_list()) == ["acme__alpha", "acme__beta_1_5"]

        # prefect.yaml deploys to a work pool on the same server
        for args in (["work-pool", "create", "model-catalog", "--type", "process"], ["deploy", "--all"]):
            result = subprocess.run(
                [BIN / "prefect", "--no-prompt", *args], cwd=ROOT, env=client_env, capture_output=True, text=True,
                timeout=300,
            )  # fmt: skip
            assert result.returncode == 0, result.stdout + result.stderr
        daily = api(base, "/deployments/name/model-catalog/daily")
        assert daily["entrypoint"] == "flows/catalog.py:catalog_flow" and daily["work_pool_name"] == "model-catalog"
        assert daily["schedules"][0]["schedule"]["cron"] == "0 6 * * *"
        assert daily["global_concurrency_limit"]["limit"] == 1
    finally:
        if "model-catalog serve" in running:
            stop(running["model-catalog serve"][0], signal.SIGINT)  # first, while the server can still pause it
        if "prefect server" in running:
            stop(running["prefect server"][0], signal.SIGTERM)
    assert all(process.poll() is not None for process, _ in running.values())
