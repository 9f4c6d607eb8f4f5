"""A scripted docs history in a real git repository, replayed by backfill and by incremental runs.

Every step's change rows and the resulting versions are asserted exactly: the change log is
what analysts query, so each row must name the commit that made it and that commit's time.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.catalog import catalog_flow
from tests.docs_repo import DocsRepo, card_href, card_md, index_md, make_docs_repo, tile_md

pytestmark = pytest.mark.usefixtures("prefect_harness")

ALPHA = "box-ai/ai-models/alpha-model-card"
BETA = "box-ai/ai-models/beta-model-card"
ACME_ALPHA = "box-ai/ai-models/acme-alpha-model-card"
VOLATILE = ["detected_at", "run_id"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def alpha_card(**values: str) -> str:
    values = {"Region": "US", "Vision": "Yes", **values}
    return card_md("acme__alpha", title="Acme Alpha", **values)


def beta_card() -> str:
    return card_md("acme__beta", title="Acme Beta", category="Premium", input_context_tokens="**1m tokens**")


def index(alpha: str | None = "alpha-model-card", beta_pills: list[str] | None = None, alpha_pills=None) -> str:
    tiles = []
    if alpha:
        pills = alpha_pills or ["Chat", "Available", "Standard", "Multimodal"]  # an unknown pill: a finding
        tiles.append(tile_md("acme__alpha", card_href(alpha), "A small model.", pills))
    if beta_pills:
        tiles.append(tile_md("acme__beta", card_href("beta-model-card"), "A big model.", beta_pills))
    return index_md({"Core Box AI Models": tiles})


def reformat(card: str) -> str:
    """The same card as a writer might tidy it: rows reversed, cells padded, a paragraph re-wrapped."""
    lines = card.splitlines()
    rows = [i for i, line in enumerate(lines) if line.startswith("| ") and not line.startswith("| Item")]
    body = [re.sub(r" \| ", "   |   ", lines[i]) for i in rows]
    for i, line in zip(rows, reversed(body), strict=True):
        lines[i] = line
    text = "\n".join(lines) + "\n"
    return text.replace("A test model for unit tests.", "A test model\nfor   unit tests.")


class Script:
    """The scripted en history; each step commits and records (sha, time)."""

    def __init__(self, repo: DocsRepo):
        self.repo = repo
        self.sha: dict[str, str] = {}
        self.at: dict[str, datetime] = {}

    def _commit(self, step: str, message: str, when: str) -> None:
        self.sha[step] = self.repo.commit("en", message, when)
        self.at[step] = utc(when)

    def add(self) -> None:
        self.repo.write("en", "alpha-model-card.md", alpha_card())
        self.repo.write("en", "beta-model-card.md", beta_card())
        self.repo.write("en", "index.md", index(beta_pills=["Chat", "Preview", "Premium"]))
        self._commit("add", "Add two models", "2025-01-10T10:00:00+00:00")

    def modify(self) -> None:
        self.repo.write(
            "en", "alpha-model-card.md", alpha_card(input_context_tokens="**200k tokens**", release_date="May 2025")
        )
        self.repo.write("en", "index.md", index(beta_pills=["Chat", "Available", "Premium"]))
        self._commit("modify", "Bigger context, beta available", "2025-02-01T09:30:00+01:00")

    def reformat(self) -> None:
        bolder = alpha_card(
            input_context_tokens="**200k tokens**", release_date="**May 2025**", category="**Standard**"
        )
        self.repo.write("en", "alpha-model-card.md", reformat(bolder))
        self.repo.write(
            "en",
            "index.md",
            index(
                alpha_pills=["Multimodal", "Standard", "Chat", "Available"], beta_pills=["Premium", "Available", "Chat"]
            ),
        )
        self._commit("reformat", "Tidy tables", "2025-02-15T10:00:00+00:00")

    def remove(self) -> None:
        self.repo.remove("en", "beta-model-card.md")
        self.repo.write("en", "index.md", index())
        self._commit("remove", "Remove beta", "2025-03-01T10:00:00+00:00")

    def other(self) -> None:
        self.sha["other"] = self.repo.commit_other("en", "Touch the README only", "2025-03-10T10:00:00+00:00")
        self.at["other"] = utc("2025-03-10T10:00:00+00:00")

    def readd(self) -> None:
        self.repo.write("en", "beta-model-card.md", beta_card())
        self.repo.write("en", "index.md", index(beta_pills=["Chat", "Available", "Premium"]))
        self._commit("readd", "Bring beta back", "2025-03-20T12:00:00+02:00")

    def rename(self) -> None:
        self.repo.rename("en", "alpha-model-card.md", "acme-alpha-model-card.md")
        self.repo.write("en", "index.md", index("acme-alpha-model-card", beta_pills=["Chat", "Available", "Premium"]))
        self._commit("rename", "Rename the alpha card", "2025-04-01T10:00:00+00:00")

    def all(self) -> None:
        for step in (self.add, self.modify, self.reformat, self.remove, self.other, self.readd, self.rename):
            step()

    def expected_changes(self) -> list[tuple]:
        """(change, card_id, api_name, field, old, new, from_commit, to_commit, committed_at), in log order."""
        s, at = self.sha, self.at

        def row(change, card_id, api, step, prev, field=None, old=None, new=None):
            if step not in s:
                return None
            return (change, card_id, api, field, old, new, s.get(prev), s[step], at[step])

        rows = [
            row("added", ALPHA, "acme__alpha", "add", None),
            row("added", BETA, "acme__beta", "add", None),
            row("modified", ALPHA, "acme__alpha", "modify", "add", "release_date", '"2025-04-14"', '"2025-05-01"'),
            row("modified", ALPHA, "acme__alpha", "modify", "add", "release_date_precision", '"day"', '"month"'),
            row("modified", ALPHA, "acme__alpha", "modify", "add", "input_context_tokens", "128000", "200000"),
            row("modified", BETA, "acme__beta", "modify", "add", "availability", '["preview"]', '["available"]'),
            row(
                "modified",
                BETA,
                "acme__beta",
                "modify",
                "add",
                "badges",
                '["Chat", "Premium", "Preview"]',
                '["Available", "Chat", "Premium"]',
            ),
            row("removed", BETA, "acme__beta", "remove", "reformat"),
            row("added", BETA, "acme__beta", "readd", "remove"),
            row("removed", ALPHA, "acme__alpha", "rename", "readd"),
            row("added", ACME_ALPHA, "acme__alpha", "rename", "readd"),
        ]
        return [r for r in rows if r is not None]

    def expected_versions(self) -> list[tuple]:
        """(card_id, source_commit, valid_from, valid_to, is_current, input_context_tokens, availability)."""
        s, at = self.sha, self.at
        return [
            (ACME_ALPHA, s["rename"], at["rename"], None, True, 200_000, ["available"]),
            (ALPHA, s["add"], at["add"], at["modify"], False, 128_000, ["available"]),
            (ALPHA, s["modify"], at["modify"], at["rename"], False, 200_000, ["available"]),
            (BETA, s["add"], at["add"], at["modify"], False, 1_000_000, ["preview"]),
            (BETA, s["modify"], at["modify"], at["remove"], False, 1_000_000, ["available"]),
            (BETA, s["readd"], at["readd"], None, True, 1_000_000, ["available"]),
        ]


CHANGE_COLUMNS = [
    "change",
    "card_id",
    "api_name",
    "field",
    "old_value",
    "new_value",
    "from_commit",
    "to_commit",
    "committed_at",
]
VERSION_COLUMNS = [
    "card_id",
    "source_commit",
    "valid_from",
    "valid_to",
    "is_current",
    "input_context_tokens",
    "availability",
]


def run(repo: DocsRepo, out: Path, mode: str = "run") -> dict:
    return catalog_flow(
        source=str(repo.path), out=str(out), cache_dir=str(out.parent / "cache"), locales=["en"], mode=mode
    )


def changes(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "changes.parquet")


def change_rows(out: Path) -> list[tuple]:
    return changes(out).select(CHANGE_COLUMNS).rows()


def version_rows(out: Path) -> list[tuple]:
    versions = pl.read_parquet(out / "model_versions.parquet").sort("card_id", "valid_from")
    return versions.select(VERSION_COLUMNS).rows()


def snapshot_commits(out: Path) -> set[str]:
    return {p.stem for p in (out / "snapshots" / "en").glob("*.parquet")}


@pytest.fixture
def script(tmp_path) -> Script:
    return Script(make_docs_repo(tmp_path))


def test_backfill_records_every_step_at_its_own_commit(script, tmp_path, check_outputs):
    script.all()
    out = tmp_path / "out"

    summary = run(script.repo, out, "backfill")

    assert change_rows(out) == script.expected_changes()
    assert version_rows(out) == script.expected_versions()
    assert summary["changes"] == {"added": 4, "removed": 2, "modified": 5}
    assert snapshot_commits(out) == {script.sha[s] for s in ("add", "modify", "reformat", "remove", "readd", "rename")}
    models = pl.read_parquet(out / "models.parquet")
    assert models.select("card_id", "source_commit").rows() == [
        (ACME_ALPHA, script.sha["rename"]),
        (BETA, script.sha["rename"]),
    ]
    state = json.loads((out / "state.json").read_text())["locales"]["en"]
    assert state["commit"] == state["snapshot_commit"] == script.sha["rename"]
    check_outputs(out, "models,changes,versions,findings,state")


def test_snapshots_reload_any_past_catalog(script, tmp_path):
    script.all()
    out = tmp_path / "out"
    run(script.repo, out, "backfill")

    removed = pl.read_parquet(out / "snapshots" / "en" / f"{script.sha['remove']}.parquet")
    reformatted = pl.read_parquet(out / "snapshots" / "en" / f"{script.sha['reformat']}.parquet")

    assert removed["card_id"].to_list() == [ALPHA]
    assert reformatted.filter(pl.col("card_id") == ALPHA).row(0, named=True)["input_context_tokens"] == 200_000
    assert reformatted["source_commit"].unique().to_list() == [script.sha["reformat"]]


def test_second_run_after_backfill_appends_nothing(script, tmp_path, caplog):
    script.all()
    out = tmp_path / "out"
    run(script.repo, out, "backfill")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    with caplog.at_level(logging.INFO):
        summary = run(script.repo, out)

    assert summary["locales"] == [] and summary["changes"] == {"added": 0, "removed": 0, "modified": 0}
    assert "en: no new commit" in summary["line"]
    assert summary["line"] in caplog.text
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_incremental_runs_match_the_backfill(script, tmp_path, check_outputs):
    out = tmp_path / "out"
    script.add()
    run(script.repo, out)  # an empty folder takes the head as its baseline
    assert change_rows(out) == script.expected_changes()[:2]

    script.modify()
    script.reformat()
    script.remove()
    run(script.repo, out)
    assert change_rows(out) == script.expected_changes()[:8]

    findings = pl.read_parquet(out / "findings.parquet")
    script.other()
    summary = run(script.repo, out)  # the head moved, the card folder did not
    assert summary["changes"] == {"added": 0, "removed": 0, "modified": 0}
    assert change_rows(out) == script.expected_changes()[:8]
    assert_frame_equal(pl.read_parquet(out / "findings.parquet"), findings)
    assert json.loads((out / "state.json").read_text())["locales"]["en"]["commit"] == script.sha["other"]

    script.readd()
    script.rename()
    run(script.repo, out)
    assert change_rows(out) == script.expected_changes()
    assert version_rows(out) == script.expected_versions()
    check_outputs(out)

    backfilled = tmp_path / "backfilled"
    run(script.repo, backfilled, "backfill")
    for name in ("models", "model_versions", "findings"):
        assert_frame_equal(pl.read_parquet(out / f"{name}.parquet"), pl.read_parquet(backfilled / f"{name}.parquet"))
    assert_frame_equal(changes(out).drop(VOLATILE), changes(backfilled).drop(VOLATILE))
    assert snapshot_commits(out) == snapshot_commits(backfilled)


def test_run_on_a_folder_that_stopped_long_ago_dates_each_change_by_its_commit(script, tmp_path):
    out = tmp_path / "out"
    script.add()
    run(script.repo, out)
    first = changes(out)
    script.modify()
    script.reformat()
    script.remove()
    script.other()
    script.readd()
    script.rename()

    summary = run(script.repo, out)

    assert change_rows(out) == script.expected_changes()
    new = changes(out).slice(first.height)
    assert new["run_id"].n_unique() == 1 and new["run_id"][0] != first["run_id"][0]
    assert_frame_equal(changes(out).head(first.height), first)
    assert summary["changes"] == {"added": 2, "removed": 2, "modified": 5}
    assert version_rows(out) == script.expected_versions()


def test_formatting_only_edit_changes_nothing_but_is_a_snapshot(script, tmp_path):
    out = tmp_path / "out"
    script.add()
    script.modify()
    run(script.repo, out, "backfill")
    before_models = pl.read_parquet(out / "models.parquet")

    script.reformat()
    summary = run(script.repo, out)

    assert summary["changes"] == {"added": 0, "removed": 0, "modified": 0}
    assert change_rows(out) == script.expected_changes()[:7]
    assert script.sha["reformat"] in snapshot_commits(out)
    after = pl.read_parquet(out / "models.parquet")
    assert after["source_commit"].unique().to_list() == [script.sha["reformat"]]
    as_written = ["source_commit", "committed_at", "^.*_raw$", "badges", "extra"]
    assert_frame_equal(after.drop(as_written), before_models.drop(as_written))
    alpha_before, alpha_after = (
        m.filter(pl.col("card_id") == ALPHA).row(0, named=True) for m in (before_models, after)
    )
    assert alpha_after["badges"] == ["Multimodal", "Standard", "Chat", "Available"]
    assert sorted(alpha_after["badges"]) == sorted(alpha_before["badges"])
    assert alpha_after["extra"] == list(reversed(alpha_before["extra"]))
    assert alpha_after["description"] == alpha_before["description"] == "A test model for unit tests."


def test_backfill_replaces_the_change_log_and_keeps_other_locales(script, tmp_path):
    out = tmp_path / "out"
    script.all()
    script.repo.write("ja", "alpha-model-card.md", card_md("acme__alpha", title="Acme Alpha", locale="ja"))
    script.repo.commit("ja", "ja", "2025-01-20T10:00:00+00:00")
    catalog_flow(source=str(script.repo.path), out=str(out), cache_dir=str(tmp_path / "cache"))

    run(script.repo, out, "backfill")
    run(script.repo, out, "backfill")

    log = changes(out)
    assert log.filter(pl.col("locale") == "en").select(CHANGE_COLUMNS).rows() == script.expected_changes()
    assert log.filter(pl.col("locale") == "ja").select("change", "card_id").rows() == [("added", ALPHA)]


def test_backfill_since_starts_the_history_at_that_date(script, tmp_path):
    script.all()
    out = tmp_path / "out"

    catalog_flow(
        source=str(script.repo.path),
        out=str(out),
        cache_dir=str(tmp_path / "cache"),
        locales=["en"],
        mode="backfill",
        since=datetime(2025, 3, 1, tzinfo=UTC),
    )

    rows = change_rows(out)
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [
        ("added", ALPHA, None, script.sha["remove"]),
        ("added", BETA, script.sha["remove"], script.sha["readd"]),
        ("removed", ALPHA, script.sha["readd"], script.sha["rename"]),
        ("added", ACME_ALPHA, script.sha["readd"], script.sha["rename"]),
    ]


def test_backfill_since_after_the_last_card_commit_keeps_the_catalog(script, tmp_path):
    script.all()
    out = tmp_path / "out"

    catalog_flow(
        source=str(script.repo.path),
        out=str(out),
        cache_dir=str(tmp_path / "cache"),
        locales=["en"],
        mode="backfill",
        since=datetime(2025, 6, 1, tzinfo=UTC),
    )

    assert pl.read_parquet(out / "models.parquet")["card_id"].to_list() == [ACME_ALPHA, BETA]


def test_long_walk_logs_progress_per_locale(script, tmp_path, caplog):
    script.all()

    with caplog.at_level(logging.INFO):
        run(script.repo, tmp_path / "out", "backfill")

    progress = [r.getMessage() for r in caplog.records if "commit" in r.getMessage() and " of " in r.getMessage()]
    assert any("en: commit 6 of 6" in m for m in progress), progress
