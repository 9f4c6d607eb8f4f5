"""The Prefect flow: sync the docs, replay new snapshots per locale, write the catalog.

Orchestration only: every task calls one function of extract/, transform/ or output/.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from extract import git_source
from extract.git_source import CachedRepo, CommitRef, TransientSyncError
from extract.sources import DEFAULT_SOURCE, LOCALES, LocaleStream, check_source, public_source
from flows.alerts import announce_alerts, deliver_alerts, derive_alerts, resolve_webhook
from output.alerts import Alert, AlertRule, alert_rule
from output.store import OutputStore
from transform.summary import summarize

# Polars and the Markdown/HTML parsers load only where a locale has new commits (in the
# tasks below and in `_catch_up`): a run with nothing new stays close to Prefect's floor.
if TYPE_CHECKING:
    from extract.card_folder import BlobParser, ParsedFolder
    from transform.history import LocaleHistory


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


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_is_transient, cache_policy=NO_CACHE)
def sync_source(source: str, cache_dir: Path, folders: dict[str, str]) -> CachedRepo:
    """`folders`: branch -> card folder; only the trees on the way to those folders are fetched."""
    return git_source.sync_source(source, cache_dir, list(folders), folders)


@task(cache_policy=NO_CACHE)
def list_new_commits(
    repo: CachedRepo, stream: LocaleStream, after: str | None, since: datetime | None, baseline: bool
) -> list[CommitRef]:
    commits = git_source.list_folder_commits(repo, stream.branch, stream.cards_folder, after=after).commits
    if since is not None:  # no card commit since then: start from the catalog as it stands
        commits = [c for c in commits if c.committed_at >= since] or commits[-1:]
    return commits[-1:] if baseline else commits


@task(cache_policy=NO_CACHE)
def read_folders(
    repo: CachedRepo, stream: LocaleStream, commits: list[CommitRef], parser: BlobParser
) -> list[tuple[CommitRef, ParsedFolder]]:
    from extract.card_folder import parse_folder
    from extract.card_markdown import MAX_CARD_BYTES

    snapshots = git_source.iter_folder_snapshots(repo, stream.cards_folder, commits, MAX_CARD_BYTES)
    logger, every = get_run_logger(), max(1, len(commits) // 10)  # about ten progress lines on a long walk
    folders = []
    with _collector_paused():
        for i, snap in enumerate(snapshots, start=1):
            folders.append((snap.commit, parse_folder(snap.files, parser)))
            if i % every == 0 or i == len(commits):
                logger.info(f"{stream.locale}: commit {i} of {len(commits)} ({snap.commit.committed_at:%Y-%m-%d})")
    return folders


@task(cache_policy=NO_CACHE)
def replay_history(
    stream: LocaleStream,
    start: LocaleHistory,
    folders: list[tuple[CommitRef, ParsedFolder]],
    detected_at: datetime,
    run_id: str,
) -> LocaleHistory:
    from transform.history import replay

    with _collector_paused():
        return replay(stream, start, folders, detected_at=detected_at, run_id=run_id)


@task(cache_policy=NO_CACHE)
def save_catalog(
    store: OutputStore,
    histories: list[LocaleHistory],
    heads: dict[str, dict[str, Any]],
    rebuilt: set[str],
    checked_at: datetime,
    alerts: list[Alert] | None = None,
) -> None:
    from output import catalog as catalog_files

    catalog_files.save_catalog(store, histories, heads, rebuilt=rebuilt, checked_at=checked_at, alerts=alerts or [])


def _run_name() -> str:
    params = flow_run.parameters
    return f"{params.get('mode', 'run')}-{'-'.join(params.get('locales') or LOCALES)}"


@flow(name="model-catalog", flow_run_name=_run_name)
def catalog_flow(
    source: str = DEFAULT_SOURCE,
    out: str = "catalog",
    locales: list[str] | None = None,
    cache_dir: str | None = None,
    mode: str = "run",
    since: datetime | None = None,
    lock_wait_s: float = 0.0,
    alert_webhook: SecretStr | None = None,
    alert_webhook_secret: str | None = None,
    alert_on: list[str] | None = None,
    alert_baseline: bool = False,
) -> dict[str, Any]:
    """`mode="run"` continues from the last snapshot; `mode="backfill"` replays all history.

    Alerts: `alert_on` picks the changes that alert; the webhook is a URL or the name of a Prefect
    Secret block holding it; a baseline or backfill sends nothing unless `alert_baseline`.
    """
    logger = get_run_logger()
    streams = [LOCALES[name] for name in (locales or list(LOCALES))]
    source = check_source(source)
    store = OutputStore(Path(out))
    run_id = str(flow_run.id or uuid.uuid4())
    detected_at = datetime.now(UTC)
    backfill = mode == "backfill"
    rule = alert_rule(alert_on)
    # `serve` pickles this function by value with only the globals its body names; naming
    # SecretStr and datetime in it lets the served run resolve the parameters' (string) annotations.
    webhook = resolve_webhook(alert_webhook if isinstance(alert_webhook, SecretStr) else None, alert_webhook_secret)

    with store.locked(wait_s=lock_wait_s):  # before the sync: two runs on one folder never fetch into one cache at once
        # Extract
        repo = sync_source(source, Path(cache_dir or default_cache_dir()), {s.branch: s.cards_folder for s in streams})
        behind = []
        for stream in streams:
            head = git_source.branch_head(repo, stream.branch)
            after = None if backfill else store.locale_state(stream.locale).get("commit")
            if after != head.sha:
                behind.append((stream, head, after))
        histories, parsed = [], 0
        if behind:
            asked = _Asked(source, since, backfill, alert_baseline, rule, webhook is not None, run_id, detected_at)
            histories, parsed = _catch_up(store, repo, behind, asked)
        # Alert: events, artifact and webhook for what the outbox still owes, this run's or an earlier one's
        announce_alerts(store)
        if webhook is not None:
            delivery = deliver_alerts(store, webhook, return_state=True)
            if delivery.is_failed():
                logger.warning(f"alerts stay in the outbox for the next run: {delivery.message}")
    summary = summarize(histories, [s.locale for s in streams], out, parsed)
    logger.info(summary["line"])
    return summary


@dataclass(frozen=True)
class _Asked:
    """What the run was asked for, as `_catch_up` needs it."""

    source: str
    since: datetime | None
    backfill: bool
    alert_baseline: bool
    rule: AlertRule
    routed: bool  # a webhook will deliver pending alerts
    run_id: str
    detected_at: datetime


def _catch_up(
    store: OutputStore, repo: CachedRepo, behind: list[tuple[LocaleStream, CommitRef, str | None]], asked: _Asked
) -> tuple[list[LocaleHistory], int]:
    """Replay the new commits of the locales whose branch moved, then save them and their alerts at once."""
    from extract.card_folder import BlobParser
    from output import catalog as catalog_files

    parser = BlobParser()
    histories, heads = [], {}
    quiet: set[str] = set()  # locales whose alerts are recorded but not sent
    for stream, head, after in behind:
        start = catalog_files.load_start(store, stream.locale, fresh=asked.backfill)
        baseline = not asked.backfill and start.commit is None
        if (asked.backfill or baseline) and not asked.alert_baseline:
            quiet.add(stream.locale)
        commits = list_new_commits(repo, stream, after, asked.since, baseline)
        # quote(): Prefect would walk every card of these inputs looking for futures
        folders = read_folders(repo, stream, commits, quote(parser))
        # Transform
        history = replay_history(stream, quote(start), quote(folders), asked.detected_at, asked.run_id)
        histories.append(history)
        heads[stream.locale] = {
            "source": public_source(asked.source),
            "branch": stream.branch,
            "commit": head.sha,
            "committed_at": head.committed_at,
            "snapshot_commit": history.commit,
        }
    # Load
    found = derive_alerts(quote(histories), quiet, asked.rule, asked.routed)
    rebuilt = {stream.locale for stream, _, _ in behind} if asked.backfill else set()
    save_catalog(store, quote(histories), heads, rebuilt, asked.detected_at, found)
    return histories, parser.parsed


def default_cache_dir() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "model-catalog"
