"""Load where each locale stood from the output folder, and save the advanced catalog.

Locales not processed in a run keep their rows: a `--locale en` run never drops `ja`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
import pyarrow as pa

from output.alerts import Alert, merge_outbox, put_outbox, read_outbox
from output.store import OutputStore, Transaction
from output.tables import CHANGES, FINDINGS, MODELS, VERSIONS, frame_to_table, to_frame
from transform.findings import Finding
from transform.history import LocaleHistory, findings_frame
from transform.versions import empty_versions


def _frame(table: pa.Table | None, schema: pa.Schema) -> pl.DataFrame:
    return pl.from_arrow(table) if table is not None else to_frame([], schema)  # type: ignore[return-value]


def _locale(frame: pl.DataFrame, locale: str, keep: bool = True) -> pl.DataFrame:
    return frame.filter((pl.col("locale") == locale) if keep else (pl.col("locale") != locale))


def load_start(store: OutputStore, locale: str, fresh: bool) -> LocaleHistory:
    """The locale's latest snapshot and versions; nothing when `fresh` (a backfill)."""
    state = store.locale_state(locale)
    if fresh or not state:
        return LocaleHistory(locale, None, None, empty_versions())
    models = _locale(_frame(store.read_table("models", MODELS), MODELS), locale)
    versions = _locale(_frame(store.read_table("model_versions", VERSIONS), VERSIONS), locale)
    # A run whose new commits all miss the card folder keeps the latest snapshot's findings.
    stored = _locale(_frame(store.read_table("findings", FINDINGS), FINDINGS), locale)
    findings = [Finding(**row) for row in stored.to_dicts()]
    return LocaleHistory(locale, models, state.get("snapshot_commit"), versions, findings=findings)


def _put_snapshots(txn: Transaction, store: OutputStore, history: LocaleHistory) -> None:
    paths = {store.snapshot_path(history.locale, c).removesuffix(".parquet"): t for c, t in history.snapshots.items()}
    txn.put_parquet_files(paths)


def save_catalog(
    store: OutputStore,
    histories: Sequence[LocaleHistory],
    heads: dict[str, dict[str, Any]],
    *,
    rebuilt: set[str],
    checked_at: datetime,
    alerts: Sequence[Alert] = (),
) -> None:
    """Write every table in one transaction.

    `heads` is the per-locale state (source, branch, commit, committed_at); `rebuilt`
    names locales whose change history was replayed from scratch and replaces the old.
    `alerts` join the outbox in the same transaction, so alerts and changes never disagree.
    """
    done = {h.locale for h in histories}
    models = _frame(store.read_table("models", MODELS), MODELS)
    findings = _frame(store.read_table("findings", FINDINGS), FINDINGS)
    versions = _frame(store.read_table("model_versions", VERSIONS), VERSIONS)
    changes = _frame(store.read_table("changes", CHANGES), CHANGES)
    txn = Transaction()
    for history in histories:
        models = _locale(models, history.locale, keep=False)
        versions = _locale(versions, history.locale, keep=False)
        findings = _locale(findings, history.locale, keep=False)
        if history.locale in rebuilt:
            changes = _locale(changes, history.locale, keep=False)
        models = pl.concat([models, history.models if history.models is not None else to_frame([], MODELS)])
        versions = pl.concat([versions, history.versions])
        findings = pl.concat([findings, findings_frame(history.findings)])
        changes = pl.concat([changes, history.changes])
        _put_snapshots(txn, store, history)
    txn.put_table("models", frame_to_table(models.sort("locale", "card_id"), MODELS))
    txn.put_table("findings", frame_to_table(findings, FINDINGS))
    txn.put_table("changes", frame_to_table(changes, CHANGES))
    txn.put_table(
        "model_versions", frame_to_table(versions.sort("locale", "card_id", "valid_from"), VERSIONS), with_json=False
    )
    state = store.read_state()
    locales = dict(state.get("locales", {}))
    locales.update({locale: heads[locale] for locale in done})
    txn.put_json("state.json", {"locales": locales, "checked_at": checked_at})
    if alerts:
        put_outbox(txn, merge_outbox(read_outbox(store), alerts))
    store.commit(txn)
