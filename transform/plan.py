"""What a run does per locale, decided before any card is read: pure, so every rule has a unit test.

Two steps, because the second needs git's answer to the first: `plan_run` picks the locales
whose branch moved and the commit to list history after; `plan_replay` picks, from the
commits git listed, the snapshots to replay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from extract.git_source import CommitRef, FolderLog
from extract.sources import LOCALES, LocaleStream
from transform.state import CatalogState
from transform.tables import Finding, finding

Mode = Literal["run", "backfill"]
MODES: tuple[Mode, ...] = ("run", "backfill")


class PlanError(ValueError):
    """A request that cannot be run; the message is one line for the user."""


@dataclass(frozen=True)
class RunRequest:
    """What the run was asked for, checked once."""

    mode: Mode
    locales: tuple[str, ...]
    since: datetime | None = None  # backfill only: start the history at this time
    alert_baseline: bool = False  # also send what a baseline or backfill records

    @property
    def backfill(self) -> bool:
        return self.mode == "backfill"


def run_request(
    mode: str, locales: Sequence[str] | None, since: datetime | None = None, alert_baseline: bool = False
) -> RunRequest:
    """The request, or PlanError for a mode or locale that does not exist (a typo must not run a normal run)."""
    if mode not in MODES:
        raise PlanError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    chosen = tuple(dict.fromkeys(locales or LOCALES))
    unknown = [name for name in chosen if name not in LOCALES]
    if unknown:
        raise PlanError(f"locale {unknown[0]!r} is not one of {', '.join(LOCALES)}")
    if since is not None and mode != "backfill":
        raise PlanError("`since` applies to a backfill only")
    return RunRequest(mode, chosen, since, alert_baseline)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LocalePlan:
    """One locale whose catalog is behind its branch."""

    stream: LocaleStream
    head: CommitRef
    after: str | None  # list the history after this commit; None: the whole history
    fresh: bool  # a backfill: the locale starts from nothing and its change log is rebuilt
    baseline: bool  # the first run on this locale: the head alone, every card `added`
    quiet: bool  # its alerts are recorded as suppressed, never sent
    stored_at: datetime | None  # commit time of the head the stored catalog caught up with

    @property
    def locale(self) -> str:
        return self.stream.locale


def plan_run(state: CatalogState, heads: Mapping[str, CommitRef], request: RunRequest) -> list[LocalePlan]:
    """The locales to catch up: for a backfill every one asked for, else those whose branch head moved."""
    plans = []
    for locale in request.locales:
        head, stored = heads[locale], state.locale(locale)
        if not request.backfill and stored is not None and stored.commit == head.sha:
            continue
        baseline = not request.backfill and stored is None
        plans.append(
            LocalePlan(
                stream=LOCALES[locale],
                head=head,
                after=None if request.backfill or stored is None else stored.commit,
                fresh=request.backfill,
                baseline=baseline,
                quiet=(request.backfill or baseline) and not request.alert_baseline,
                stored_at=None if request.backfill or stored is None else stored.committed_at,
            )
        )
    return plans


@dataclass(frozen=True)
class Replay:
    """The snapshots a locale replays, oldest first, and what the plan itself found."""

    plan: LocalePlan
    commits: tuple[CommitRef, ...]
    findings: tuple[Finding, ...] = ()


def plan_replay(plan: LocalePlan, log: FolderLog, since: datetime | None = None) -> Replay:
    """Every new commit in turn; a baseline takes the newest only; `since` trims a backfill.

    A backfill with nothing since `since` starts from the catalog as it stood then (the
    newest earlier commit). After a force-push that dropped the last processed commit,
    the newest snapshot is compared with the stored catalog and dated no earlier than it,
    so versions stay ordered.
    """
    commits = tuple(log.commits)
    if log.rewritten and commits:
        newest = commits[-1]
        dated = max(newest.committed_at, plan.head.committed_at, plan.stored_at or newest.committed_at)
        message = (
            f"Branch {plan.stream.branch!r} no longer contains {plan.after}, the commit the catalog was "
            f"built to; its head is now {plan.head.sha}. The catalog is compared with the head, and its "
            "changes are dated at the head's commit or, where that is earlier, at the stored catalog's."
        )
        rewritten = finding("history-rewritten", message, locale=plan.locale, commit=plan.head.sha)
        return Replay(plan, (CommitRef(newest.sha, dated),), (rewritten,))
    if plan.baseline:
        return Replay(plan, commits[-1:])
    if since is not None:
        later = tuple(c for c in commits if c.committed_at >= since)
        return Replay(plan, later or commits[-1:])
    return Replay(plan, commits)
