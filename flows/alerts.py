"""Prefect tasks that tell people about changes: events, the webhook and notification blocks.

Orchestration only: what an alert says lives in `output/messages.py`, how it is sent in
`output/webhook.py`, `output/notify.py` and `output/delivery.py`, and what becomes of it in
`transform/alerts.py`. The webhook URL travels as a `SecretStr` (Prefect stores it as
`**********`) and is shown in logs as scheme and host only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from pydantic import SecretStr

from output import messages, notify, webhook
from output.catalog_files import save_outbox
from output.delivery import DeliveryReport, Destination, deliver
from output.store import OutputStore
from transform.alerts import AlertConfigError, settle_outbox, to_announce
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


def _block_slug(name: str) -> str:
    """`slack-webhook/team` as given, or the one saved block called `team`, whatever its type."""
    if "/" in name:
        return name
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        found = [d for d in client.read_block_documents(include_secrets=False) if d.name == name and d.block_type]
    slugs = sorted(f"{d.block_type.slug}/{d.name}" for d in found if d.block_type)
    if not slugs:
        raise AlertConfigError(f"no saved Prefect block is called {name!r}")
    if len(slugs) > 1:
        raise AlertConfigError(f"several Prefect blocks are called {name!r}: name one as {' or '.join(slugs)}")
    return slugs[0]


def resolve_notify(names: Sequence[str]) -> list[tuple[str, notify.Notifier]]:
    """Each `--notify` block, loaded, keyed `block TYPE/NAME`; one that cannot notify is refused in one line."""
    from prefect.blocks.abstract import NotificationBlock
    from prefect.blocks.core import Block

    loaded = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        slug = _block_slug(name)
        try:
            block = Block.load(slug)
        except (ValueError, KeyError) as exc:
            raise AlertConfigError(f"cannot load Prefect block {slug!r}: {str(exc).splitlines()[0]}") from None
        if not isinstance(block, NotificationBlock):
            raise AlertConfigError(f"Prefect block {slug!r} is a {type(block).__name__}, not a notification block")
        loaded.append((f"block {slug}", block))
    return loaded


def destinations(url: SecretStr | None, blocks: Sequence[tuple[str, notify.Notifier]]) -> list[Destination]:
    found = []
    if url is not None:
        target = url.get_secret_value()
        key = f"webhook {webhook.webhook_label(target)}"
        found.append(Destination(key, webhook.webhook_sender(target), webhook.TIMEOUT_S))
    found += [Destination(key, notify.block_sender(block), notify.TIMEOUT_S) for key, block in blocks]
    return found


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
def deliver_alerts(
    store: OutputStore, outbox: Sequence[Alert], announced: list[str], to: list[Destination]
) -> list[DeliveryReport]:
    """Record the announcements, then send what is pending; the outbox is saved after each attempt."""
    saved = list(outbox)

    def save(after: list[Alert]) -> None:
        nonlocal saved
        save_outbox(store, saved, after)  # nothing when nothing moved
        saved = after

    final, reports = deliver(settle_outbox(outbox, announced, (), datetime.now(UTC)), to, save)
    save(final)  # the announcements, when nothing was attempted
    logger = get_run_logger()
    for report in reports:
        if report.pending or report.rejected:
            logger.warning(f"{report.line}; pending alerts stay in the outbox for the next run")
        elif report.delivered:
            logger.info(report.line)
    return reports
