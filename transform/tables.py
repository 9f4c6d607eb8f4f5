"""Every table of the contract (see CONTRACT.md): its explicit PyArrow schema and, where rows are
built one by one, its row type, defined once.

They live in transform because transform makes every one of them; output only writes and reads
them back. A row type's schema is read off its dataclass through a closed table of Python to
Arrow types, so the columns are written down once and never inferred from data.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa

if TYPE_CHECKING:  # Polars loads on first use: a run with nothing new never needs it
    import polars as pl

STRING, INT, FLOAT, BOOL, DATE = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()
TIMESTAMP = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(STRING)
EXTRA = pa.list_(pa.struct([("key", STRING), ("value", STRING)]))

_ARROW_TYPES: dict[Any, pa.DataType] = {
    str: STRING,
    int: INT,
    float: FLOAT,
    bool: BOOL,
    date: DATE,
    datetime: TIMESTAMP,
}
_Record = TypeVar("_Record")


def _arrow_type(hint: Any) -> pa.DataType:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return _arrow_type(args[0])  # `X | None`: every column is nullable
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return pa.list_(_arrow_type(args[0]))
    if dataclasses.is_dataclass(hint):
        return pa.struct(list(record_schema(hint)))  # type: ignore[arg-type]
    if hint not in _ARROW_TYPES:
        raise TypeError(f"no contract type for {hint!r}")
    return _ARROW_TYPES[hint]


def record_schema(cls: type) -> pa.Schema:
    """The Arrow schema of a row dataclass, column by column in field order."""
    hints = typing.get_type_hints(cls)
    return pa.schema(
        [
            # `added` marks a column older files lack: they read it as null (output.store).
            pa.field(f.name, _arrow_type(hints[f.name]), metadata=dict(f.metadata) if f.metadata else None)
            for f in dataclasses.fields(cls)
        ]
    )


# -- models, changes, versions -----------------------------------------------------------------

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


# -- findings ------------------------------------------------------------------------------------

ERROR = "error"
WARNING = "warning"
# Warnings for values placed by inference rather than a known word: the catalog is right, and
# the finding says which word the vocabulary could learn (docs/READING.md).
PILL_BY_SYNONYM = "pill-by-synonym"
PILL_BY_HEAD_WORD = "pill-by-head-word"
PILL_BY_COMPLIANCE_FAMILY = "pill-by-compliance-family"
PILL_BY_MARKUP = "pill-by-markup"
LABEL_BY_SYNONYM = "label-by-synonym"
INFERENCE_CODES = (PILL_BY_SYNONYM, PILL_BY_HEAD_WORD, PILL_BY_COMPLIANCE_FAMILY, PILL_BY_MARKUP, LABEL_BY_SYNONYM)


@dataclass(frozen=True)
class Finding:
    """One data-quality problem of a locale's latest snapshot, with a stable code to filter on."""

    locale: str
    card_id: str | None
    source_path: str | None
    severity: str
    code: str
    message: str
    source_commit: str | None


FINDINGS = record_schema(Finding)


def finding(
    code: str,
    message: str,
    *,
    locale: str,
    commit: str | None,
    card_id: str | None = None,
    path: str | None = None,
    severity: str = WARNING,
) -> Finding:
    return Finding(locale, card_id, path, severity, code, message, commit)


# -- translation lag -----------------------------------------------------------------------------

VALUE_DIFFERS, MISSING_IN_JA, MISSING_IN_EN = "value_differs", "missing_in_ja", "missing_in_en"
# Fields whose typed value does not depend on the language; a date is compared with its precision.
LAG_FIELDS = (
    "api_name",
    "category",
    "release_date",
    "knowledge_cutoff",
    "input_context_tokens",
    "max_output_tokens",
    "throughput_tps_low",
    "throughput_tps_high",
    "open_source",
    "ip_infringement_protection",
    "rank",
    "tile_api_name",
    "access_level",
    "availability",
    "deprecated_on",
    "tier",
    "capabilities",
    "compliance",
)
PRECISION_OF = {"release_date": "release_date_precision", "knowledge_cutoff": "knowledge_cutoff_precision"}


@dataclass(frozen=True)
class Lag:
    """One stretch of time in which `en` and `ja` disagreed about a card."""

    card_id: str
    api_name: str | None
    kind: str
    field: str | None  # set exactly for `value_differs`
    en_value: str | None  # JSON text, the last value during the stretch
    ja_value: str | None
    since: datetime
    until: datetime | None  # None while open
    lag_days: float
    is_open: bool


LAG = record_schema(Lag)


# -- the alert outbox ----------------------------------------------------------------------------

# Delivery status of an alert. Only `pending` is ever sent.
PENDING = "pending"  # to be sent; stays so across runs until the endpoint accepts it
DELIVERED = "delivered"  # accepted (2xx); never sent again
REJECTED = "rejected"  # refused with a 4xx: a permanent failure, not retried
SUPPRESSED = "suppressed"  # recorded by a baseline or backfill: nothing is sent
NO_WEBHOOK = "no_webhook"  # recorded while nothing was configured to send to: events and artifact only
ALERT_STATUSES = (PENDING, DELIVERED, REJECTED, SUPPRESSED, NO_WEBHOOK)
LAG_ALERT = "translation_lag"  # an alert's `change` for a translation lag open too long
ALERT_KINDS = (*CHANGE_KINDS, LAG_ALERT)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old_value: str | None  # JSON text, as in changes.parquet
    new_value: str | None


@dataclass(frozen=True)
class Notification:
    """What became of one alert at one destination (the webhook, or a Prefect notification block)."""

    destination: str  # `webhook https://host` or `block slack-webhook/name`: never a secret
    status: str  # pending, delivered or rejected
    attempts: int = 0
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Alert:
    """One model's change in one locale at one commit, and what became of it.

    A `translation_lag` alert is one stretch (translation_lag.parquet) open too long: `locale` is
    the side that trails, `committed_at` when the stretch began, `to_commit` the head it was measured
    to, and its one field holds the en value as `old_value` and the ja value as `new_value`.
    """

    alert_id: str
    change: str
    locale: str
    card_id: str
    api_name: str | None
    model_name: str | None
    fields: tuple[FieldChange, ...]
    from_commit: str | None
    to_commit: str
    committed_at: datetime
    detected_at: datetime
    run_id: str
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    announced_at: datetime | None = None
    # JSON text of the model's attributes at `committed_at` (MODEL_ATTRIBUTES), for events and messages.
    model: str | None = dataclasses.field(default=None, metadata={"added": "0.2"})
    # One record per destination tried; the columns above sum them up across destinations.
    notifications: tuple[Notification, ...] = dataclasses.field(default=(), metadata={"added": "0.3"})


OUTBOX = record_schema(Alert)

# What an alert tells about its model, so an Automation can trigger on "a premium model was added".
MODEL_ATTRIBUTES = (
    "api_name",
    "model_name",
    "provider",
    "hosting_layer",
    "category",
    "tier",
    "availability",
    "compliance",
    "input_context_tokens",
    "max_output_tokens",
    "docs_urls",
)


# -- rows <-> tables -----------------------------------------------------------------------------


def to_table(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (dicts) to a table of exactly `schema`; missing keys are null."""
    rows = list(rows)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.table(columns, schema=schema)


def records_table(records: Iterable[Any], schema: pa.Schema) -> pa.Table:
    """Row dataclasses (nested ones included) to a table of `schema`."""
    return to_table((dataclasses.asdict(r) for r in records), schema)


def table_records(table: pa.Table, cls: type[_Record]) -> list[_Record]:
    """A table back to its row dataclasses; a tuple of dataclasses is rebuilt from its structs."""
    hints = typing.get_type_hints(cls)
    nested = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        args = typing.get_args(hints[f.name])
        if typing.get_origin(hints[f.name]) is tuple and args and dataclasses.is_dataclass(args[0]):
            nested[f.name] = args[0]
    records = []
    for row in table.to_pylist():
        for name, inner in nested.items():
            row[name] = tuple(inner(**item) for item in row[name] or ())
        records.append(cls(**row))
    return records


def to_frame(rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> pl.DataFrame:
    """Rows to a Polars frame whose dtypes come from the Arrow schema."""
    import polars as pl

    return pl.from_arrow(to_table(rows, schema))  # type: ignore[return-value]


def frame_to_table(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """A Polars frame back to Arrow, cast to the contract schema (Polars writes large types)."""
    return frame.select(schema.names).to_arrow().cast(schema)
