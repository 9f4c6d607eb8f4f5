"""A branch rewound by a force-push: the catalog follows the new head, versions stay in order, no alert is lost."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from flows.catalog import catalog_flow
from output.catalog_files import read_outbox
from output.store import OutputStore
from tests.docs_repo import DocsRepo, card_md, make_docs_repo, seed_two_models

pytestmark = pytest.mark.usefixtures("prefect_harness")
ALPHA = "box-ai/ai-models/alpha-model-card"


def run(repo: DocsRepo, out: Path) -> dict:
    return catalog_flow(
        source=str(repo.path), out=str(out), cache_dir=str(out.parent / "cache"), locales=["en"], alert_on=["modified"]
    )


def assert_versions_in_order(out: Path) -> None:
    """Per card: each version ends where the next begins, never before it starts; one current version."""
    versions = pl.read_parquet(out / "model_versions.parquet")
    versions = versions.sort("card_id", "valid_from", "valid_to", nulls_last=True)
    for (card_id,), group in versions.group_by("card_id", maintain_order=True):
        rows = group.select("valid_from", "valid_to", "is_current").rows()
        for (start, end, _), (next_start, _, _) in itertools.pairwise(rows):
            assert end is not None and start <= end == next_start, (card_id, rows)
        assert [current for _, _, current in rows] == [False] * (len(rows) - 1) + [True], (card_id, rows)


def test_a_rewound_branch_is_a_finding_and_keeps_versions_in_order(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"
    run(repo, out)  # the baseline
    repo.write("en", "alpha-model-card.md", card_md("acme__alpha", title="Acme Alpha", max_output_tokens="16k"))
    c1 = repo.commit("en", "Alpha: 16k output", "2025-02-01T10:00:00+00:00")
    repo.write(
        "en",
        "alpha-model-card.md",
        card_md("acme__alpha", title="Acme Alpha", max_output_tokens="16k", release_date="May 2025"),
    )
    c2 = repo.commit("en", "Alpha: release date", "2025-02-02T10:00:00+00:00")
    run(repo, out)
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")

    summary = run(repo, out)

    assert summary["changes"]["modified"] == 2  # the release date went back: date and precision
    findings = pl.read_parquet(out / "findings.parquet").filter(pl.col("code") == "history-rewritten")
    [message] = findings["message"].to_list()
    assert c2 in message and c1 in message
    assert_versions_in_order(out)
    at_every_instant = pl.read_parquet(out / "model_versions.parquet")
    for at in at_every_instant["valid_from"].unique().to_list():
        live = at_every_instant.filter(
            pl.col("valid_from") <= at, pl.col("valid_to").is_null() | (pl.col("valid_to") > at)
        )
        assert live["card_id"].is_unique().all(), at
    current = pl.read_parquet(out / "models.parquet").filter(pl.col("card_id") == ALPHA).row(0, named=True)
    assert (current["max_output_tokens"], current["release_date"]) == (16_000, date(2025, 4, 14))
    alerts = [a for a in read_outbox(OutputStore(out)) if a.card_id == ALPHA]
    assert [(a.to_commit, sorted(f.field for f in a.fields)) for a in alerts] == [
        (c1, ["max_output_tokens"]),
        (c2, ["release_date", "release_date_precision"]),
        (c1, ["release_date", "release_date_precision"]),  # the revert: its own alert, not C1's
    ]
    assert len({a.alert_id for a in alerts}) == 3
