"""Replay a locale's snapshots in commit order: models, changes, versions, findings.

Each snapshot is compared with the one before it, so a change is dated by the commit
that made it, never lumped into the run that noticed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
import pyarrow as pa

from extract.card_folder import ParsedFolder
from extract.git_source import CommitRef
from transform.diff import diff_rows
from transform.normalize import NormalizeCache, normalize_snapshot
from transform.plan import Replay
from transform.tables import CHANGES, MODELS, VERSIONS, Finding, to_frame, to_table
from transform.versions import VersionLog


@dataclass
class LocaleHistory:
    """Where a locale's catalog stands: its latest snapshot and everything derived."""

    locale: str
    models: pl.DataFrame | None  # the latest snapshot; None before the first
    commit: str | None  # the snapshot's commit
    versions: pl.DataFrame = field(default_factory=lambda: to_frame([], VERSIONS))
    changes: pl.DataFrame = field(default_factory=lambda: to_frame([], CHANGES))
    findings: list[Finding] = field(default_factory=list)
    # Every snapshot replayed, by commit, as written to snapshots/ (exactly the MODELS schema).
    snapshots: dict[str, pa.Table] = field(default_factory=dict)


def replay(
    start: LocaleHistory,
    plan: Replay,
    folders: Iterable[tuple[CommitRef, ParsedFolder]],
    *,
    detected_at: datetime,
    run_id: str,
) -> LocaleHistory:
    """Advance `start` through `folders` (oldest first); the result holds only new changes.

    The findings are those of the newest snapshot, and the plan's own (a rewritten branch).
    """
    cache = NormalizeCache()  # most cards and tiles are unchanged from one snapshot to the next
    snapshots: list[tuple[CommitRef, list[dict[str, Any]]]] = []
    findings = start.findings
    for ref, folder in folders:
        rows, findings = normalize_snapshot(plan.plan.stream, ref.sha, ref.committed_at, folder, cache=cache)
        snapshots.append((ref, rows))
    history = replay_rows(start, snapshots, detected_at=detected_at, run_id=run_id)
    history.findings = [*plan.findings, *findings]
    return history


def replay_rows(
    start: LocaleHistory,
    snapshots: Sequence[tuple[CommitRef, Sequence[Mapping[str, Any]]]],
    *,
    detected_at: datetime,
    run_id: str,
) -> LocaleHistory:
    """`replay` of snapshots already normalized to models rows; findings stay as in `start`.

    Snapshots stay Python rows while they are compared: with a few dozen cards each,
    Polars' per-call overhead would be most of the cost. Frames are built once, at the end.
    """
    previous: Sequence[Mapping[str, Any]] = start.models.to_dicts() if start.models is not None else []
    commit = start.commit
    versions = VersionLog(start.versions)
    changes: list[dict[str, Any]] = []
    for ref, rows in snapshots:
        meta = {
            "from_commit": commit,
            "to_commit": ref.sha,
            "committed_at": ref.committed_at,
            "detected_at": detected_at,
            "run_id": run_id,
        }
        delta = diff_rows(previous, rows)
        changes += [{**row, **meta} for row in delta]
        versions.advance(rows, delta, ref.committed_at)
        previous, commit = rows, ref.sha
    tables = _snapshot_tables(snapshots)
    return LocaleHistory(
        locale=start.locale,
        models=pl.from_arrow(tables[commit]) if snapshots else start.models,  # type: ignore[arg-type]
        commit=commit,
        versions=versions.frame(),
        changes=to_frame(changes, CHANGES),
        findings=list(start.findings),
        snapshots=tables,
    )


def _snapshot_tables(snapshots: Sequence[tuple[CommitRef, Sequence[Mapping[str, Any]]]]) -> dict[str, pa.Table]:
    """One MODELS table per commit, sliced from a single conversion of all the rows."""
    if not snapshots:
        return {}
    everything = to_table([row for _, rows in snapshots for row in rows], MODELS)
    tables: dict[str, pa.Table] = {}
    offset = 0
    for ref, rows in snapshots:
        tables[ref.sha] = everything.slice(offset, len(rows))
        offset += len(rows)
    return tables
