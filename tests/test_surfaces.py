"""What a user sees in Prefect and at the terminal: run and task names, parameters, artifacts, logs, CLI."""

from __future__ import annotations

import json
import re
import socket

import pytest

from flows.catalog import DESCRIPTION, catalog_flow
from flows.cli import main
from output import reports
from output.store import OutputStore
from tests.docs_repo import cli, make_docs_repo, seed_two_models


def read_run(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # logs reach the API in batches
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        of_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        tasks = client.read_task_runs(flow_run_filter=of_run)
        artifacts = client.read_artifacts(flow_run_filter=of_run)
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return flow_run, tasks, artifacts, logs


def latest_run_id():
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0].id


@pytest.mark.usefixtures("prefect_harness")
def test_a_cli_run_shows_what_it_did_in_prefect(tmp_path, capsys):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"

    assert main(["run", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(cache), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    flow_run, tasks, artifacts, logs = read_run(latest_run_id())

    assert summary["changes"]["added"] == 4
    assert re.fullmatch(r"run-en-ja-\d{4}-\d{2}-\d{2}", flow_run.name)
    # Defaults resolved before the run: the Parameters tab shows what was used, never null.
    assert flow_run.parameters["locales"] == ["en", "ja"]
    assert flow_run.parameters["alert_on"] == ["added", "removed", "availability", "deprecated_on", "tier", "api_name"]
    assert flow_run.parameters["cache_dir"] == str(cache.resolve())
    assert {t.name for t in tasks} >= {"replay_history-en", "replay_history-ja"}
    keys = {a.key for a in artifacts}
    uri = OutputStore(out).uri
    assert keys == {reports.artifact_key(uri, k) for k in ("changes", "models-en", "models-ja", "output")}
    assert all(a.task_run_id is None for a in artifacts)  # at the flow run, not hidden under a task
    table = next(a for a in artifacts if a.key == reports.artifact_key(uri, "models-en"))
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert {r["API name"]: r["context window"] for r in rows}["acme__beta_1_5"] == "1M"
    messages = [log.message for log in logs]
    assert not [m for m in messages if m.startswith("Finished in state Completed")][:-1]  # the flow's own, at most
    assert any(m.startswith("en: 2 cards, ja: 2 cards, 4 added") for m in messages)


def test_the_flow_offers_mode_as_a_choice_and_describes_every_parameter():
    from prefect.utilities.callables import parameter_schema

    schema = parameter_schema(catalog_flow.fn).model_dump()["properties"]
    assert schema["mode"]["enum"] == ["run", "backfill"]
    assert [name for name, spec in schema.items() if not spec.get("description")] == []
    assert catalog_flow.description == DESCRIPTION


def test_a_mode_that_is_not_a_choice_never_runs_a_normal_run():
    from transform.plan import PlanError, run_request

    with pytest.raises(PlanError, match="'backfil' is not one of run, backfill"):
        run_request("backfil", None)


def test_version_and_exit_codes_are_printed():
    version = cli("--version")
    assert version.returncode == 0 and re.fullmatch(r"model-catalog \S+\n", version.stdout)
    assert "exit codes:" in cli("--help").stdout


def test_serve_without_a_server_refuses_in_one_line_before_anything_else(tmp_path):
    result = cli("serve", "--source", str(tmp_path), cwd=tmp_path, env={"PREFECT_API_URL": ""})
    assert result.returncode == 2
    assert result.stderr.startswith("model-catalog: error: serve needs a Prefect server")
    assert result.stderr.count("\n") == 1 and "ephemeral" not in result.stderr


def test_an_unreachable_prefect_api_is_one_line_and_leaves_no_output_folder(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    out = tmp_path / "out"
    result = cli(
        "run", "--source", str(repo.path), "--out", str(out), cwd=tmp_path,
        env={"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"model-catalog: error: cannot reach the Prefect API at http://127.0.0.1:{port}/api/; is the server running?\n"
    )
    assert not out.exists()


def test_a_first_run_that_fails_leaves_no_output_folder(tmp_path):
    not_a_repo = tmp_path / "docs"
    not_a_repo.mkdir()
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    result = cli("run", "--source", str(not_a_repo), "--out", str(out), "--cache-dir", str(cache), cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("model-catalog: error:")]
    assert len(errors) == 1 and "cannot read" in errors[0] and "Traceback" not in result.stderr
    assert not out.exists()
