"""The README's local queries, run as written (only the folder name changed) on a catalog a run wrote.

The bucket examples need DuckDB's httpfs extension, which DuckDB downloads on first use: they
stay out of these tests (the machine reaches no network); Polars reading the bucket is tested
in test_store_faults.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.docs_repo import card_md, make_docs_repo, seed_two_models
from tests.test_flow import run

ROOT = Path(__file__).resolve().parents[1]


def readme_sql() -> list[str]:
    """Every statement of the README's local ```sql blocks (those reading `catalog/`)."""
    blocks = re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if "'catalog/" in s]
    assert statements, "the README has no local SQL example"
    return statements


@pytest.fixture(scope="module")
def catalog(tmp_path_factory, prefect_harness) -> Path:
    """en changes a value, ja catches up days later, en changes again: closed and open lags."""
    tmp_path = tmp_path_factory.mktemp("queries")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "catalog", tmp_path / "cache"
    alpha = {"title": "Acme Alpha"}
    repo.write("en", "alpha-model-card.md", card_md("acme__alpha", input_context_tokens="256k", **alpha))
    repo.commit("en", "Alpha: 256k", "2025-01-12T10:00:00+00:00")
    repo.write("ja", "alpha-model-card.md", card_md("acme__alpha", locale="ja", input_context_tokens="256k", **alpha))
    repo.commit("ja", "Alpha: 256k", "2025-01-22T10:00:00+00:00")
    repo.write("en", "alpha-model-card.md", card_md("acme__alpha", input_context_tokens="512k", **alpha))
    repo.commit("en", "Alpha: 512k", "2025-02-01T10:00:00+00:00")
    repo.commit_other("ja", "Unrelated", "2025-02-20T10:00:00+00:00")
    run(repo.path, out, cache, mode="backfill")
    return out


def query(statement: str, catalog: Path) -> list[tuple]:
    return duckdb.sql(statement.replace("'catalog/", f"'{catalog}/")).fetchall()


def test_every_local_readme_query_runs(catalog):
    for statement in readme_sql():
        query(statement, catalog)


def test_open_lags_older_than_a_week_and_the_typical_lag_per_month(catalog):
    [open_lags] = [s for s in readme_sql() if "is_open AND lag_days > 7" in s]
    [per_month] = [s for s in readme_sql() if "median(lag_days)" in s]

    rows = query(open_lags, catalog)
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("box-ai/ai-models/alpha-model-card", "input_context_tokens", "512000", "256000", 19.0)
    ]
    [(month, stretches, median_days)] = query(per_month, catalog)
    assert (str(month)[:7], stretches, median_days) == ("2025-01", 1, 10.0)


def test_first_seen_lists_every_added_model(catalog):
    [first_seen] = [s for s in readme_sql() if "first_seen" in s]
    rows = query(first_seen, catalog)
    assert {(r[0], r[1]) for r in rows} == {
        (locale, api) for locale in ("en", "ja") for api in ("acme__alpha", "acme__beta_1_5")
    }
