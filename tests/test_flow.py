"""End to end: a real git repository in tmp_path, the flow under Prefect's test harness."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from flows.catalog import catalog_flow
from flows.tasks import _collector_paused
from output.store import OutputStore, Transaction
from tests.docs_repo import card_href, card_md, index_md, make_docs_repo, seed_two_models, tile_md
from transform.tables import MODELS, to_table

pytestmark = pytest.mark.usefixtures("prefect_harness")


def run(source: Path | str, out: Path, cache: Path, **kw) -> dict:
    return catalog_flow(source=str(source), out=str(out), cache_dir=str(cache), **kw)


def test_flow_writes_typed_catalog_for_both_locales(tmp_path, check_outputs):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"

    summary = run(repo.path, out, tmp_path / "cache")

    check_outputs(out, "models,changes,versions,findings,state,lag")
    assert pl.read_parquet(out / "translation_lag.parquet").is_empty()  # both locales say the same
    assert summary["lag"] == {"open": 0, "oldest": [], "reason": None}
    models = pl.read_parquet(out / "models.parquet")
    assert sorted(models["locale"].to_list()) == ["en", "en", "ja", "ja"]
    beta = models.filter((pl.col("locale") == "ja") & (pl.col("api_name") == "acme__beta_1_5")).row(0, named=True)
    assert beta["card_id"] == "box-ai/ai-models/beta-model-card"
    assert beta["source_path"] == "guides/box-ai/ai-models/beta-model-card.md"
    assert beta["input_context_tokens"] == 1_000_000
    assert beta["category"] == "premium" and beta["tier"] == "premium"
    assert beta["release_date"] == date(2025, 4, 14) and beta["release_date_precision"] == "day"
    assert beta["availability"] == ["preview"] and beta["capabilities"] == ["chat"]
    assert beta["index_section"] == "Core Box AI Models" and beta["access_level"] == "core"
    assert beta["docs_urls"] == ["https://example.com/docs/model"]
    assert summary["changes"]["added"] == 4
    state = json.loads((out / "state.json").read_text())
    assert state["locales"]["en"]["branch"] == "main"
    assert state["locales"]["ja"]["commit"] == repo.git("rev-parse", "jp")
    json_rows = json.loads((out / "models.json").read_text())
    assert {r["release_date"] for r in json_rows} == {"2025-04-14"}


def test_broken_card_is_an_error_finding_and_the_rest_still_lands(tmp_path, check_outputs):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    repo.write("en", "broken-model-card.md", "---\nrank: [unclosed\n---\n# Broken\n")
    repo.write("en", "binary-model-card.md", b"\x00\x01\x02 not text")
    repo.commit("en", "Add two broken cards", "2025-02-01T10:00:00+00:00")
    out = tmp_path / "out"

    summary = run(repo.path, out, tmp_path / "cache", locales=["en"])

    check_outputs(out, "models,findings,state,lag")
    assert summary["lag"]["reason"] == "only en is in the catalog; translation lag compares en with ja"
    assert "translation lag" not in summary["line"]
    models = pl.read_parquet(out / "models.parquet")
    assert sorted(models["api_name"].to_list()) == ["acme__alpha", "acme__beta_1_5"]
    errors = pl.read_parquet(out / "findings.parquet").filter(pl.col("severity") == "error")
    assert sorted(errors["code"].to_list()) == ["binary", "front-matter-invalid"]
    assert set(errors["card_id"].to_list()) == {
        "box-ai/ai-models/broken-model-card",
        "box-ai/ai-models/binary-model-card",
    }


def test_every_run_keeps_the_translation_lag_current(tmp_path, check_outputs):
    """Open while ja trails, measured up to the latest processed commit (not the clock), closed when ja catches up."""
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo.path, out, cache)
    repo.write("en", "alpha-model-card.md", card_md("acme__alpha", title="Acme Alpha", input_context_tokens="256k"))
    repo.commit("en", "Alpha: 256k", "2025-01-12T10:00:00+00:00")
    repo.commit_other("ja", "Unrelated", "2025-01-15T10:00:00+00:00")

    summary = run(repo.path, out, cache)

    lag = pl.read_parquet(out / "translation_lag.parquet")
    assert lag.select("card_id", "kind", "field", "en_value", "ja_value", "lag_days", "is_open").rows() == [
        ("box-ai/ai-models/alpha-model-card", "value_differs", "input_context_tokens", "256000", "128000", 3.0, True)
    ]
    assert summary["lag"]["open"] == 1 and summary["lag"]["oldest"][0]["lag_days"] == 3.0
    assert (
        ", 1 open translation lag (oldest: box-ai/ai-models/alpha-model-card input_context_tokens, 3.0 days),"
        in summary["line"]
    )

    repo.write(
        "ja",
        "alpha-model-card.md",
        card_md("acme__alpha", title="Acme Alpha", locale="ja", input_context_tokens="256k"),
    )
    repo.commit("ja", "Alpha: 256k", "2025-01-17T10:00:00+00:00")
    summary = run(repo.path, out, cache)

    check_outputs(out, "models,changes,versions,findings,state,lag")
    lag = pl.read_parquet(out / "translation_lag.parquet")
    assert lag.select("since", "until", "lag_days", "is_open").rows() == [
        (datetime(2025, 1, 12, 10, tzinfo=UTC), datetime(2025, 1, 17, 10, tzinfo=UTC), 5.0, False)
    ]
    assert summary["lag"]["open"] == 0


def test_second_run_without_new_commits_appends_nothing(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"
    run(repo.path, out, tmp_path / "cache")
    before = (out / "changes.parquet").read_bytes()

    summary = run(repo.path, out, tmp_path / "cache")

    assert summary["locales"] == [] and summary["parsed"] == 0
    assert (out / "changes.parquet").read_bytes() == before


def test_tile_linking_to_another_card_is_a_finding(tmp_path):
    repo = make_docs_repo(tmp_path)
    repo.write("en", "alpha-model-card.md", card_md("acme__alpha"))
    repo.write("en", "beta-model-card.md", card_md("acme__beta"))
    repo.write(
        "en",
        "index.md",
        index_md(
            {
                "Customer-enabled models": [
                    tile_md("acme__alpha", card_href("beta-model-card"), "Alpha.", ["Chat", "Beta", "Standard"]),
                    tile_md(
                        "acme-beta", card_href("beta-model-card"), "Beta.", ["Embeddings", "Available", "Standard"]
                    ),
                ]
            }
        ),
    )
    repo.commit("en", "Add", "2025-01-10T10:00:00+00:00")
    out = tmp_path / "out"

    run(repo.path, out, tmp_path / "cache", locales=["en"])

    models = {r["api_name"]: r for r in pl.read_parquet(out / "models.parquet").to_dicts()}
    assert models["acme__alpha"]["availability"] == ["beta"]
    assert models["acme__alpha"]["access_level"] == "customer_enabled"
    assert models["acme__beta"]["tile_api_name"] == "acme-beta"
    assert models["acme__beta"]["capabilities"] == ["embeddings"]
    codes = pl.read_parquet(out / "findings.parquet")["code"].to_list()
    assert "tile-href-mismatch" in codes


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ext::sh -c touch% /tmp/pwned", "transport helper"),
        ("--upload-pack=touch /tmp/pwned", "looks like an option"),
        ("/nonexistent/docs.git", "neither a reachable URL nor an existing path"),
    ],
)
def test_bad_source_is_refused_before_git_runs(tmp_path, source, message):
    from extract.sources import SourceError

    with pytest.raises(SourceError, match=message):
        run(source, tmp_path / "out", tmp_path / "cache")
    assert not (tmp_path / "out").exists()


def test_missing_branch_fails_cleanly_and_keeps_previous_outputs(tmp_path):
    from extract.sources import SourceError

    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"
    run(repo.path, out, tmp_path / "cache")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-D", "jp")

    with pytest.raises(SourceError, match="branch 'jp' not found"):
        run(repo.path, out, tmp_path / "cache")

    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_the_collector_comes_back_after_a_failure_and_stays_off_when_it_was_off():
    with pytest.raises(ValueError), _collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with _collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("count", [0, 1, 5])
def test_snapshot_files_encoded_in_parallel_land_under_their_own_names(tmp_path, count):
    tables = {
        f"snapshots/en/c{i}": to_table([{"card_id": f"card-{i}", "locale": "en"}] * (i + 1), MODELS)
        for i in range(count)
    }
    txn = Transaction()
    txn.put_parquet_files(tables)
    store = OutputStore(tmp_path / "out")
    with store.locked(wait_s=0):
        store.commit(txn)
    for name, table in tables.items():
        written = pl.read_parquet(tmp_path / "out" / f"{name}.parquet")
        assert written["card_id"].to_list() == table.column("card_id").to_pylist()
    assert sorted(txn.files) == sorted(f"{name}.parquet" for name in tables)
