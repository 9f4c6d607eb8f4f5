"""Hostile docs repositories and leaked credentials, end to end through the flow and the CLI.

Each hostile repository is a real tmp git repository holding the two ordinary cards of
`seed_two_models` plus the hostile files; the run must report the hostile part (a finding,
or an exactly escaped value) and write the ordinary cards exactly as a clean run does.
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import time
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

from extract import git_source
from extract.card_folder import BlobParser, parse_folder
from extract.card_markdown import MAX_CARD_BYTES
from extract.sources import LOCALES, TOKEN_ENV, USER_ENV
from flows import cli
from flows import tasks as tasks_module
from flows.catalog import catalog_flow
from tests.docs_repo import DocsRepo, card_md, make_docs_repo, seed_two_models

pytestmark = pytest.mark.usefixtures("prefect_harness")

SEED = {"box-ai/ai-models/alpha-model-card", "box-ai/ai-models/beta-model-card"}
NOT_COMPARED = {"source_commit", "committed_at"}
EN = LOCALES["en"]


def run(repo: Path | str, tmp_path: Path, **kw) -> Path:
    out = tmp_path / "out"
    catalog_flow(source=str(repo), out=str(out), cache_dir=str(tmp_path / "cache"), locales=["en"], **kw)
    return out


def seed_rows(out: Path, skip: set[str] = frozenset()) -> list[dict]:
    models = pl.read_parquet(out / "models.parquet").filter(pl.col("card_id").is_in(sorted(SEED)))
    return [{k: v for k, v in row.items() if k not in NOT_COMPARED | skip} for row in models.sort("card_id").to_dicts()]


@pytest.fixture(scope="module")
def clean_rows(tmp_path_factory, prefect_harness) -> list[dict]:
    """The ordinary cards as a run over a repository with nothing hostile in it writes them."""
    tmp = tmp_path_factory.mktemp("clean")
    repo = make_docs_repo(tmp)
    seed_two_models(repo)
    return seed_rows(run(repo.path, tmp))


def commit_symlinks(repo: DocsRepo, links: dict[str, str]) -> None:
    """Add symbolic links to the en card folder (DocsRepo writes regular files only)."""
    repo.git("checkout", "-q", "main")
    folder = repo.path / EN.cards_folder
    for name, target in links.items():
        (folder / name).symlink_to(target)
    repo.git("add", "-A", EN.cards_folder)
    repo.git("commit", "-q", "-m", "Add links", env={"GIT_AUTHOR_DATE": "2025-02-02T10:00:00+00:00"})


def findings_by_card(out: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in pl.read_parquet(out / "findings.parquet").to_dicts():
        found.setdefault(row["card_id"] or "", set()).add(f"{row['severity']}:{row['code']}")
    return found


ALIAS_BOMB = "---\n" + "\n".join(
    [f"a0: &a0 {['x'] * 10}"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
) + "\nrank: 1\n---\n# Bomb\n\n| Item | Value |\n|---|---|\n| API model name | bomb |\n"  # fmt: skip
NO_NUL_RANDOM = bytes(b or 0xFF for b in random.Random(7).randbytes(4096))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"bomb-model-card.md": ALIAS_BOMB},
            {"box-ai/ai-models/bomb-model-card": {"error:front-matter-invalid"}},
            id="yaml-alias-bomb",
        ),
        pytest.param(
            {"deep-model-card.md": "---\nrank: " + "[" * 50_000 + "\n---\n# Deep\n"},
            {"box-ai/ai-models/deep-model-card": {"error:front-matter-invalid"}},
            id="yaml-nesting",
        ),
        pytest.param(
            {"exec-model-card.md": '---\nrank: !!python/object/apply:os.system ["touch pwned"]\n---\n# Exec\n'},
            {"box-ai/ai-models/exec-model-card": {"error:front-matter-invalid"}},
            id="yaml-python-tag",
        ),
        pytest.param(
            {"random-model-card.md": random.Random(5).randbytes(4096), "latin1-model-card.md": NO_NUL_RANDOM},
            {
                "box-ai/ai-models/random-model-card": {"error:binary"},
                "box-ai/ai-models/latin1-model-card": {"error:not-utf8"},
            },
            id="random-bytes",
        ),
        pytest.param(
            {"huge-model-card.md": "# Huge\n\n" + "x" * MAX_CARD_BYTES},
            {"box-ai/ai-models/huge-model-card": {"error:too-large"}},
            id="over-the-size-bound",
        ),
        pytest.param(
            {"brackets-model-card.md": "[" * (MAX_CARD_BYTES - 10)},
            {"box-ai/ai-models/brackets-model-card": {"error:details-table-missing"}},
            id="worst-markdown-just-under-the-bound",
        ),
    ],
)  # fmt: skip
def test_hostile_card_is_an_error_finding_and_the_other_cards_are_untouched(tmp_path, clean_rows, files, expected):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    for name, data in files.items():
        repo.write("en", name, data)
    repo.commit("en", "Hostile", "2025-02-01T10:00:00+00:00")

    out = run(repo.path, tmp_path)

    found = findings_by_card(out)
    assert {card: found.get(card, set()) for card in expected} == expected
    assert seed_rows(out) == clean_rows
    assert not (tmp_path / "docs" / "pwned").exists() and not Path("pwned").exists()


def test_symlinks_in_the_card_folder_are_findings_never_followed(tmp_path, clean_rows):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    secret = tmp_path / "outside.md"
    secret.write_text(card_md("outside__secret"))
    commit_symlinks(
        repo,
        {
            "outside-model-card.md": str(secret),  # absolute, outside the repository
            "escape-model-card.md": "../../../../../outside.md",  # relative, climbing out of it
            "loop-a-model-card.md": "loop-b-model-card.md",
            "loop-b-model-card.md": "loop-a-model-card.md",
            "self-model-card.md": "self-model-card.md",
        },
    )

    out = run(repo.path, tmp_path)

    found = findings_by_card(out)
    for name in ("outside", "escape", "loop-a", "loop-b", "self"):
        assert found[f"box-ai/ai-models/{name}-model-card"] == {"error:symlink"}
    assert seed_rows(out) == clean_rows
    assert "outside__secret" not in (out / "models.json").read_text()


def test_a_ten_thousand_row_table_is_read_whole(tmp_path, clean_rows):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    rows = "".join(f"| k{i} | {i} |\n" for i in range(10_000))
    repo.write("en", "wide-model-card.md", f"# Wide\n\n| Item | Value |\n|---|---|\n| API model name | wide |\n{rows}")
    repo.commit("en", "Wide", "2025-02-01T10:00:00+00:00")

    out = run(repo.path, tmp_path)

    wide = pl.read_parquet(out / "models.parquet").filter(pl.col("api_name") == "wide").row(0, named=True)
    assert len(wide["extra"]) == 10_000
    assert wide["extra"][0] == {"key": "k0", "value": "0"} and wide["extra"][-1] == {"key": "k9999", "value": "9999"}
    assert seed_rows(out) == clean_rows


HTML_VALUES = {
    "title": '<script>alert("t")</script> Evil',
    "model_name": "<img src=x onerror=alert(1)>",
    "hosting_layer": "</script><!-- \" \\ ' -->",
    "provider": "{{7*7}} ${jndi:ldap://x} & &amp;",
}


def test_html_and_script_in_values_are_kept_as_text_and_json_escaped(tmp_path, clean_rows):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    cells = {
        "model_name": HTML_VALUES["model_name"],
        "hosting_layer": "`" + HTML_VALUES["hosting_layer"] + "`",
        "provider": "`" + HTML_VALUES["provider"] + "`",
    }
    repo.write("en", "evil-model-card.md", card_md("acme__evil", title=HTML_VALUES["title"], **cells))
    repo.commit("en", "Evil", "2025-02-01T10:00:00+00:00")

    out = run(repo.path, tmp_path)

    text = (out / "models.json").read_text(encoding="utf-8")
    evil = next(row for row in json.loads(text) if row["api_name"] == "acme__evil")
    assert {field: evil[field] for field in HTML_VALUES} == HTML_VALUES
    parquet = pl.read_parquet(out / "models.parquet").filter(pl.col("api_name") == "acme__evil").row(0, named=True)
    assert {field: parquet[field] for field in HTML_VALUES} == HTML_VALUES
    assert '"hosting_layer": "</script><!-- \\" \\\\ \'' in text  # quotes and backslashes escaped, the rest as text
    assert seed_rows(out) == clean_rows


def test_file_names_with_spaces_unicode_and_dashes_keep_their_names(tmp_path, clean_rows):
    names = ["my model card.md", "モデル カード.md", "naïve–card.md", "-rf.md", "--upload-pack=x.md", "tab\there.md"]
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    for i, name in enumerate(names):
        repo.write("en", name, card_md(f"acme__odd_{i}"))
    repo.commit("en", "Odd names", "2025-02-01T10:00:00+00:00")

    out = run(repo.path, tmp_path)

    models = pl.read_parquet(out / "models.parquet")
    odd = dict(zip(models["api_name"], models["source_path"], strict=True))
    assert {odd[f"acme__odd_{i}"] for i in range(len(names))} == {EN.cards_folder + name for name in names}
    ids = set(json.loads((out / "models.json").read_text())[i]["card_id"] for i in range(models.height))
    assert {"box-ai/ai-models/モデル カード", "box-ai/ai-models/--upload-pack=x"} <= ids
    assert seed_rows(out) == clean_rows


@pytest.mark.parametrize(
    ("index", "code"),
    [
        pytest.param("<a " * 20_000, "index-too-complex", id="thousands-of-unclosed-tags"),
        pytest.param("<Tile title='x'><strong>p" * 50, "index-too-complex", id="tiles-nested-in-tiles"),
        pytest.param("---\n" + "x" * MAX_CARD_BYTES, "too-large", id="over-the-size-bound"),
    ],
)
def test_hostile_index_is_a_finding_and_the_cards_still_land(tmp_path, clean_rows, index, code):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    repo.write("en", "index.md", index)
    repo.commit("en", "Break the index", "2025-02-01T10:00:00+00:00")

    out = run(repo.path, tmp_path)

    index_findings = pl.read_parquet(out / "findings.parquet").filter(pl.col("source_path").str.ends_with("index.md"))
    assert f"error:{code}" in {f"{r['severity']}:{r['code']}" for r in index_findings.to_dicts()}
    tile_columns = {c for c in clean_rows[0] if c.startswith("tile_") or c in TILE_FACTS}
    assert seed_rows(out, skip=tile_columns) == [
        {k: v for k, v in r.items() if k not in tile_columns} for r in clean_rows
    ]


TILE_FACTS = {"index_section", "access_level", "availability", "deprecated_on", "tier", "capabilities"}
TILE_FACTS |= {"compliance", "default_for", "badges"}


def test_a_50_mb_card_is_reported_without_ever_being_held_in_memory(tmp_path, clean_rows):
    """The size comes from git's object header; the 50 MB are never read into Python."""
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    big = 50 * 1024 * 1024
    repo.write("en", "big-model-card.md", b"# Big\n\n" + b"a" * big)
    repo.commit("en", "Big card", "2025-02-01T10:00:00+00:00")
    cache = git_source.sync_source(str(repo.path), tmp_path / "cache", ["main"], {"main": EN.cards_folder})
    commits = git_source.list_folder_commits(cache, "main", EN.cards_folder).commits

    tracemalloc.start()
    try:
        [snapshot] = list(git_source.iter_folder_snapshots(cache, EN.cards_folder, commits[-1:], MAX_CARD_BYTES))
        parsed = parse_folder(snapshot.files, BlobParser())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    big_file = next(f for f in snapshot.files if f.path.endswith("big-model-card.md"))
    assert big_file.size > big and big_file.data is None
    assert dict(parsed.cards)[big_file.path].code == "too-large"
    assert peak < 8 * 1024 * 1024, f"reading the folder peaked at {peak} bytes of Python memory"

    out = run(repo.path, tmp_path)
    assert findings_by_card(out)["box-ai/ai-models/big-model-card"] == {"error:too-large"}
    assert seed_rows(out) == clean_rows


# -- credentials ------------------------------------------------------------------------------------

SECRET = "SECRETtok3n9x7Q"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prefect_records() -> str:
    """What the Prefect API kept of the latest run: parameters, states, task runs, logs, artifacts, events."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        [latest] = client.read_flow_runs(sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=1)
        parts = [latest.model_dump_json()]
        parts += [state.model_dump_json() for state in client.read_flow_run_states(latest.id)]
        of_run = FlowRunFilter(id=FlowRunFilterId(any_=[latest.id]))
        parts += [task_run.model_dump_json() for task_run in client.read_task_runs(flow_run_filter=of_run, limit=200)]
        logs = LogFilter(flow_run_id=LogFilterFlowRunId(any_=[latest.id]))
        offset = 0
        while page := client.read_logs(log_filter=logs, limit=200, offset=offset):
            parts += [log.model_dump_json() for log in page]
            offset += len(page)
        parts += [artifact.model_dump_json() for artifact in client.read_artifacts(flow_run_filter=of_run, limit=200)]
        events = _events_of(client, latest)
        assert any(event.event == f"prefect.flow-run.{latest.state.name}" for event in events)
        parts += [event.model_dump_json() for event in events]
    return "\n".join(parts)


def _events_of(client, flow_run) -> list:
    """The run's events, once the server has stored the one for its final state (they are written in batches)."""
    from prefect.events.filters import EventAnyResourceFilter, EventFilter

    about = EventFilter(any_resource=EventAnyResourceFilter(id=[f"prefect.flow-run.{flow_run.id}"]))
    final = f"prefect.flow-run.{flow_run.state.name}"
    deadline = time.monotonic() + 60
    while True:
        page = client.read_events(filter=about, limit=50)
        events = list(page.events)
        while page.next_page:
            page = client.read_events_page(str(page.next_page))
            events += page.events
        if any(event.event == final for event in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.5)


def files_under(*roots: Path) -> bytes:
    return b"".join(p.read_bytes() for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def no_token(monkeypatch):
    """The CLI puts a token from the URL into the environment; undo it after the test."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    monkeypatch.delenv(USER_ENV, raising=False)


@pytest.fixture
def fast_retries(monkeypatch):
    """The real retry policy and condition, without the waits between attempts."""
    monkeypatch.setattr(tasks_module, "sync_source", tasks_module.sync_source.with_options(retry_delay_seconds=0))


def test_a_token_in_the_source_url_never_reaches_prefect_logs_or_files(tmp_path, capfd, caplog, no_token, fast_retries):
    port = closed_port()
    source = f"https://reader:{SECRET}@127.0.0.1:{port}/docs.git"
    out, cache = tmp_path / "out", tmp_path / "cache"

    code = cli.main(["run", "--source", source, "--out", str(out), "--cache-dir", str(cache)])

    captured = capfd.readouterr()
    assert code == 1
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith(f"model-catalog: error: cannot read 'https://127.0.0.1:{port}/docs.git':")
    assert "Traceback" not in captured.err
    records = prefect_records()
    assert f"https://127.0.0.1:{port}/docs.git" in records  # the run is recorded, with the public source only
    for where, text in {
        "stdout": captured.out,
        "stderr": captured.err,
        "log records": caplog.text,
        "Prefect API": records,
        "files": files_under(out, cache).decode("utf-8", "replace"),
    }.items():
        assert SECRET not in text, where
        assert "reader" not in text, where
    assert cli.os.environ[TOKEN_ENV] == SECRET  # where git's credential helper reads it


def test_a_token_in_the_environment_never_reaches_prefect_logs_or_files(tmp_path, capfd, caplog, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"

    code = cli.main(["run", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(cache)])

    captured = capfd.readouterr()
    assert code == 0
    assert json.loads((out / "state.json").read_text())["locales"]["en"]["source"] == str(repo.path)
    for where, text in {
        "stdout": captured.out,
        "stderr": captured.err,
        "log records": caplog.text,
        "Prefect API": prefect_records(),
        "files": files_under(out, cache).decode("utf-8", "replace"),
        "cache config": subprocess.run(
            ["git", "config", "--list", "--show-origin"],
            cwd=next(p for p in cache.iterdir() if p.is_dir()),
            capture_output=True,
            text=True,
        ).stdout,
    }.items():
        assert SECRET not in text, where
