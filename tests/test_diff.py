"""diff_rows on tiny literal rows: one row per changed field, values as JSON text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transform.diff import canonical, diff_rows
from transform.tables import CHANGES, COMPARED_FIELDS, MODELS, to_frame

T1 = datetime(2025, 2, 1, 10, 0, tzinfo=UTC)
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
ALPHA = "box-ai/ai-models/alpha-model-card"
BETA = "box-ai/ai-models/beta-model-card"
GAMMA = "box-ai/ai-models/gamma-model-card"


def card(card_id: str = ALPHA, locale: str = "en", **values: Any) -> dict[str, Any]:
    """A models row with typical values; `values` override columns."""
    row: dict[str, Any] = {
        "card_id": card_id,
        "locale": locale,
        "api_name": "acme__alpha",
        "model_name": "Acme Alpha",
        "title": "Acme Alpha",
        "description": "A test model.",
        "category": "standard",
        "release_date": date(2025, 4, 14),
        "release_date_precision": "day",
        "knowledge_cutoff": None,
        "knowledge_cutoff_precision": None,
        "input_context_tokens": 128_000,
        "throughput_tps_low": 87.5,
        "throughput_tps_high": 87.5,
        "open_source": False,
        "ip_infringement_protection": None,
        "docs_urls": ["https://example.com/a", "https://example.com/b"],
        "rank": 1,
        "extra": [{"key": "Region", "value": "US"}, {"key": "Vision", "value": "Yes"}],
        "input_context_tokens_raw": "128k tokens",
        "availability": ["preview"],
        "tier": "standard",
        "capabilities": ["chat"],
        "compliance": ["FedRAMP Moderate", "ISMAP"],
        "default_for": ["Box AI Extract", "Box Notes"],
        "badges": ["Chat", "Preview", "Standard"],
        "source_commit": "c0",
        "source_path": f"content/guides/{card_id}.md",
        "committed_at": datetime(2025, 1, 10, 10, 0, tzinfo=UTC),
    }
    row.update(values)
    return row


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return to_frame(rows, MODELS)


def diff(old: list[dict[str, Any]] | None, new: list[dict[str, Any]]) -> pl.DataFrame:
    """Change rows as replay writes them: typed through the models table first, as rows are stored."""
    meta = {"from_commit": None if old is None else "c0", "to_commit": "c1", "committed_at": T1}
    meta |= {"detected_at": NOW, "run_id": "run-1"}
    delta = diff_rows(frame(*(old or [])).to_dicts(), frame(*new).to_dicts())
    return to_frame([{**row, **meta} for row in delta], CHANGES)


def modified(changes: pl.DataFrame) -> list[tuple[str, str | None, str | None]]:
    assert set(changes["change"].to_list()) <= {"modified"}
    return [(r["field"], r["old_value"], r["new_value"]) for r in changes.iter_rows(named=True)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param({}, {}, [], id="identical"),
        pytest.param(
            {"input_context_tokens": 128_000},
            {"input_context_tokens": 200_000},
            [("input_context_tokens", "128000", "200000")],
            id="tokens",
        ),
        pytest.param(
            {},
            {"release_date": date(2025, 5, 1), "release_date_precision": "month"},
            [("release_date", '"2025-04-14"', '"2025-05-01"'), ("release_date_precision", '"day"', '"month"')],
            id="date-and-precision-one-row-each",
        ),
        pytest.param(
            {},
            {"availability": ["available"], "badges": ["Standard", "Available", "Chat"]},
            [
                ("availability", '["preview"]', '["available"]'),
                ("badges", '["Chat", "Preview", "Standard"]', '["Available", "Chat", "Standard"]'),
            ],
            id="pill-preview-to-available",
        ),
        pytest.param(
            {},
            {
                "badges": ["Standard", "Chat", "Preview"],
                "compliance": ["ISMAP", "FedRAMP Moderate"],
                "default_for": ["Box Notes", "Box AI Extract"],
                "availability": ["preview", "preview"],
            },
            [],
            id="reordered-pills-are-no-change",
        ),
        pytest.param(
            {},
            {"extra": [{"key": "Vision", "value": "Yes"}, {"key": "Region", "value": "US"}]},
            [],
            id="reordered-extra-rows-are-no-change",
        ),
        pytest.param(
            {},
            {"extra": [{"key": "Region", "value": "EU"}, {"key": "Vision", "value": "Yes"}]},
            [
                (
                    "extra",
                    '[{"key": "Region", "value": "US"}, {"key": "Vision", "value": "Yes"}]',
                    '[{"key": "Region", "value": "EU"}, {"key": "Vision", "value": "Yes"}]',
                )
            ],
            id="extra-value",
        ),
        pytest.param(
            {},
            {"docs_urls": ["https://example.com/b", "https://example.com/a"]},
            [
                (
                    "docs_urls",
                    '["https://example.com/a", "https://example.com/b"]',
                    '["https://example.com/b", "https://example.com/a"]',
                )
            ],
            id="docs-urls-reorder-is-a-change",
        ),
        pytest.param({}, {"knowledge_cutoff_precision": None}, [], id="null-equals-null"),
        pytest.param(
            {},
            {"knowledge_cutoff": date(2024, 5, 1), "knowledge_cutoff_precision": "month"},
            [("knowledge_cutoff", None, '"2024-05-01"'), ("knowledge_cutoff_precision", None, '"month"')],
            id="null-to-value",
        ),
        pytest.param(
            {}, {"input_context_tokens": None}, [("input_context_tokens", "128000", None)], id="value-to-null"
        ),
        pytest.param({}, {"open_source": None}, [("open_source", "false", None)], id="false-to-null"),
        pytest.param(
            {},
            {"ip_infringement_protection": False},
            [("ip_infringement_protection", None, "false")],
            id="null-to-false",
        ),
        pytest.param({}, {"open_source": True}, [("open_source", "false", "true")], id="bool"),
        pytest.param(
            {},
            {"throughput_tps_low": 50.0, "throughput_tps_high": 100.0},
            [("throughput_tps_low", "87.5", "50.0"), ("throughput_tps_high", "87.5", "100.0")],
            id="throughput-range",
        ),
        pytest.param(
            {"throughput_tps_low": 0.0},
            {"throughput_tps_low": -0.0},
            [("throughput_tps_low", "0.0", "-0.0")],
            id="negative-zero-is-another-value",
        ),
        pytest.param(
            {"throughput_tps_low": float("nan")}, {"throughput_tps_low": float("nan")}, [], id="nan-equals-nan"
        ),
        pytest.param({}, {"capabilities": []}, [("capabilities", '["chat"]', "[]")], id="list-to-empty"),
        pytest.param(
            {"capabilities": None}, {"capabilities": []}, [("capabilities", None, "[]")], id="null-list-to-empty"
        ),
        pytest.param(
            {},
            {"description": "日本語の説明。"},
            [("description", '"A test model."', '"日本語の説明。"')],
            id="unicode-as-is",
        ),
        pytest.param(
            {},
            {
                "source_commit": "c1",
                "source_path": "content/guides/box-ai/ai-models/moved.md",
                "committed_at": T1,
                "input_context_tokens_raw": "**128,000 tokens**",
                "category_raw": "Standard",
            },
            [],
            id="not-compared-columns",
        ),
    ],
)
def test_modified_fields(old, new, expected):
    assert modified(diff([card(**old)], [card(**new)])) == expected


def test_rows_follow_the_models_column_order():
    changes = diff([card()], [card(tier="premium", api_name="acme__alpha_2", rank=2, title="Acme Alpha 2")])

    assert changes["field"].to_list() == ["api_name", "title", "rank", "tier"]
    assert [COMPARED_FIELDS.index(f) for f in changes["field"]] == sorted(
        COMPARED_FIELDS.index(f) for f in changes["field"]
    )


def test_added_removed_and_modified_with_all_columns():
    old = [card(ALPHA), card(BETA, api_name="acme__beta")]
    new = [card(BETA, api_name="acme__beta", rank=2), card(GAMMA, api_name="acme__gamma")]

    changes = diff(old, new)

    meta = {"from_commit": "c0", "to_commit": "c1", "committed_at": T1, "detected_at": NOW, "run_id": "run-1"}
    expected = to_frame(
        [
            {"locale": "en", "card_id": ALPHA, "api_name": "acme__alpha", "change": "removed", **meta},
            {"locale": "en", "card_id": GAMMA, "api_name": "acme__gamma", "change": "added", **meta},
            {
                "locale": "en",
                "card_id": BETA,
                "api_name": "acme__beta",
                "change": "modified",
                "field": "rank",
                "old_value": "1",
                "new_value": "2",
                **meta,
            },
        ],
        CHANGES,
    )
    assert_frame_equal(changes, expected)


def test_modified_rows_carry_the_new_api_name():
    changes = diff([card(api_name="acme__alpha")], [card(api_name="acme__alpha_v2")])

    assert changes.select("api_name", "field", "old_value", "new_value").rows() == [
        ("acme__alpha_v2", "api_name", '"acme__alpha"', '"acme__alpha_v2"')
    ]


def test_first_snapshot_is_all_added_with_no_from_commit():
    changes = diff(None, [card(BETA, api_name="acme__beta"), card(ALPHA)])

    assert changes.select("card_id", "change", "field", "from_commit").rows() == [
        (ALPHA, "added", None, None),
        (BETA, "added", None, None),
    ]


def test_a_repeated_key_is_added_once_and_compared_row_by_row():
    added = diff(None, [card(BETA, api_name="acme__beta"), card(BETA, api_name="acme__beta_2")])
    assert added.select("card_id", "api_name", "change").rows() == [(BETA, "acme__beta", "added")]

    changes = diff([card(rank=1)], [card(rank=2, api_name="acme__alpha_2"), card(rank=3)])

    assert changes.select("api_name", "field", "old_value", "new_value").rows() == [
        ("acme__alpha_2", "api_name", '"acme__alpha"', '"acme__alpha_2"'),
        ("acme__alpha_2", "rank", "1", "2"),
        ("acme__alpha", "rank", "1", "3"),
    ]


def test_same_card_in_another_locale_is_another_key():
    changes = diff([card(locale="en")], [card(locale="en"), card(locale="ja")])

    assert changes.select("locale", "card_id", "change").rows() == [("ja", ALPHA, "added")]


def test_empty_new_snapshot_removes_everything():
    changes = diff([card()], [])

    assert changes.select("card_id", "change", "api_name").rows() == [(ALPHA, "removed", "acme__alpha")]


def test_schema_is_the_contract_even_when_empty():
    changes = diff([card()], [card()])

    assert changes.is_empty()
    assert changes.to_arrow().schema.names == CHANGES.names


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("badges", ["b", "a", "a"], '["a", "b"]'),
        ("docs_urls", ["b", "a"], '["b", "a"]'),
        ("extra", [{"value": "1", "key": "k"}], '[{"key": "k", "value": "1"}]'),
        ("release_date", date(2025, 1, 2), '"2025-01-02"'),
        ("title", "Ünïcode", '"Ünïcode"'),
        ("title", None, None),
    ],
)
def test_canonical(field, value, expected):
    assert canonical(field, value) == expected
