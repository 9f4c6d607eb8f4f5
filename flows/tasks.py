"""The catalog flow's tasks: read the stored catalog, extract, transform, load.

Orchestration only: every task calls one function of extract/, transform/ or output/.
`flows/catalog.py` imports this module when its flow starts, not before (see there). Polars
and the Markdown/HTML parsers load inside the tasks that replay a locale, so a run with
nothing new does not load them at all.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from extract import git_source
from extract.git_source import CachedRepo, CommitRef, FolderLog, TransientSyncError
from extract.sources import LOCALES
from output import catalog_files
from output.store import OutputStore
from transform import catalog as catalogs
from transform import plan
from transform.alerts import AlertRule
from transform.catalog import Catalog, LagAlerting, Result
from transform.plan import LocalePlan, Replay, RunRequest
from transform.tables import Alert

if TYPE_CHECKING:
    from extract.card_folder import ParsedFolder
    from transform.history import LocaleHistory

Folders = list[tuple[CommitRef, "ParsedFolder"]]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing and replay allocate ~10^5 short-lived objects, nearly all freed by reference counting;
    automatic collections meanwhile mostly rescan Prefect's heap. Cycles wait until it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_transient(task_, task_run, state) -> bool:
    """Retry the network step only for failures a retry can fix."""
    try:
        state.result()
    except TransientSyncError:
        return True
    except Exception:
        return False
    return False


# -- Read what the catalog holds ---------------------------------------------------------------


@task(cache_policy=NO_CACHE)
def load_catalog(store: OutputStore, request: RunRequest) -> Catalog:
    return catalog_files.load_catalog(store, rebuild=request.locales if request.backfill else ())


# -- Extract ---------------------------------------------------------------------------------------


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_is_transient, cache_policy=NO_CACHE)
def sync_source(source: str, cache_dir: Path, request: RunRequest) -> CachedRepo:
    """Only the trees on the way to the requested locales' card folders are fetched."""
    folders = {LOCALES[name].branch: LOCALES[name].cards_folder for name in request.locales}
    return git_source.sync_source(source, cache_dir, list(folders), folders)


@task(cache_policy=NO_CACHE)
def read_heads(repo: CachedRepo, request: RunRequest) -> dict[str, CommitRef]:
    return {name: git_source.branch_head(repo, LOCALES[name].branch) for name in request.locales}


@task(cache_policy=NO_CACHE)
def plan_run(stored: Catalog, heads: dict[str, CommitRef], request: RunRequest) -> list[LocalePlan]:
    return plan.plan_run(stored.state, heads, request)


@task(cache_policy=NO_CACHE)
def list_new_commits(repo: CachedRepo, plans: list[LocalePlan]) -> list[FolderLog]:
    return [git_source.list_folder_commits(repo, p.stream.branch, p.stream.cards_folder, after=p.after) for p in plans]


@task(cache_policy=NO_CACHE)
def plan_replays(plans: list[LocalePlan], logs: list[FolderLog], request: RunRequest) -> list[Replay]:
    return [plan.plan_replay(p, log, request.since) for p, log in zip(plans, logs, strict=True)]


@task(cache_policy=NO_CACHE)
def read_folders(repo: CachedRepo, replays: list[Replay]) -> tuple[list[Folders], int]:
    """Each replay's folder snapshots, parsed; a blob seen at many commits or in both locales is parsed once."""
    if not replays:
        return [], 0
    from extract.card_folder import BlobParser, parse_folder
    from extract.card_markdown import MAX_CARD_BYTES

    parser, logger, read = BlobParser(), get_run_logger(), []
    with _collector_paused():
        for replay in replays:
            commits = list(replay.commits)
            snapshots = git_source.iter_folder_snapshots(repo, replay.plan.stream.cards_folder, commits, MAX_CARD_BYTES)
            read.append([(snap.commit, parse_folder(snap.files, parser)) for snap in snapshots])
            if commits:
                first, last = f"{commits[0].committed_at:%Y-%m-%d}", f"{commits[-1].committed_at:%Y-%m-%d}"
                count = "1 snapshot" if len(commits) == 1 else f"{len(commits)} snapshots"
                logger.info(f"{replay.plan.locale}: read {count}, {first if first == last else f'{first} to {last}'}")
    return read, parser.parsed


# -- Transform -------------------------------------------------------------------------------------


@task(cache_policy=NO_CACHE, task_run_name="replay_history-{replay.plan.stream.locale}")
def replay_history(
    stored: Catalog, replay: Replay, folders: Folders, detected_at: datetime, run_id: str
) -> LocaleHistory:
    from transform.history import replay as replay_folders

    with _collector_paused():
        start = catalogs.locale_start(stored, replay.plan.locale, fresh=replay.plan.fresh)
        return replay_folders(start, replay, folders, detected_at=detected_at, run_id=run_id)


@task(cache_policy=NO_CACHE)
def derive_alerts(results: list[Result], rule: AlertRule, routed: bool) -> list[Alert]:
    return catalogs.run_alerts(results, rule, routed=routed)


@task(cache_policy=NO_CACHE)
def advance_catalog(
    stored: Catalog,
    results: list[Result],
    alerts: list[Alert],
    source: str,
    checked_at: datetime,
    lag_alerting: LagAlerting | None,
) -> Catalog:
    return catalogs.advance_catalog(
        stored, results, alerts, source=source, checked_at=checked_at, lag_alerting=lag_alerting
    )


# -- Load ------------------------------------------------------------------------------------------


@task(cache_policy=NO_CACHE)
def save_catalog(store: OutputStore, stored: Catalog, catalog: Catalog, results: list[Result]) -> None:
    snapshots = {history.locale: history.snapshots for _, history in results}
    catalog_files.save_catalog(store, stored, catalog, snapshots)
