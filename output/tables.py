"""Explicit PyArrow schemas of every table the catalog writes (see CONTRACT.md).

Types are never inferred from data: an all-null column still has its contract type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:  # Polars loads on first use: a run with nothing new never needs it
    import polars as pl

STRING, INT, FLOAT, BOOL, DATE = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(STRING)
EXTRA = pa.list_(pa.struct([("key", STRING), ("value", STRING)]))

CHANGE_KINDS = ("added", "removed", "modified")  # the `change` column of `changes`

RAW_FIELDS = (
    "category",
    "release_date",
    "knowledge_cutoff",
    "input_context_tokens",
    "max_output_tokens",
    "throughput",
    "open_source",
    "ip_infringement_protection",
)

MODELS = pa.schema(
    [
        ("card_id", STRING),
        ("locale", STRING),
        ("api_name", STRING),
        ("model_name", STRING),
        ("title", STRING),
        ("description", STRING),
        ("category", STRING),
        ("hosting_layer", STRING),
        ("provider", STRING),
        ("release_date", DATE),
        ("release_date_precision", STRING),
        ("knowledge_cutoff", DATE),
        ("knowledge_cutoff_precision", STRING),
        ("input_context_tokens", INT),
        ("max_output_tokens", INT),
        ("throughput_tps_low", FLOAT),
        ("throughput_tps_high", FLOAT),
        ("open_source", BOOL),
        ("ip_infringement_protection", BOOL),
        ("docs_urls", STRINGS),
        ("rank", INT),
        ("extra", EXTRA),
        *[(f"{name}_raw", STRING) for name in RAW_FIELDS],
        ("tile_api_name", STRING),
        ("tile_description", STRING),
        ("index_section", STRING),
        ("access_level", STRING),
        ("availability", STRINGS),
        ("deprecated_on", DATE),
        ("tier", STRING),
        ("capabilities", STRINGS),
        ("compliance", STRINGS),
        ("default_for", STRINGS),
        ("badges", STRINGS),
        ("source_commit", STRING),
        ("source_path", STRING),
        ("committed_at", TIMESTAMP),
    ]
)

KEY = ("card_id", "locale")
NOT_COMPARED = {"source_commit", "source_path", "committed_at", *(f"{n}_raw" for n in RAW_FIELDS)}
COMPARED_FIELDS = tuple(name for name in MODELS.names if name not in NOT_COMPARED and name not in KEY)
# Pills have no order on the page that means anything; tables can be reordered.
SET_FIELDS = frozenset({"availability", "capabilities", "compliance", "default_for", "badges", "extra"})

CHANGES = pa.schema(
    [
        ("locale", STRING),
        ("card_id", STRING),
        ("api_name", STRING),
        ("change", STRING),
        ("field", STRING),
        ("old_value", STRING),
        ("new_value", STRING),
        ("from_commit", STRING),
        ("to_commit", STRING),
        ("committed_at", TIMESTAMP),
        ("detected_at", TIMESTAMP),
        ("run_id", STRING),
    ]
)

VERSIONS = pa.schema(
    [*MODELS, pa.field("valid_from", TIMESTAMP), pa.field("valid_to", TIMESTAMP), pa.field("is_current", BOOL)]
)

FINDINGS = pa.schema(
    [
        ("locale", STRING),
        ("card_id", STRING),
        ("source_path", STRING),
        ("severity", STRING),
        ("code", STRING),
        ("message", STRING),
        ("source_commit", STRING),
    ]
)


def to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (dicts) to a table of exactly `schema`; missing keys are null."""
    rows = list(rows)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.table(columns, schema=schema)


def to_frame(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pl.DataFrame:
    """Rows to a Polars frame whose dtypes come from the Arrow schema."""
    import polars as pl

    return pl.from_arrow(to_table(rows, schema))  # type: ignore[return-value]


def frame_to_table(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """A Polars frame back to Arrow, cast to the contract schema (Polars writes large types)."""
    return frame.select(schema.names).to_arrow().cast(schema)


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()
