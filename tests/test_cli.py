"""The command line: documented options, one-line errors, the console script end to end."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import build_parser
from tests.docs_repo import cli, imported_packages, make_docs_repo, seed_two_models

ROOT = Path(__file__).resolve().parents[1]


def all_options(parser: argparse.ArgumentParser) -> set[str]:
    options = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= all_options(sub)
        options |= {o for o in action.option_strings if o.startswith("--") and o != "--help"}
    return options


def test_readme_documents_every_option_and_command():
    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    missing = sorted(o for o in all_options(parser) if f"`{o}`" not in readme)
    assert missing == []
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert [c for c in commands if f"model-catalog {c}" not in readme] == []


@pytest.mark.parametrize(
    "source",
    ["ext::sh -c id", "--upload-pack=id", "/no/such/docs", "ftp://example.com/docs.git"],
)
def test_bad_source_exits_with_one_line_and_no_traceback(tmp_path, source):
    result = cli("run", f"--source={source}", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("model-catalog: error:")
    assert not (tmp_path / "out").exists()


def test_console_run_writes_the_catalog_then_reports_no_new_commit(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ("run", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(cache))

    first = cli(*args, cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    second = cli(*args, cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})

    assert first.returncode == 0, first.stderr
    assert "en: 2 cards, ja: 2 cards, 4 added" in first.stderr + first.stdout
    assert second.returncode == 0, second.stderr
    assert "en: no new commit, ja: no new commit" in second.stderr + second.stdout
    assert (out / "models.parquet").exists()
    # Nothing new: the run pays for Prefect and git, not for Polars or the Markdown/HTML parsers
    # (markdown-it loads only for a tile text with markup, which these tiles have none of).
    assert {"polars", "pyromark"} <= imported_packages(first.stderr)
    assert "markdown_it" not in imported_packages(first.stderr)
    assert not {"polars", "markdown_it", "pyromark"} & imported_packages(second.stderr)


# The console command, with its flow's function wrapped to list the modules loaded once the flow has started.
AT_FLOW_START = """
import functools, json, sys
import flows.catalog as catalog
body = catalog.catalog_flow.fn
globals().update({k: v for k, v in vars(catalog).items() if not k.startswith("__")})  # the annotations' names

@functools.wraps(body)
def spied(*args, **kwargs):
    print("at flow start: " + json.dumps(sorted(sys.modules)), file=sys.stderr)
    return body(*args, **kwargs)

catalog.catalog_flow.fn = spied
from flows.cli import console
sys.exit(console())
"""


def modules_at_flow_start(*args: str, cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-c", AT_FLOW_START, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stderr.splitlines() if line.startswith("at flow start: "))
    return set(json.loads(line.removeprefix("at flow start: ")))


def test_a_run_loads_git_parquet_and_the_pipeline_inside_its_flow_and_a_backfill_before_it(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    args = ("--source", str(repo.path), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"))

    run = modules_at_flow_start("run", *args, cwd=tmp_path)
    backfill = modules_at_flow_start("backfill", *args, cwd=tmp_path)

    # Prefect rounds a flow up to its next heartbeat tick: inside it, a run with nothing new
    # loads these for free; a backfill, whose work fills the tick, loads them before.
    pipeline = {"git", "pyarrow.compute", "flows.tasks", "extract.git_source", "output.catalog_files"}
    replay = {"polars", "pyromark", "extract.card_folder", "transform.history"}
    assert {"prefect", "flows.catalog", "pyarrow"} <= run
    assert not (pipeline | replay | {"pyarrow.parquet"}) & run
    assert pipeline | replay <= backfill


def test_missing_branch_is_one_line_and_keeps_outputs(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"
    args = ("run", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert cli(*args, cwd=tmp_path).returncode == 0
    before = (out / "models.parquet").read_bytes()
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "jp")

    result = cli(*args, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "model-catalog: error: branch 'jp' not found" in result.stderr
    assert (out / "models.parquet").read_bytes() == before


def test_prefect_start_up_that_misses_its_limit_is_one_line(tmp_path):
    """A loaded machine missed Prefect's 20 s limit for its temporary server; here the user's limit is 0 s."""
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0", "PREFECT_API_URL": ""}

    result = cli("run", "--source", str(repo.path), "--out", str(tmp_path / "out"), cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("model-catalog:")]
    assert line.startswith("model-catalog: error: Prefect's temporary server did not start within 0 s")
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in line


def test_the_cli_gives_prefect_a_longer_start_up_limit_unless_the_user_set_one(monkeypatch):
    from flows import cli as cli_module

    seen = []
    monkeypatch.delenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", raising=False)
    monkeypatch.setattr(
        "flows.catalog.catalog_flow", lambda **kw: seen.append(os.environ[cli_module.STARTUP_TIMEOUT_ENV])
    )
    assert cli_module.main(["run", "--source", str(ROOT)]) == 0
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "7")
    assert cli_module.main(["run", "--source", str(ROOT)]) == 0

    assert seen == [str(cli_module.STARTUP_TIMEOUT_S), "7"]
