"""What the run's artifacts say: readable values, links, every change whatever the alert filter."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from output import reports
from transform.tables import CHANGES, MODELS, to_table

WHEN = datetime(2025, 2, 1, 10, tzinfo=UTC)


def model(card: str, locale: str = "en", **values) -> dict:
    return {"card_id": f"box-ai/ai-models/{card}", "locale": locale, "api_name": f"acme__{card}", **values}


def change(card: str, kind: str, field: str | None = None, old: str | None = None, new: str | None = None) -> dict:
    return {
        "locale": "en",
        "card_id": f"box-ai/ai-models/{card}",
        "api_name": f"acme__{card}",
        "change": kind,
        "field": field,
        "old_value": old,
        "new_value": new,
        "from_commit": "a" * 40,
        "to_commit": "c" * 40,
        "committed_at": WHEN,
        "detected_at": WHEN,
        "run_id": "run-1",
    }


@pytest.mark.parametrize(
    ("field", "value", "precision", "text"),
    [
        ("input_context_tokens", 200_000, None, "200k"),
        ("max_output_tokens", 1_000_000, None, "1M"),
        ("input_context_tokens", 1_047_576, None, "1.05M"),
        ("max_output_tokens", 512, None, "512"),
        ("release_date", date(2025, 4, 14), "day", "2025-04-14"),
        ("release_date", date(2025, 4, 1), "month", "2025-04"),
        ("knowledge_cutoff", date(2021, 1, 1), "year", "2021"),
        ("capabilities", ["chat", "embeddings"], None, "chat, embeddings"),
        ("open_source", False, None, "no"),
        ("throughput_tps_low", 163.0, None, "163"),
        ("tier", None, None, ""),
    ],
)
def test_values_read_as_people_write_them(field, value, precision, text):
    assert reports.readable(field, value, precision) == text


def test_catalog_rows_are_readable_and_link_each_model_to_its_docs_page():
    models = to_table(
        [
            model("b", rank=2, model_name="Acme B", input_context_tokens=128_000, availability=["preview"]),
            model("a", rank=1, model_name="Acme A", release_date=date(2024, 5, 1), release_date_precision="month"),
            model("a", "ja", rank=1, model_name="エー"),
        ],
        MODELS,
    )
    rows = reports.catalog_rows(models, "en")
    assert [(r["model"], r["context window"], r["availability"], r["released"]) for r in rows] == [
        ("Acme A", "", "", "2024-05"),
        ("Acme B", "128k", "preview", ""),
    ]
    assert rows[0]["docs"] == "https://developer.box.com/guides/box-ai/ai-models/a/"
    [ja] = reports.catalog_rows(models, "ja")
    assert ja["docs"] == "https://developer.box.com/ja/guides/box-ai/ai-models/a/"


def test_changes_markdown_lists_every_change_with_names_readable_values_and_commit_links():
    models = to_table([model("a", model_name="Acme A"), model("g", model_name="Acme G")], MODELS)
    changes = [
        change("g", "added"),
        change("a", "modified", "input_context_tokens", "128000", "200000"),
        change("a", "modified", "availability", '["preview"]', '["available"]'),
        change("a", "modified", "tier", None, '"a|b"'),
    ]
    link = reports.commit_link("https://github.com/acme/docs.git")
    text = reports.changes_markdown(changes, models, link, title="Changes")

    commit = f"[`cccccccccc`](https://github.com/acme/docs/commit/{'c' * 40})"
    assert "1 added, 0 removed, 3 modified fields." in text
    assert f"| en | [Acme G](https://developer.box.com/guides/box-ai/ai-models/g/) | `acme__g` | {commit} |" in text
    page = "https://developer.box.com/guides/box-ai/ai-models/a/"
    assert f"| en | [Acme A]({page}) | input_context_tokens | 128k → 200k | {commit} |" in text
    assert f"| en | [Acme A]({page}) | availability | preview → available | {commit} |" in text
    assert f"| en | [Acme A]({page}) | tier | null → a\\|b | {commit} |" in text


def test_a_commit_links_only_where_the_source_has_a_known_web_host():
    assert reports.commit_link("https://gitlab.com/acme/docs")("f" * 40) == (
        f"[`ffffffffff`](https://gitlab.com/acme/docs/-/commit/{'f' * 40})"
    )
    assert reports.commit_link("/srv/docs.bundle")("f" * 40) == "`ffffffffff`"
    assert reports.commit_link("git@github.com:acme/docs.git")("f" * 40) == "`ffffffffff`"


def test_a_run_without_changes_says_so():
    text = reports.changes_markdown([], to_table([], MODELS), reports.commit_link(""), title="Changes")
    assert text == "# Changes\n\nNothing changed in this run.\n"


def test_replay_summary_counts_models_and_the_stretch_of_history():
    models = to_table([model("a"), model("b"), model("a", "ja")], MODELS)
    early = change("a", "added") | {"committed_at": datetime(2024, 6, 1, tzinfo=UTC)}
    text = reports.replay_summary_markdown([early, change("b", "added")], models, ["en", "ja"], title="Built")
    assert text.splitlines() == [
        "# Built",
        "",
        "- **en**: 2 models; 2 changes replayed, 2024-06-01 to 2025-02-01",
        "- **ja**: 1 model",
    ]


def test_run_changes_are_the_rows_of_this_run_only():
    table = to_table([change("a", "added"), change("b", "added") | {"run_id": "run-0"}], CHANGES)
    assert [r["card_id"] for r in reports.run_changes(table, "run-1")] == ["box-ai/ai-models/a"]


def test_artifact_keys_differ_per_catalog_and_are_valid_keys():
    one, two = reports.artifact_key("/srv/a", "changes"), reports.artifact_key("s3://b/c", "changes")
    assert one != two
    assert all(c.islower() or c.isdigit() or c == "-" for c in one + two)


def test_open_translation_lags_are_listed_oldest_first():
    from transform.tables import LAG, Lag, records_table

    lags = records_table(
        [
            Lag(
                "box-ai/ai-models/a",
                "acme__a",
                "value_differs",
                "tier",
                '"premium"',
                '"standard"',
                WHEN,
                None,
                3.0,
                True,
            ),
            Lag("box-ai/ai-models/g", "acme__g", "missing_in_ja", None, "{}", None, WHEN, None, 12.5, True),
            Lag("box-ai/ai-models/b", "acme__b", "value_differs", "rank", "1", "2", WHEN, WHEN, 9.0, False),
        ],
        LAG,
    )
    text = reports.lag_markdown(lags)
    assert text.splitlines()[1:] == [
        "## Translation lag: 2 open",
        "",
        "| card | what | en → ja | for |",
        "|---|---|---|---|",
        "| acme__g | missing in ja | {} → absent | 12.5 days |",
        '| acme__a | tier | "premium" → "standard" | 3.0 days |',
    ]
    assert reports.lag_markdown(LAG.empty_table()) == ""
