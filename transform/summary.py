"""The run's one summary line and counts, for the flow's log and for callers (CLI, tests).

Kept apart from `history` so that a run with nothing new can report without loading Polars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow.compute as pc

from transform.catalog import Catalog, Result
from transform.lag import open_lags, why_no_lag
from transform.tables import CHANGE_KINDS, INFERENCE_CODES

OLDEST_SHOWN = 5  # open translation lags listed in the summary, oldest first


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def summarize_lag(catalog: Catalog) -> dict[str, Any]:
    """Open translation lags, the oldest first; `reason` says why there can be none (one locale only)."""
    processed = {name: entry.committed_at for name, entry in catalog.state.locales.items()}
    rows = open_lags(catalog.lag)
    oldest = [
        {key: row[key] for key in ("card_id", "kind", "field", "en_value", "ja_value", "lag_days")}
        for row in rows.slice(0, OLDEST_SHOWN).to_pylist()
    ]
    return {"open": rows.num_rows, "oldest": oldest, "reason": why_no_lag(processed)}


def summarize(
    results: Sequence[Result], catalog: Catalog, locales: Sequence[str], out: str, parsed: int, undelivered: int = 0
) -> dict[str, Any]:
    """`locales` are the ones the run looked at; those without a result had no new commit.
    `undelivered` counts alerts a destination still owes or refused after this run's delivery.

    Findings are the catalog's (every locale's latest snapshot), not only this run's.
    """
    by_locale = {replay.plan.locale: history for replay, history in results}
    parts = []
    for locale in locales:
        history = by_locale.get(locale)
        if history is None:
            parts.append(f"{locale}: no new commit")
        else:
            cards = 0 if history.models is None else history.models.height
            parts.append(f"{locale}: {_plural(cards, 'card')}")
    changes = {kind: sum(int((h.changes["change"] == kind).sum()) for _, h in results) for kind in CHANGE_KINDS}
    findings = catalog.findings.num_rows
    by_severity = pc.value_counts(catalog.findings.column("severity")).to_pylist() if findings else []
    errors = next((int(c["counts"]) for c in by_severity if c["values"] == "error"), 0)
    codes = pc.value_counts(catalog.findings.column("code")).to_pylist() if findings else []
    inferred = sum(int(c["counts"]) for c in codes if c["values"] in INFERENCE_CODES)
    lag = summarize_lag(catalog)
    lags = "" if lag["reason"] else f", {_plural(lag['open'], 'open translation lag')}"
    if lag["oldest"]:
        old = lag["oldest"][0]
        what = old["field"] or old["kind"].replace("_", " ")
        lags += f" (oldest: {old['card_id']} {what}, {old['lag_days']:.1f} days)"
    owed = f", {_plural(undelivered, 'alert')} undelivered" if undelivered else ""
    line = (
        f"{', '.join(parts)}, {changes['added']} added, {changes['removed']} removed, "
        f"{_plural(changes['modified'], 'modified field')}, "
        f"{_plural(findings, 'finding')} ({_plural(errors, 'error')}, {inferred} inferred)"
        f"{lags}, {_plural(parsed, 'file')} parsed{owed} -> {out}"
    )
    return {
        "line": line,
        "changes": changes,
        "findings": findings,
        "inferred": inferred,
        "parsed": parsed,
        "undelivered": undelivered,
        # the flow run's final state: Completed either way, named so the UI shows undelivered alerts
        "state": "Undelivered" if undelivered else "Completed",
        "lag": lag,
        "locales": [replay.plan.locale for replay, _ in results],
    }
