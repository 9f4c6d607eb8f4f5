"""What changed between two snapshots of a locale's catalog, field by field.

Values are compared in a canonical JSON form: pills and table rows as sets, so a
reordered table or tile is not a change; everything else as the typed value, so a
formatting-only edit (bold added, spacing) is not a change either.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import polars as pl

from output.tables import CHANGES, COMPARED_FIELDS, KEY, SET_FIELDS, to_frame

LONG_SCHEMA = {"card_id": pl.String, "locale": pl.String, "api_name": pl.String, "field": pl.String, "value": pl.String}


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


def to_long(models: pl.DataFrame) -> pl.DataFrame:
    """One row per (card, field) with the canonical value: the shape a field-level join wants."""
    records = [
        {
            "card_id": row["card_id"],
            "locale": row["locale"],
            "api_name": row["api_name"],
            "field": field,
            "value": canonical(field, row[field]),
        }
        for row in models.iter_rows(named=True)
        for field in COMPARED_FIELDS
    ]
    return pl.DataFrame(records, schema=LONG_SCHEMA)


def diff_snapshots(
    old: pl.DataFrame | None,
    new: pl.DataFrame,
    *,
    from_commit: str | None,
    to_commit: str,
    committed_at: datetime,
    detected_at: datetime,
    run_id: str,
) -> pl.DataFrame:
    """Change rows (CHANGES schema) that turn `old` into `new`; `old` None means first snapshot."""
    meta = {
        "from_commit": from_commit,
        "to_commit": to_commit,
        "committed_at": committed_at,
        "detected_at": detected_at,
        "run_id": run_id,
    }
    old_long = to_long(old) if old is not None else pl.DataFrame(schema=LONG_SCHEMA)
    new_long = to_long(new)
    old_keys = old_long.select(*KEY, "api_name").unique(KEY, maintain_order=True)
    new_keys = new_long.select(*KEY, "api_name").unique(KEY, maintain_order=True)
    added = new_keys.join(old_keys, on=list(KEY), how="anti").with_columns(change=pl.lit("added"))
    removed = old_keys.join(new_keys, on=list(KEY), how="anti").with_columns(change=pl.lit("removed"))
    field_order = pl.DataFrame({"field": list(COMPARED_FIELDS), "order": range(len(COMPARED_FIELDS))})
    modified = (
        old_long.join(new_long, on=[*KEY, "field"], how="inner", suffix="_new")
        .filter(pl.col("value").ne_missing(pl.col("value_new")))
        .join(field_order, on="field")
        .sort([*KEY, "order"])
        .select(
            *KEY,
            pl.col("api_name_new").alias("api_name"),
            pl.lit("modified").alias("change"),
            "field",
            pl.col("value").alias("old_value"),
            pl.col("value_new").alias("new_value"),
        )
    )
    rows = [
        *(dict(r, field=None, old_value=None, new_value=None, **meta) for r in removed.sort(KEY).to_dicts()),
        *(dict(r, field=None, old_value=None, new_value=None, **meta) for r in added.sort(KEY).to_dicts()),
        *(dict(r, **meta) for r in modified.to_dicts()),
    ]
    return to_frame(rows, CHANGES)
