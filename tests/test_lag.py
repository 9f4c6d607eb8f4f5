"""Translation lag from literal version tables: each stretch opens and closes where a version does."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from transform.lag import lag_records, translation_lag, why_no_lag
from transform.tables import LAG, LAG_FIELDS, VERSIONS, to_table

CARD = "box-ai/ai-models/acme-alpha-model-card"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def version(locale: str, since: str, until: str | None = None, card: str = CARD, **values) -> dict:
    """A version row of the compared fields that matter here; the rest stay null, as in to_table."""
    row = {"api_name": "acme__alpha", "input_context_tokens": 128_000, "capabilities": ["chat"], **values}
    return {**row, "card_id": card, "locale": locale, "valid_from": at(since), "valid_to": at(until) if until else None}


def card_json(**values) -> str:
    """A whole card's compared fields as `missing_in_*` shows them, in the contract's order."""
    fields = dict.fromkeys(LAG_FIELDS)
    fields.update(api_name="acme__alpha", input_context_tokens=128000, capabilities=["chat"], **values)
    return json.dumps(fields)


AVAILABLE, DEPRECATED = '["available"]', '["deprecated"]'
PROCESSED = {"en": at("2025-03-01"), "ja": at("2025-02-20")}


def stretches(rows: list[dict], processed=PROCESSED) -> list[tuple]:
    return [
        (s.kind, s.field, s.en_value, s.ja_value, s.since, s.until, s.lag_days, s.is_open)
        for s in lag_records(to_table(rows, VERSIONS), processed)
    ]


CASES = {
    "en changes a value, ja catches up five days later": (
        [
            version("en", "2025-01-01", "2025-01-10"),
            version("en", "2025-01-10", input_context_tokens=200_000),
            version("ja", "2025-01-01", "2025-01-15"),
            version("ja", "2025-01-15", input_context_tokens=200_000),
        ],
        [
            (
                "value_differs",
                "input_context_tokens",
                "200000",
                "128000",
                at("2025-01-10"),
                at("2025-01-15"),
                5.0,
                False,
            )
        ],
    ),
    "ja changes first, en follows": (
        [
            version("en", "2025-01-01", "2025-01-08"),
            version("en", "2025-01-08", tier="premium"),
            version("ja", "2025-01-01", "2025-01-05"),
            version("ja", "2025-01-05", tier="premium"),
        ],
        [("value_differs", "tier", None, '"premium"', at("2025-01-05"), at("2025-01-08"), 3.0, False)],
    ),
    "a card added in en and translated a day and a half later": (
        [version("en", "2025-01-01"), version("ja", "2025-01-02T12:00:00")],
        [
            (
                "missing_in_ja",
                None,
                card_json(),
                None,
                at("2025-01-01"),
                at("2025-01-02T12:00:00"),
                1.5,
                False,
            )
        ],
    ),
    "a card removed in en only stays open up to the later locale's last commit": (
        [version("en", "2025-01-01", "2025-02-01"), version("ja", "2025-01-01")],
        [("missing_in_en", None, None, card_json(), at("2025-02-01"), None, 28.0, True)],
    ),
    "a value that differs, agrees, then differs again is two stretches": (
        [
            version("en", "2025-01-01", "2025-01-04", availability=["available"]),
            version("en", "2025-01-04", "2025-01-20", availability=["deprecated"]),
            version("en", "2025-01-20", availability=["available"]),
            version("ja", "2025-01-01", "2025-01-06", availability=["available"]),
            version("ja", "2025-01-06", "2025-01-25", availability=["deprecated"]),
            version("ja", "2025-01-25", availability=["available"]),
        ],
        [
            ("value_differs", "availability", DEPRECATED, AVAILABLE, at("2025-01-04"), at("2025-01-06"), 2.0, False),
            ("value_differs", "availability", AVAILABLE, DEPRECATED, at("2025-01-20"), at("2025-01-25"), 5.0, False),
        ],
    ),
    "a null on one side is a disagreement, and it can last the whole time": (
        [version("en", "2025-01-01", access_level="core"), version("ja", "2025-01-01")],
        [("value_differs", "access_level", '"core"', None, at("2025-01-01"), None, 59.0, True)],
    ),
    "lists that differ only in order agree": (
        [
            version("en", "2025-01-01", compliance=["ISMAP", "FedRAMP Moderate"], capabilities=["chat", "embeddings"]),
            version("ja", "2025-01-01", compliance=["FedRAMP Moderate", "ISMAP"], capabilities=["embeddings", "chat"]),
        ],
        [],
    ),
    "a date compares with its precision": (
        [
            version("en", "2025-01-01", release_date=date(2025, 4, 1), release_date_precision="month"),
            version("ja", "2025-01-01", release_date=date(2025, 4, 1), release_date_precision="day"),
        ],
        [("value_differs", "release_date", '"2025-04"', '"2025-04-01"', at("2025-01-01"), None, 59.0, True)],
    ),
    "a stretch shows the last values it saw while en moved on twice": (
        [
            version("en", "2025-01-01", "2025-01-03"),
            version("en", "2025-01-03", "2025-01-07", max_output_tokens=8_000),
            version("en", "2025-01-07", max_output_tokens=16_000),
            version("ja", "2025-01-01", "2025-01-09"),
            version("ja", "2025-01-09", max_output_tokens=16_000),
        ],
        [("value_differs", "max_output_tokens", "16000", None, at("2025-01-03"), at("2025-01-09"), 6.0, False)],
    ),
    "translated text is not compared": (
        [
            version("en", "2025-01-01", title="Alpha", description="A model.", badges=["Chat"]),
            version("ja", "2025-01-01", title="アルファ", description="モデル。", badges=["チャット"]),
        ],
        [],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_stretches(case):
    rows, expected = CASES[case]
    assert stretches(rows) == expected


def test_a_missing_card_shows_the_present_sides_fields():
    (lag,) = lag_records(to_table([version("ja", "2025-01-01", tier="premium")], VERSIONS), PROCESSED)
    assert lag.kind == "missing_in_en" and lag.field is None and lag.en_value is None
    assert json.loads(lag.ja_value)["tier"] == "premium"
    assert lag.api_name == "acme__alpha"


def test_api_name_is_the_en_one_else_the_ja_one():
    rows = [
        version("en", "2025-01-01", api_name="acme__alpha_2"),
        version("ja", "2025-01-01", api_name="acme__alpha"),
        version("en", "2025-01-01", card="other", api_name=None),
        version("ja", "2025-01-01", card="other", api_name="acme__other"),
    ]
    lags = lag_records(to_table(rows, VERSIONS), PROCESSED)
    assert {(s.card_id, s.api_name) for s in lags} == {(CARD, "acme__alpha_2"), ("other", "acme__other")}


def test_one_locale_only_is_an_empty_table_with_a_reason():
    rows = to_table([version("en", "2025-01-01")], VERSIONS)
    processed = {"en": at("2025-03-01")}
    assert translation_lag(rows, processed).equals(LAG.empty_table())
    assert why_no_lag(processed) == "only en is in the catalog; translation lag compares en with ja"
    assert why_no_lag(PROCESSED) is None


def test_the_table_has_the_contract_schema_and_takes_records_too():
    rows = [version("en", "2025-01-01"), version("ja", "2025-01-02")]
    table = translation_lag(to_table(rows, VERSIONS), PROCESSED)
    assert table.schema.equals(LAG)
    assert translation_lag(rows, PROCESSED).equals(table)


def test_a_version_of_no_length_is_never_active():
    """A snapshot dated before a card's last boundary is moved to it (versions.py): valid_from == valid_to."""
    rows = [
        version("en", "2025-01-01", "2025-01-05"),
        version("en", "2025-01-05", "2025-01-05", tier="premium"),
        version("en", "2025-01-05"),
        version("ja", "2025-01-01"),
    ]
    assert stretches(rows) == []


# The README's DuckDB queries, in Polars: the same logic, checked on a literal table.
def test_the_readme_queries_in_polars():
    rows = [
        version("en", "2025-01-01", "2025-01-10"),
        version("en", "2025-01-10", tier="premium"),
        version("ja", "2025-01-01", "2025-01-12"),
        version("ja", "2025-01-12", tier="premium"),
        version("en", "2025-02-01", card="new-card"),  # open: 28 days up to 2025-03-01
        version("en", "2025-02-25", card="fresh-card"),  # open: 4 days, not a week
    ]
    lag = pl.from_arrow(translation_lag(to_table(rows, VERSIONS), PROCESSED))
    old = lag.filter(pl.col("is_open"), pl.col("lag_days") > 7).sort("lag_days", descending=True)
    assert old.select("card_id", "kind", "lag_days").rows() == [("new-card", "missing_in_ja", 28.0)]
    monthly = (
        lag.filter(~pl.col("is_open"))
        .group_by(pl.col("since").dt.truncate("1mo").alias("month"))
        .agg(pl.len().alias("stretches"), pl.col("lag_days").median().alias("median_days"))
        .sort("month")
    )
    assert monthly.rows() == [(at("2025-01-01"), 1, 2.0)]
