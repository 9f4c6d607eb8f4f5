"""A scripted docs history in a real git repository, replayed by backfill and by incremental runs.

Every step's change rows and the resulting versions are asserted exactly: the change log is
what analysts query, so each row must name the commit that made it and that commit's time.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from datetime import UTC, date, datetime
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
    assert findings["code"].to_list() == ["unknown-pill"]
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


def test_long_walk_logs_one_line_per_locale(script, tmp_path, caplog):
    script.all()

    with caplog.at_level(logging.INFO):
        run(script.repo, tmp_path / "out", "backfill")

    progress = [r.getMessage() for r in caplog.records if " snapshots, " in r.getMessage()]
    assert progress == ["en: read 6 snapshots, 2025-01-10 to 2025-04-01"], progress


# -- the real docs history ---------------------------------------------------------------------
# Every value below was read off `git log --first-parent --no-renames --name-status` on a clone of
# ../shared/corpus/box-ai-docs.bundle (branch main for en, jp for ja), not off the pipeline.

PALM = [
    "box-ai/ai-models/google-text-bison-32-model-card",
    "box-ai/ai-models/google-text-bison-model-card",
    "box-ai/ai-models/google-text-unicorn-model-card",
    "box-ai/ai-models/google-textembedding-gecko-002-model-card",
    "box-ai/ai-models/google-textembedding-gecko-003-model-card",
    "box-ai/ai-models/google-textembedding-gecko-model-card",
]
FIRST_SEEN = [
    (
        "en",
        "azure-openai-gpt-4o-mini-model-card",
        "b2a111091122a0cdde9a785fecaac1420fe4aa14",
        "2024-10-28T18:00:33+01:00",
    ),
    (
        "ja",
        "azure-openai-gpt-4o-mini-model-card",
        "2f2e0afe77e5d9e98fe61a43ddd69dad635c433a",
        "2024-10-30T12:34:04-07:00",
    ),
    (
        "en",
        "google-gemini-2-0-flash-001-model-card",
        "a407e8e7798aa08d56d162629dbde5173e5f84b2",
        "2025-02-06T16:40:53+01:00",
    ),
    (
        "ja",
        "google-gemini-2-0-flash-001-model-card",
        "75f60df22ac2dded59178912b67a96f5b4c7bd2b",
        "2025-02-10T12:34:03-08:00",
    ),
    ("en", "ibm-llama-4-scout-model-card", "c7393bc4434eec6e7f950d1b924c5c843bac5705", "2025-04-29T19:54:46+02:00"),
    ("ja", "ibm-llama-4-scout-model-card", "4488fa49cbb4199e6774cbd9e2872f9c8a7d2e78", "2025-05-05T12:33:48-07:00"),
    ("en", "xai-grok-3-beta-model-card", "7a11628a7b554b8534a2ff223d09561fba986339", "2025-04-30T13:58:29-04:00"),
    ("ja", "xai-grok-3-beta-model-card", "4488fa49cbb4199e6774cbd9e2872f9c8a7d2e78", "2025-05-05T12:33:48-07:00"),
    ("en", "google-gemini-2-5-pro-model-card", "e4ed87c39a8f1e65e549391fe133649a54bf4a4f", "2025-07-25T16:08:42+02:00"),
    ("ja", "google-gemini-2-5-pro-model-card", "07c13986ab4e4282081078764df4cc79ac95c8b5", "2025-07-28T15:33:56+00:00"),
    (
        "en",
        "openai-gpt-5-reasoning-alpha-model-card",
        "cc028a88bee3f8e970d8773b2d3db054594dc49b",
        "2025-08-15T13:35:34-04:00",
    ),
    (
        "ja",
        "openai-gpt-5-reasoning-alpha-model-card",
        "2f3d6881969c222187f3a64c18f84509cfd26bf7",
        "2025-08-19T22:35:36+00:00",
    ),
]
GPT5 = "box-ai/ai-models/openai-gpt-5-reasoning-alpha-model-card"
SONNET = "box-ai/ai-models/aws-claude-3-5-sonnet-model-card"
MODIFIED = [
    # "Fix GPT-5 release date and official docs link": **TBD** -> **August 7th, 2025**, and the link.
    (
        "en",
        GPT5,
        "568171891012263cde88ff2780562afe018f63b1",
        "cc028a88bee3f8e970d8773b2d3db054594dc49b",
        "2025-08-18T18:20:18+02:00",
        [
            ("release_date", None, '"2025-08-07"'),
            ("release_date_precision", None, '"day"'),
            (
                "docs_urls",
                '["https://openai.com/index/introducing-gpt-4-5/"]',
                '["https://openai.com/index/introducing-gpt-5/"]',
            ),
        ],
    ),
    # "update ai model cards": Maximum output tokens **4k tokens** -> **8k tokens**, front matter rank 14 -> 15.
    (
        "en",
        SONNET,
        "dbb75dfbfcbf198f1b08faa10426ab52675d7de3",
        "61d8651c036bbb9efd64c8f8ebc98330a1a983f2",
        "2025-02-26T12:57:59+01:00",
        [("max_output_tokens", "4000", "8000"), ("rank", "14", "15")],
    ),
]


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, request) -> tuple[Path, dict]:
    """Both locales backfilled from the bundle, then a second (incremental) run on top."""
    from tests.conftest import BUNDLE as bundle  # the `bundle` fixture is per test; one backfill serves them all

    if not bundle.exists():
        pytest.skip(f"the real docs history is not here ({bundle} is absent: ../shared ships with CI only)")
    request.getfixturevalue("prefect_harness")
    out = tmp_path_factory.mktemp("history") / "catalog"
    catalog_flow(source=str(bundle), out=str(out), cache_dir=str(out.parent / "cache"), mode="backfill")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    again = catalog_flow(source=str(bundle), out=str(out), cache_dir=str(out.parent / "cache"))
    return out, {"before": before, "again": again}


def test_bundle_removal_of_the_palm_models_in_january_2025(backfilled):
    out, _ = backfilled
    removed = changes(out).filter(pl.col("card_id").is_in(PALM), pl.col("change") == "removed")

    assert removed.sort("locale", "card_id").select("locale", "card_id", "to_commit", "committed_at").rows() == [
        *[(("en", c, "b1b193cccff64d8f6f390b885f59f1539beea84e", utc("2025-01-17T16:51:29+01:00"))) for c in PALM],
        *[(("ja", c, "8f7dc5afd2b51e7d4f202426d3a03f87aa2af132", utc("2025-01-20T12:33:42-08:00"))) for c in PALM],
    ]


@pytest.mark.parametrize(("locale", "name", "commit", "when"), FIRST_SEEN)
def test_bundle_first_seen(backfilled, locale, name, commit, when):
    out, _ = backfilled
    added = changes(out).filter(
        pl.col("locale") == locale, pl.col("card_id") == f"box-ai/ai-models/{name}", pl.col("change") == "added"
    )

    assert added.select("to_commit", "committed_at").rows() == [(commit, utc(when))]


@pytest.mark.parametrize(("locale", "card_id", "commit", "previous", "when", "fields"), MODIFIED)
def test_bundle_modified_field_by_field(backfilled, locale, card_id, commit, previous, when, fields):
    out, _ = backfilled
    rows = changes(out).filter(pl.col("locale") == locale, pl.col("card_id") == card_id, pl.col("to_commit") == commit)

    assert rows.select("field", "old_value", "new_value").rows() == fields
    assert set(rows.select("change", "from_commit", "committed_at").rows()) == {("modified", previous, utc(when))}


def test_bundle_versions_follow_the_changes(backfilled):
    out, _ = backfilled
    versions = pl.read_parquet(out / "model_versions.parquet")
    gpt5 = versions.filter(pl.col("locale") == "en", pl.col("card_id") == GPT5).sort("valid_from")

    assert gpt5.select("release_date", "valid_from", "valid_to", "is_current").rows() == [
        (None, utc("2025-08-15T13:35:34-04:00"), utc("2025-08-18T18:20:18+02:00"), False),
        (date(2025, 8, 7), utc("2025-08-18T18:20:18+02:00"), None, True),
    ]
    palm = versions.filter(pl.col("locale") == "en", pl.col("card_id").is_in(PALM), pl.col("is_current"))
    assert palm.is_empty()


def test_bundle_cards_per_locale_at_the_end(backfilled):
    out, _ = backfilled
    models = pl.read_parquet(out / "models.parquet")
    current = pl.read_parquet(out / "model_versions.parquet").filter(pl.col("is_current"))

    assert models.group_by("locale").len().sort("locale").rows() == [("en", 23), ("ja", 23)]
    assert current.group_by("locale").len().sort("locale").rows() == [("en", 23), ("ja", 23)]
    state = json.loads((out / "state.json").read_text())["locales"]
    assert state["en"]["commit"] == "7a52185e5250d9313f2d0b0eb849cbc3f1ef7cf9"  # main's head: outside the cards
    assert state["en"]["snapshot_commit"] == "568171891012263cde88ff2780562afe018f63b1"


def test_bundle_second_run_appends_nothing(backfilled, check_outputs):
    out, seen = backfilled

    assert seen["again"]["locales"] == []
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == seen["before"]
    check_outputs(out)


def test_bundle_run_on_a_folder_that_stopped_in_january_catches_up_commit_by_commit(backfilled, tmp_path):
    """The docs as they stood in mid-January 2025 are backfilled; a run on the full history then
    records exactly what the full backfill has, each change at its own commit."""
    from tests.conftest import BUNDLE

    full, _ = backfilled
    older = tmp_path / "older.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(BUNDLE), str(older)], check=True)
    for branch, sha in (("main", "cb78eb8"), ("jp", "29e49f7")):  # just before "Remove palm models" on each
        subprocess.run(["git", "-C", str(older), "update-ref", f"refs/heads/{branch}", sha], check=True)
    out, cache = tmp_path / "catalog", str(tmp_path / "cache")
    catalog_flow(source=str(older), out=str(out), cache_dir=cache, mode="backfill")
    assert changes(out).filter(pl.col("card_id").is_in(PALM), pl.col("change") == "removed").is_empty()

    catalog_flow(source=str(BUNDLE), out=str(out), cache_dir=cache)

    for locale in ("en", "ja"):  # appended run after run, so the locales interleave differently
        got, want = (changes(d).filter(pl.col("locale") == locale).drop(VOLATILE) for d in (out, full))
        assert_frame_equal(got, want)
    for name in ("models", "model_versions", "findings"):
        assert_frame_equal(pl.read_parquet(out / f"{name}.parquet"), pl.read_parquet(full / f"{name}.parquet"))
    assert {p.name for p in out.glob("snapshots/*/*")} == {p.name for p in full.glob("snapshots/*/*")}
