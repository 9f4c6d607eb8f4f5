"""The Prefect flow: read the stored catalog, sync the docs, replay what is new, write, tell.

Orchestration only: the flow body calls one task per step (`flows/tasks.py`, `flows/alerts.py`,
`flows/reports.py`). It imports them, and with them PyArrow's compute and Parquet modules,
GitPython and the pipeline's own modules, once it has started, not when this module is
imported: Prefect rounds a flow's time up to its next heartbeat tick (a whole second), so
work moved inside the flow costs a run with nothing new no time, while before the flow
every import adds to the run (README, Performance).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote
from pydantic import SecretStr

from extract.sources import DEFAULT_SOURCE, LOCALES, check_source
from output.store import KEEP_VERSIONS
from transform.alerts import DEFAULT_ALERT_ON


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
    from flows.alerts import announce_alerts, deliver_alerts, destinations, resolve_notify, resolve_webhook
    from flows.reports import publish_reports
    from flows.tasks import (
        advance_catalog,
        derive_alerts,
        list_new_commits,
        load_catalog,
        plan_replays,
        plan_run,
        read_folders,
        read_heads,
        replay_history,
        save_catalog,
        sync_source,
    )
    from output.delivery import undelivered
    from output.store import OutputStore
    from transform.alerts import alert_rule
    from transform.catalog import LagAlerting
    from transform.plan import run_request
    from transform.summary import summarize

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
