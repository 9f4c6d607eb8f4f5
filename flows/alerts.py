"""Prefect tasks that tell people about changes: events and the webhook.

Orchestration only: what an alert says lives in `output/messages.py`, how it is sent in
`output/webhook.py`, and what becomes of it in `transform/alerts.py`. The webhook URL
travels as a `SecretStr` (Prefect stores it as `**********`) and is shown in logs as
scheme and host only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from pydantic import SecretStr

from output import messages, webhook
from output.catalog_files import save_outbox
from output.store import OutputStore
from transform.alerts import AlertConfigError, Attempt, settle_outbox, to_announce, to_deliver
from transform.tables import Alert

WEBHOOK_BLOCK = "model-catalog-alert-webhook"  # the Secret block `model-catalog serve` stores a webhook in


def resolve_webhook(url: SecretStr | None, secret_block: str | None) -> SecretStr | None:
    """The webhook given to this run, or the one kept in a Prefect Secret block for a deployment."""
    if url is not None and secret_block:
        raise AlertConfigError("give the alert webhook as a URL or as a Secret block name, not both")
    if secret_block:
        from prefect.blocks.system import Secret

        try:
            value = Secret.load(secret_block).get()
        except ValueError:
            raise AlertConfigError(f"Prefect Secret block {secret_block!r} not found") from None
        url = SecretStr(str(value))
    if url is None:
        return None
    return SecretStr(webhook.check_webhook(url.get_secret_value()))


@task(cache_policy=NO_CACHE)
def announce_alerts(outbox: Sequence[Alert], catalog: str, source: str) -> list[str]:
    """One Prefect event per alert not announced yet; returns their ids."""
    todo = to_announce(outbox)
    if not todo:
        return []
    for alert in todo:
        emit_event(**messages.event_fields(alert, catalog, source))
    get_run_logger().info(f"{len(todo)} {'event' if len(todo) == 1 else 'events'} emitted for the alerts")
    return [a.alert_id for a in todo]


@task(cache_policy=NO_CACHE)
def deliver_alerts(outbox: Sequence[Alert], url: SecretStr | None) -> list[Attempt]:
    """POST what is pending; what still fails stays pending for the next run."""
    todo = to_deliver(outbox)
    if url is None or not todo:
        return []
    attempts = webhook.send_alerts(url.get_secret_value(), todo)
    pending = len(to_deliver(settle_outbox(todo, (), attempts, datetime.now(UTC))))
    report = webhook.DeliveryReport.of(attempts, pending)
    line = report.line(url.get_secret_value())
    logger = get_run_logger()
    if pending:
        logger.warning(f"{line}; the pending alerts stay in the outbox for the next run")
    else:
        logger.info(line)
    return attempts


@task(cache_policy=NO_CACHE)
def record_alerts(store: OutputStore, outbox: Sequence[Alert], announced: list[str], attempts: list[Attempt]) -> None:
    """The one commit after announcing and delivering; none when neither happened."""
    save_outbox(store, outbox, settle_outbox(outbox, announced, attempts, datetime.now(UTC)))
