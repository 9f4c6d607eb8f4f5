"""The whole catalog as one typed value: what a run loads once, advances, and saves once.

Locales a run does not process keep their rows: a `--locale en` run never drops `ja`.
Everything here is Arrow in, Arrow out, so a run with nothing new never loads Polars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from extract.sources import public_source
from transform.alerts import AlertRule, alert_status, derive_alerts, lag_alerts, merge_outbox
from transform.lag import translation_lag
from transform.plan import Replay
from transform.state import CatalogState, LocaleState
from transform.tables import (
    CHANGES,
    FINDINGS,
    LAG,
    MODEL_ATTRIBUTES,
    MODELS,
    VERSIONS,
    Alert,
    Finding,
    Lag,
    frame_to_table,
    records_table,
    table_records,
)

if TYPE_CHECKING:  # replay's modules load Polars and the parsers: only where a locale moved
    from transform.history import LocaleHistory

Result = tuple[Replay, "LocaleHistory"]

# The files a catalog is made of; all of them exist, or none (a fresh output folder).
TABLE_FILES = ("models", "changes", "model_versions", "findings")
STATE_FILE = "state.json"


@dataclass(frozen=True)
class Catalog:
    """Every table of an output folder and its state, as the last run left them."""

    state: CatalogState = field(default_factory=CatalogState)
    models: pa.Table = field(default_factory=MODELS.empty_table)
    versions: pa.Table = field(default_factory=VERSIONS.empty_table)
    changes: pa.Table = field(default_factory=CHANGES.empty_table)
    findings: pa.Table = field(default_factory=FINDINGS.empty_table)
    lag: pa.Table = field(default_factory=LAG.empty_table)  # derived from `versions` and `state`
    outbox: tuple[Alert, ...] = ()

    def finding_records(self) -> list[Finding]:
        return table_records(self.findings, Finding)


def inconsistencies(catalog: Catalog, present: Iterable[str]) -> list[str]:
    """What makes the files of an output folder disagree with each other; empty when they agree.

    A missing `state.json` beside a change log would otherwise restart the catalog and add
    every card again; a locale in the tables but not in the state was never finished.
    """
    present = set(present)
    expected = {*TABLE_FILES, STATE_FILE}
    if present & expected and not expected <= present:
        missing = ", ".join(sorted(expected - present))
        holds = ", ".join(sorted(present & expected))
        return [f"it holds {holds} but not {missing}"]
    known = set(catalog.state.locales)
    problems = []
    for name, table in (("models", catalog.models), ("changes", catalog.changes), ("model_versions", catalog.versions)):
        strays = sorted(set(table.column("locale").to_pylist()) - known, key=str)
        if strays:
            problems.append(f"{name} holds rows of locale {strays[0]!r}, which state.json does not list")
    return problems


def _locale_rows(table: pa.Table, locales: Iterable[str], *, keep: bool) -> pa.Table:
    mask = pc.is_in(table.column("locale"), value_set=pa.array(sorted(locales), pa.string()))
    return table.filter(mask if keep else pc.invert(mask))


def locale_start(catalog: Catalog, locale: str, *, fresh: bool) -> LocaleHistory:
    """Where the locale's replay starts: its latest snapshot and versions, or nothing (a backfill or a first run)."""
    import polars as pl

    from transform.history import LocaleHistory

    stored = catalog.state.locale(locale)
    if fresh or stored is None:
        return LocaleHistory(locale, None, None)
    models = _locale_rows(catalog.models, [locale], keep=True)
    versions = _locale_rows(catalog.versions, [locale], keep=True)
    # A run whose new commits all miss the card folder keeps the latest snapshot's findings.
    findings = table_records(_locale_rows(catalog.findings, [locale], keep=True), Finding)
    return LocaleHistory(
        locale,
        pl.from_arrow(models),  # type: ignore[arg-type]
        stored.snapshot_commit,
        pl.from_arrow(versions),  # type: ignore[arg-type]
        findings=findings,
    )


def run_alerts(results: Sequence[Result], rule: AlertRule, *, routed: bool) -> list[Alert]:
    """The alerts of every locale replayed; a baseline's or backfill's are recorded as suppressed."""
    alerts: list[Alert] = []
    for replay, history in results:
        status = alert_status(quiet=replay.plan.quiet, routed=routed)
        versions = history.versions.select("locale", "card_id", "valid_from", *MODEL_ATTRIBUTES)
        changes = history.changes.iter_rows(named=True)
        alerts += derive_alerts(changes, versions.iter_rows(named=True), rule, status=status)
    return alerts


def lag_of(versions: pa.Table, state: CatalogState) -> pa.Table:
    """Recomputed from the whole version history: each locale's open stretches run to its last processed commit."""
    return translation_lag(versions, {name: entry.committed_at for name, entry in state.locales.items()})


@dataclass(frozen=True)
class LagAlerting:
    """`--alert-lag-days`: alert once on each translation lag open longer than `days`."""

    days: float
    routed: bool  # a webhook is configured
    run_id: str


def run_lag_alerts(
    lag: pa.Table, versions: pa.Table, state: CatalogState, results: Sequence[Result], rule: LagAlerting, at: datetime
) -> list[Alert]:
    """A baseline's or backfill's are recorded as suppressed, as their change alerts are."""
    if lag.num_rows == 0:
        return []
    quiet = any(replay.plan.quiet for replay, _ in results)
    head = max(state.locales.values(), key=lambda entry: entry.committed_at)
    rows = versions.select(["locale", "card_id", "valid_from", "valid_to", *MODEL_ATTRIBUTES]).to_pylist()
    return lag_alerts(
        table_records(lag, Lag),
        rows,
        (head.commit, head.committed_at),
        days=rule.days,
        detected_at=at,
        run_id=rule.run_id,
        status=alert_status(quiet=quiet, routed=rule.routed),
    )


def advance_catalog(
    catalog: Catalog,
    results: Sequence[Result],
    alerts: Sequence[Alert],
    *,
    source: str,
    checked_at: datetime,
    lag_alerting: LagAlerting | None = None,
) -> Catalog:
    """The catalog after this run: each replayed locale's rows replaced, its changes appended.

    A backfilled locale's change log is rebuilt, so its old rows go. `alerts` join the
    outbox; one the outbox already holds keeps its state. The translation lag is recomputed, and
    with `lag_alerting` each stretch open too long joins the outbox once.
    """
    if not results:
        return catalog
    done = {replay.plan.locale for replay, _ in results}
    rebuilt = {replay.plan.locale for replay, _ in results if replay.plan.fresh}
    models = [_locale_rows(catalog.models, done, keep=False)]
    versions = [_locale_rows(catalog.versions, done, keep=False)]
    findings = [_locale_rows(catalog.findings, done, keep=False)]
    changes = [_locale_rows(catalog.changes, rebuilt, keep=False)]
    heads: dict[str, LocaleState] = {}
    for replay, history in results:
        if history.models is not None:
            models.append(frame_to_table(history.models, MODELS))
        versions.append(frame_to_table(history.versions, VERSIONS))
        findings.append(records_table(history.findings, FINDINGS))
        changes.append(frame_to_table(history.changes, CHANGES))
        plan = replay.plan
        heads[plan.locale] = LocaleState(
            source=public_source(source),
            branch=plan.stream.branch,
            commit=plan.head.sha,
            committed_at=plan.head.committed_at,
            snapshot_commit=history.commit,
        )
    state = catalog.state.with_locales(heads, checked_at)
    all_versions = pa.concat_tables(versions).sort_by(
        [("locale", "ascending"), ("card_id", "ascending"), ("valid_from", "ascending")]
    )
    lag = lag_of(all_versions, state)
    if lag_alerting is not None:
        alerts = [*alerts, *run_lag_alerts(lag, all_versions, state, results, lag_alerting, checked_at)]
    return replace(
        catalog,
        state=state,
        models=pa.concat_tables(models).sort_by([("locale", "ascending"), ("card_id", "ascending")]),
        versions=all_versions,
        lag=lag,
        findings=pa.concat_tables(findings),
        changes=pa.concat_tables(changes),
        outbox=tuple(merge_outbox(catalog.outbox, alerts)),
    )
