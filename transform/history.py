"""Replay a locale's snapshots in commit order: models, changes, versions, findings.

Each snapshot is compared with the one before it, so a change is dated by the commit
that made it, never lumped into the run that noticed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from extract.card_folder import ParsedFolder
from extract.git_source import CommitRef
from extract.sources import LocaleStream
from output.tables import CHANGES, FINDINGS, MODELS, to_frame
from transform.diff import diff_snapshots
from transform.findings import Finding
from transform.normalize import normalize_snapshot
from transform.versions import advance_versions


@dataclass
class LocaleHistory:
    """Where a locale's catalog stands: its latest snapshot and everything derived."""

    locale: str
    models: pl.DataFrame | None  # the latest snapshot; None before the first
    commit: str | None  # the snapshot's commit
    versions: pl.DataFrame
    changes: pl.DataFrame = field(default_factory=lambda: to_frame([], CHANGES))
    findings: list[Finding] = field(default_factory=list)
    snapshots: dict[str, pl.DataFrame] = field(default_factory=dict)


def replay(
    stream: LocaleStream,
    start: LocaleHistory,
    folders: Iterable[tuple[CommitRef, ParsedFolder]],
    *,
    detected_at: datetime,
    run_id: str,
) -> LocaleHistory:
    """Advance `start` through `folders` (oldest first); the result holds only new changes."""
    models, commit, versions = start.models, start.commit, start.versions
    changes: list[pl.DataFrame] = []
    snapshots: dict[str, pl.DataFrame] = {}
    findings = start.findings
    for ref, folder in folders:
        rows, findings = normalize_snapshot(stream, ref.sha, ref.committed_at, folder)
        snapshot = to_frame(rows, MODELS)
        delta = diff_snapshots(
            models,
            snapshot,
            from_commit=commit,
            to_commit=ref.sha,
            committed_at=ref.committed_at,
            detected_at=detected_at,
            run_id=run_id,
        )
        versions = advance_versions(versions, snapshot, delta, ref.committed_at)
        changes.append(delta)
        snapshots[ref.sha] = snapshot
        models, commit = snapshot, ref.sha
    return LocaleHistory(
        locale=stream.locale,
        models=models,
        commit=commit,
        versions=versions,
        changes=pl.concat(changes) if changes else to_frame([], CHANGES),
        findings=findings,
        snapshots=snapshots,
    )


def findings_frame(findings: Iterable[Finding]) -> pl.DataFrame:
    return to_frame([f.as_row() for f in findings], FINDINGS)
