"""What changed between two snapshots of a locale's catalog, field by field.

Values are compared in a canonical JSON form: pills and table rows as sets, so a
reordered table or tile is not a change; everything else as the typed value, so a
formatting-only edit (bold added, spacing) is not a change either.

Cards are matched by KEY. A key that repeats within a snapshot is added or removed once,
with its first row's API name; where it is in both snapshots, every old row is compared
with every new row. A key with a null part matches nothing, as in a join.

The rows are Python dicts: a snapshot has a few dozen cards, where a frame library's
per-call overhead would be most of the cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from transform.tables import COMPARED_FIELDS, KEY, SET_FIELDS

Key = tuple[Any, ...]
Row = Mapping[str, Any]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(field: str, value: Any) -> str | None:
    """JSON text of a compared value; None for null."""
    if value is None:
        return None
    plain = _plain(value)
    if field in SET_FIELDS and isinstance(plain, list):
        plain = sorted({json.dumps(v, ensure_ascii=False, sort_keys=True) for v in plain})
        plain = [json.loads(v) for v in plain]
    return json.dumps(plain, ensure_ascii=False, sort_keys=True)


def _same(old: Any, new: Any) -> bool:
    """True when the values surely have the same canonical text, without computing it.

    Equal values of one type do, except floats: -0.0 == 0.0 but their JSON differs.
    Anything else (NaN, a list against a tuple, reordered pills) is left to `canonical`.
    A list holding floats would need the same care; no compared column holds one (tables.py).
    """
    if old is new:
        return True
    return type(old) is type(new) and old == new and not (type(old) is float and old == 0.0)


def _sort_key(key: Key) -> tuple[tuple[bool, Any], ...]:
    return tuple((part is not None, part or "") for part in key)  # nulls first, as Polars sorts


def _by_key(rows: Iterable[Row]) -> dict[Key, list[Row]]:
    grouped: dict[Key, list[Row]] = {}
    for row in rows:
        key = tuple(row.get(k) for k in KEY)
        group = grouped.get(key)
        if group is None:
            grouped[key] = [row]
        else:
            group.append(row)
    return grouped


def _entry(key: Key, api_name: Any, change: str, field: str | None = None, old=None, new=None) -> dict[str, Any]:
    return {
        **dict(zip(KEY, key, strict=True)),
        "api_name": api_name,
        "change": change,
        "field": field,
        "old_value": old,
        "new_value": new,
    }


def diff_rows(old: Iterable[Row], new: Iterable[Row]) -> list[dict[str, Any]]:
    """Change rows (CHANGES columns up to `new_value`) that turn `old` models rows into `new`.

    Removed cards sorted by KEY, then added ones, then one row per modified field sorted by
    KEY and the models column order (repeated keys: new rows in order, each against the
    old rows in order). A missing column is null, as in `to_frame`.
    """
    before, after = _by_key(old), _by_key(new)
    removed = sorted((k for k in before if None in k or k not in after), key=_sort_key)
    added = sorted((k for k in after if None in k or k not in before), key=_sort_key)
    changes = [_entry(k, before[k][0].get("api_name"), "removed") for k in removed]
    changes += [_entry(k, after[k][0].get("api_name"), "added") for k in added]
    for key in sorted((k for k in after if None not in k and k in before), key=_sort_key):
        old_rows, new_rows = before[key], after[key]
        for field in COMPARED_FIELDS:
            for new_row in new_rows:
                for old_row in old_rows:
                    a, b = old_row.get(field), new_row.get(field)
                    if a is b or _same(a, b):
                        continue
                    a, b = canonical(field, a), canonical(field, b)
                    if a != b:
                        changes.append(_entry(key, new_row.get("api_name"), "modified", field, a, b))
    return changes
