"""Prefect tasks that tell people about changes: events, a Markdown artifact, the webhook.

Orchestration only: what an alert says and how it is sent live in `output/alerts.py`.
The webhook URL travels as a `SecretStr` (Prefect stores it as `**********`) and is
shown in logs as scheme and host only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from pydantic import SecretStr

from output import alerts
from output.store import OutputStore

if TYPE_CHECKING:
    from transform.history import LocaleHistory

WEBHOOK_BLOCK = "model-catalog-alert-webhook"  # the Secret block `model-catalog serve` stores a webhook in
DELIVERY_RETRY_DELAYS = [1, 5]  # within a run; pending alerts are tried again by the next run


class TransientDeliveryError(Exception):
    """The webhook may accept the pending alerts later: retry the task, then leave them for the next run."""


def _is_transient(task_, task_run, state) -> bool:
    try:
        state.result()
    except TransientDeliveryError:
        return True
    except Exception:
        return False
    return False


def resolve_webhook(url: SecretStr | None, secret_block: str | None) -> SecretStr | None:
    """The webhook given to this run, or the one kept in a Prefect Secret block for a deployment."""
    if url is not None and secret_block:
        raise alerts.AlertConfigError("give the alert webhook as a URL or as a Secret block name, not both")
    if secret_block:
        from prefect.blocks.system import Secret

        try:
            value = Secret.load(secret_block).get()
        except ValueError:
            raise alerts.AlertConfigError(f"Prefect Secret block {secret_block!r} not found") from None
        url = SecretStr(str(value))
    if url is None:
        return None
    return SecretStr(alerts.check_webhook(url.get_secret_value()))


@task(cache_policy=NO_CACHE)
def derive_alerts(
    histories: list[LocaleHistory], quiet: set[str], rule: alerts.AlertRule, routed: bool
) -> list[alerts.Alert]:
    """Baseline and backfill locales (`quiet`) record their alerts as suppressed: nothing is sent."""
    found: list[alerts.Alert] = []
    for history in histories:
        status = alerts.SUPPRESSED if history.locale in quiet else alerts.PENDING if routed else alerts.NO_WEBHOOK
        found += alerts.derive_alerts(history.changes, history.versions, rule, status=status)
    return found


@task(cache_policy=NO_CACHE)
def announce_alerts(store: OutputStore) -> int:
    """One Prefect event per alert and one Markdown artifact, for alerts not announced yet."""
    outbox = alerts.read_outbox(store)
    todo = alerts.to_announce(outbox)
    if not todo:
        return 0
    for alert in todo:
        emit_event(**alerts.event_fields(alert))
    create_markdown_artifact(
        alerts.summary_markdown(todo), key=alerts.ARTIFACT_KEY, description="Box AI models added, removed or changed"
    )
    alerts.save_outbox(store, alerts.mark_announced(outbox, {a.alert_id for a in todo}, datetime.now(UTC)))
    get_run_logger().info(f"{len(todo)} alerts announced: {len(todo)} events, artifact {alerts.ARTIFACT_KEY!r}")
    return len(todo)


@task(
    retries=len(DELIVERY_RETRY_DELAYS),
    retry_delay_seconds=DELIVERY_RETRY_DELAYS,
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def deliver_alerts(store: OutputStore, webhook: SecretStr) -> alerts.DeliveryReport:
    url = webhook.get_secret_value()
    report = alerts.deliver_outbox(store, url)
    line = report.line(url)
    if report.pending:
        raise TransientDeliveryError(line)
    get_run_logger().info(line)
    return report
