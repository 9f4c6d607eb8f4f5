"""The Prefect flow: read the stored catalog, sync the docs, replay what is new, write, tell.

Orchestration only: every task calls one function of extract/, transform/ or output/, and
the flow body calls one task per step. Polars and the Markdown/HTML parsers load inside
the tasks that replay a locale, so a run with nothing new stays close to Prefect's floor.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from extract import git_source
from extract.git_source import CachedRepo, CommitRef, FolderLog, TransientSyncError
from extract.sources import DEFAULT_SOURCE, LOCALES, check_source
from flows.alerts import announce_alerts, deliver_alerts, destinations, resolve_notify, resolve_webhook
from flows.reports import publish_reports
from output import catalog_files
from output.delivery import undelivered
from output.store import KEEP_VERSIONS, OutputStore
from transform import catalog as catalogs
from transform import plan
from transform.alerts import DEFAULT_ALERT_ON, AlertRule, alert_rule
from transform.catalog import Catalog, LagAlerting, Result
from transform.plan import LocalePlan, Replay, RunRequest, run_request
from transform.summary import summarize
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


def _run_name() -> str:
    """`run-en-ja-2026-12-01`: what the run does and when, readable in a list of runs."""
    params = flow_run.parameters
    day = (flow_run.scheduled_start_time or datetime.now(UTC)).strftime("%Y-%m-%d")
    return f"{params.get('mode', 'run')}-{'-'.join(params.get('locales') or LOCALES)}-{day}"


Mode = Literal["run", "backfill"]
DESCRIPTION = (
    "Builds a typed catalog of the AI models Box offers from Box's developer docs (English and "
    "Japanese), records what changed since the last run, and alerts on added, removed or changed models."
)


@flow(name="model-catalog", flow_run_name=_run_name, description=DESCRIPTION)
def catalog_flow(
    source: str = DEFAULT_SOURCE,
    out: str = "catalog",
    locales: list[str] = list(LOCALES),  # noqa: B006 - read only; Prefect shows the default as given
    cache_dir: str | None = None,
    mode: Mode = "run",
    since: datetime | None = None,
    lock_wait_s: float = 0.0,
    alert_webhook: SecretStr | None = None,
    alert_webhook_secret: str | None = None,
    alert_on: list[str] = list(DEFAULT_ALERT_ON),  # noqa: B006 - read only
    alert_baseline: bool = False,
    alert_lag_days: float | None = None,
    keep_versions: int = KEEP_VERSIONS,
    storage_block: str | None = None,
    notify: list[str] = [],  # noqa: B006 - read only
) -> Any:
    """Read the stored catalog, sync the docs, replay what is new, write, tell.

    Args:
        source: Docs repository: an https or ssh URL, a local path or a git bundle, without credentials.
        out: Output folder, or object storage such as s3://bucket/prefix.
        locales: Locales to read: en (branch main) and/or ja (branch jp).
        cache_dir: Where the cached clone lives; empty for the user cache folder of the machine running the flow.
        mode: `run` continues from the last processed commit; `backfill` rebuilds the history from all commits.
        since: Backfill only: start the history at this time (UTC).
        lock_wait_s: Seconds to wait for another run writing the same catalog; 0 refuses at once.
        alert_webhook: URL to POST change alerts to (stored masked).
        alert_webhook_secret: Name of a Prefect Secret block holding the webhook URL, instead of the URL.
        alert_on: Changes that alert: added, removed, modified (any field) or a field name.
        alert_baseline: Also alert on a baseline (first run) or a backfill, which are quiet otherwise.
        keep_versions: Published versions of the catalog to keep, the current one included.
        storage_block: Name of a Prefect AwsCredentials block with the bucket's credentials.
        alert_lag_days: Alert once on each translation lag open longer than this many days; empty for none.
        notify: Saved Prefect notification blocks (TYPE/NAME or NAME) to send the alerts through too.
    """
    # `serve` pickles this function by value with only the globals its body names; naming
    # Mode, SecretStr and datetime in it lets the served run resolve the parameters' (string) annotations.
    request = run_request(cast(Mode, mode), locales, since, alert_baseline)
    source = check_source(source)
    rule = alert_rule(alert_on)
    webhook = resolve_webhook(alert_webhook if isinstance(alert_webhook, SecretStr) else None, alert_webhook_secret)
    send_to = destinations(webhook, resolve_notify(notify))
    store = OutputStore(out, storage_options=storage_options(storage_block), keep_versions=keep_versions)
    run_id = str(flow_run.id or uuid.uuid4())
    detected_at = datetime.now(UTC)
    lagging = None if alert_lag_days is None else LagAlerting(alert_lag_days, bool(send_to), run_id)

    with store.locked(wait_s=lock_wait_s):
        # Read what the catalog holds
        stored = load_catalog(store, request)
        # Extract
        repo = sync_source(source, Path(cache_dir or default_cache_dir()), request)
        heads = read_heads(repo, request)
        plans = plan_run(quote(stored), heads, request)
        logs = list_new_commits(repo, plans)
        replays = plan_replays(plans, quote(logs), request)
        folders, parsed = read_folders(repo, quote(replays))
        # Transform
        results = [
            (replay, replay_history(quote(stored), replay, quote(read), detected_at, run_id))
            for replay, read in zip(replays, folders, strict=True)
        ]
        alerts = derive_alerts(quote(results), rule, bool(send_to))
        catalog = advance_catalog(quote(stored), quote(results), quote(alerts), source, detected_at, lagging)
        # Load
        save_catalog(store, quote(stored), quote(catalog), quote(results))
        # Tell: events, artifacts, webhook and blocks for what the outbox still owes, this run's or an earlier one's
        announced = announce_alerts(quote(catalog.outbox), store.uri, source)
        delivered = deliver_alerts(store, quote(catalog.outbox), announced, send_to)
        publish_reports(store, catalog, replays, run_id, source)
    summary = summarize(results, catalog, request.locales, out, parsed, undelivered(delivered))
    get_run_logger().info(summary["line"])
    return end_state(summary)


def end_state(summary: dict[str, Any]) -> Any:
    from prefect.states import Completed

    return Completed(name=summary["state"], message=summary["line"], data=summary)


def storage_options(block: str | None) -> dict[str, Any] | None:
    """The bucket's credentials from a Prefect block, else None: the standard chains apply."""
    if not block:
        return None
    from flows.storage import storage_options as from_block

    return from_block(block)


def default_cache_dir() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "model-catalog"
