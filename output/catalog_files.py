"""The catalog's files: read all of them once into one `Catalog`, write it back in one transaction.

What is read is checked against the contract's schemas and against the other files, so a
damaged or half-deleted output folder is refused in one line rather than papered over:
a backfill of every locale reads none of it and rebuilds it from git.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

import pyarrow as pa

from extract.sources import LOCALES
from output.store import OutputError, OutputStore, Transaction
from transform.catalog import STATE_FILE, Catalog, inconsistencies, lag_of
from transform.state import StateError, state_from_json, state_to_json
from transform.tables import (
    CHANGES,
    FINDINGS,
    LAG,
    MODELS,
    OUTBOX,
    VERSIONS,
    Alert,
    records_table,
    table_records,
)

OUTBOX_NAME = "alerts/outbox"
LAG_NAME = "translation_lag"  # derived from model_versions: a folder written before it existed lacks it
REPAIR = "run `model-catalog backfill` to rebuild the catalog from git"


def load_catalog(store: OutputStore, *, rebuild: Collection[str] = ()) -> Catalog:
    """Everything the output folder holds; `rebuild` names the locales a backfill replays from git.

    A backfill of every locale needs nothing but the alert outbox (so that what was sent is
    never sent again), and starts afresh even from a damaged folder.
    """
    if set(LOCALES) <= set(rebuild):
        return Catalog(outbox=tuple(_outbox_if_readable(store)))
    try:
        catalog, present = _read(store)
    except OutputError as exc:
        if not rebuild:
            raise
        raise OutputError(f"{exc} (every locale: a backfill of {', '.join(rebuild)} keeps the rest)") from None
    problems = inconsistencies(catalog, present)
    if problems:
        raise OutputError(f"the catalog at {store.uri} is inconsistent: {problems[0]}; {REPAIR}")
    return catalog


# Catalog attribute -> (file name, schema)
_TABLES = {
    "models": ("models", MODELS),
    "changes": ("changes", CHANGES),
    "versions": ("model_versions", VERSIONS),
    "findings": ("findings", FINDINGS),
}


def _read(store: OutputStore) -> tuple[Catalog, set[str]]:
    tables = {attr: store.read_table(name, schema) for attr, (name, schema) in _TABLES.items()}
    present = {_TABLES[attr][0] for attr, table in tables.items() if table is not None}
    data = store.read_json(STATE_FILE)
    fields: dict[str, object] = {attr: table for attr, table in tables.items() if table is not None}
    if data is not None:
        try:
            fields["state"] = state_from_json(data)
        except StateError as exc:
            raise OutputError(f"{store.uri}/{STATE_FILE} is damaged ({exc}); {REPAIR}") from None
        present.add(STATE_FILE)
    catalog = Catalog(**fields, outbox=tuple(read_outbox(store)))  # type: ignore[arg-type]
    lag = store.read_table(LAG_NAME, LAG)
    return replace(catalog, lag=lag_of(catalog.versions, catalog.state) if lag is None else lag), present


def read_outbox(store: OutputStore) -> list[Alert]:
    table = store.read_table(OUTBOX_NAME, OUTBOX)
    return [] if table is None else table_records(table, Alert)


def _outbox_if_readable(store: OutputStore) -> list[Alert]:
    try:
        return read_outbox(store)
    except OutputError:
        return []  # a backfill rebuilds; its own alerts are suppressed anyway


def save_catalog(
    store: OutputStore, before: Catalog, after: Catalog, snapshots: Mapping[str, Mapping[str, pa.Table]]
) -> None:
    """Write every file of `after` and the replayed snapshots (locale -> commit -> table) in one transaction.

    Nothing is written when the run changed nothing.
    """
    if after is before:
        return
    txn = Transaction()
    paths = {
        store.snapshot_path(locale, commit).removesuffix(".parquet"): table
        for locale, tables in snapshots.items()
        for commit, table in tables.items()
    }
    txn.put_parquet_files(paths)
    txn.put_table("models", after.models)
    txn.put_table("findings", after.findings)
    txn.put_table("changes", after.changes)
    txn.put_table("model_versions", after.versions, with_json=False)
    txn.put_table(LAG_NAME, after.lag)
    txn.put_json(STATE_FILE, state_to_json(after.state))
    txn.put_table(OUTBOX_NAME, records_table(after.outbox, OUTBOX))
    store.commit(txn)


def save_outbox(store: OutputStore, before: Sequence[Alert], after: Sequence[Alert]) -> None:
    """The outbox alone, after announcing or a delivery attempt; no commit when nothing moved."""
    if list(after) == list(before):
        return
    txn = Transaction()
    txn.put_table(OUTBOX_NAME, records_table(after, OUTBOX))
    store.commit(txn)
