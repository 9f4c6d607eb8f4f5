"""Translation lag: every stretch of time in which `en` and `ja` disagreed about a card.

Read off both locales' version histories, never off one run's changes: a backfill yields every
stretch there ever was, and a run (whose versions are current) keeps the open ones current.

How values show (`en_value`, `ja_value`), so that equal text means equal value:
- JSON text as in `changes`, lists as sorted sets (`diff.canonical`): reordered pills agree.
- A date carries its precision as ISO 8601 reduced text, `"2025-04-14"` (day), `"2025-04"`
  (month), `"2025"` (year); a date that is not the first day of its period (the contract says
  it always is) shows as `{"date": ..., "precision": ...}` rather than losing the day.
- For a card missing in one locale, the present side's value is a JSON object of its compared
  fields, the absent side's is null.
- A stretch lasts as long as the disagreement does, whatever the values in between; it shows
  the last values it saw (an open stretch: the current ones).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from transform.diff import canonical
from transform.tables import (
    LAG,
    LAG_FIELDS,
    MISSING_IN_EN,
    MISSING_IN_JA,
    PRECISION_OF,
    VALUE_DIFFERS,
    Lag,
    records_table,
)

EN, JA = "en", "ja"
DAY_S = 86_400.0
_COLUMNS = ("card_id", "locale", "valid_from", "valid_to", *LAG_FIELDS, *PRECISION_OF.values())

Row = Mapping[str, Any]
_Kind = tuple[str, str | None]  # (kind, field)


def why_no_lag(processed: Mapping[str, datetime]) -> str | None:
    """Why the table is empty whatever the versions say: a locale was never processed. None: it is not."""
    missing = [locale for locale in (EN, JA) if locale not in processed]
    if not missing:
        return None
    have = [locale for locale in (EN, JA) if locale in processed]
    held = f"only {have[0]} is" if have else "no locale is"
    return f"{held} in the catalog; translation lag compares {EN} with {JA}"


def open_lags(lag: pa.Table) -> pa.Table:
    """The lags still open, the longest first (then by card): the order the summary and the reports show."""
    return lag.filter(lag.column("is_open")).sort_by([("lag_days", "descending"), ("card_id", "ascending")])


def _dated(day: date | None, precision: str | None) -> str | None:
    if day is None:
        return None
    if precision == "year" and (day.month, day.day) == (1, 1):
        return json.dumps(f"{day.year:04d}")
    if precision == "month" and day.day == 1:
        return json.dumps(f"{day.year:04d}-{day.month:02d}")
    if precision in (None, "day"):
        return json.dumps(day.isoformat())
    return json.dumps({"date": day.isoformat(), "precision": precision})


def field_value(row: Row, name: str) -> str | None:
    """JSON text of one compared field of a version row; None for null."""
    if name in PRECISION_OF:
        return _dated(row.get(name), row.get(PRECISION_OF[name]))
    return canonical(name, row.get(name))


def _compared(row: Row) -> dict[str, Any]:
    """The version's bounds, api_name and compared values, each value's text computed once."""
    values = {name: field_value(row, name) for name in LAG_FIELDS}
    return {"valid_from": row["valid_from"], "valid_to": row["valid_to"], "api_name": row["api_name"], "values": values}


def _card_value(values: Mapping[str, str | None]) -> str:
    return json.dumps(
        {name: None if text is None else json.loads(text) for name, text in values.items()}, ensure_ascii=False
    )


def _active(rows: Sequence[Row], at: datetime) -> Row | None:
    """The version valid at `at`: from `valid_from` up to, not including, `valid_to`."""
    for row in rows:
        if row["valid_from"] <= at and (row["valid_to"] is None or at < row["valid_to"]):
            return row
    return None


def _disagreements(en: Row | None, ja: Row | None) -> dict[_Kind, tuple[str | None, str | None, str | None]]:
    """(kind, field) -> (en_value, ja_value, api_name) for one moment."""
    if en is None and ja is None:
        return {}
    if ja is None:
        return {(MISSING_IN_JA, None): (_card_value(en["values"]), None, en["api_name"])}  # type: ignore[index]
    if en is None:
        return {(MISSING_IN_EN, None): (None, _card_value(ja["values"]), ja["api_name"])}
    api_name = en["api_name"] if en["api_name"] is not None else ja["api_name"]
    found = {}
    for name in LAG_FIELDS:
        a, b = en["values"][name], ja["values"][name]
        if a != b:
            found[(VALUE_DIFFERS, name)] = (a, b, api_name)
    return found


def _days(since: datetime, until: datetime) -> float:
    return max(0.0, (until - since).total_seconds() / DAY_S)


def _card_stretches(card_id: str, en: Sequence[Row], ja: Sequence[Row], end: datetime) -> list[Lag]:
    """Walk the card's version boundaries in both locales; a disagreement opens and closes at them."""
    times = sorted({t for row in (*en, *ja) for t in (row["valid_from"], row["valid_to"]) if t is not None})
    opened: dict[_Kind, tuple[datetime, tuple[str | None, str | None, str | None]]] = {}
    stretches = []
    for at in times:
        now = _disagreements(_active(en, at), _active(ja, at))
        for key in [k for k in opened if k not in now]:
            since, (en_value, ja_value, api_name) = opened.pop(key)
            stretches.append(Lag(card_id, api_name, *key, en_value, ja_value, since, at, _days(since, at), False))
        for key, values in now.items():
            opened[key] = (opened[key][0] if key in opened else at, values)
    for key, (since, (en_value, ja_value, api_name)) in opened.items():
        stretches.append(Lag(card_id, api_name, *key, en_value, ja_value, since, None, _days(since, end), True))
    return stretches


def lag_records(versions: pa.Table | Iterable[Row], processed: Mapping[str, datetime]) -> list[Lag]:
    """Every stretch of every card, by card and start; `processed` is each locale's last processed commit time.

    An open stretch is measured up to the later of the two; with a locale not processed at all
    there is nothing to compare (`why_no_lag`).
    """
    if why_no_lag(processed) is not None:
        return []
    rows = versions.select(list(_COLUMNS)).to_pylist() if isinstance(versions, pa.Table) else versions
    by_card: dict[str, dict[str, list[Row]]] = {}
    for row in rows:
        if row["locale"] in (EN, JA) and row["card_id"] is not None and row["valid_from"] is not None:
            by_card.setdefault(row["card_id"], {EN: [], JA: []})[row["locale"]].append(_compared(row))
    end = max(processed[EN], processed[JA])
    stretches = []
    for card_id, sides in sorted(by_card.items()):
        en, ja = (sorted(sides[loc], key=lambda r: r["valid_from"]) for loc in (EN, JA))
        stretches += _card_stretches(card_id, en, ja, end)
    return sorted(stretches, key=lambda s: (s.card_id, s.since, s.kind, s.field or ""))


def version_moves(versions: pa.Table | Iterable[Row]) -> set[tuple[str, str, datetime]]:
    """(locale, card_id, time) of every version boundary: which side moved when a stretch began."""
    rows = (
        versions.select(["card_id", "locale", "valid_from", "valid_to"]).to_pylist()
        if isinstance(versions, pa.Table)
        else versions
    )
    return {(r["locale"], r["card_id"], t) for r in rows for t in (r["valid_from"], r["valid_to"]) if t is not None}


def trailing_locale(lag: Lag, moves: set[tuple[str, str, datetime]]) -> str:
    """The side that has not caught up: the absent one, else the one that did not move when the stretch began."""
    if lag.kind != VALUE_DIFFERS:
        return JA if lag.kind == MISSING_IN_JA else EN
    return EN if (JA, lag.card_id, lag.since) in moves and (EN, lag.card_id, lag.since) not in moves else JA


def translation_lag(versions: pa.Table | Iterable[Row], processed: Mapping[str, datetime]) -> pa.Table:
    """The `translation_lag` table (LAG schema) of both locales' versions."""
    return records_table(lag_records(versions, processed), LAG)
