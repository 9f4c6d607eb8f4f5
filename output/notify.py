"""Alerts through a Prefect notification block (Slack, Teams, Discord, email, custom webhook, ...).

The block is loaded by the flow; this module only sends through it, under a deadline, and
says what its answer means in the outbox's terms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from extract.sources import redact
from output.messages import notification
from transform.alerts import Outcome, http_outcome
from transform.tables import Alert

TIMEOUT_S = 30.0  # a block may retry inside itself (Apprise does); past this its answer is not awaited


class Notifier(Protocol):
    """What this module needs of a Prefect `NotificationBlock`."""

    def notify(self, body: str, subject: str | None = None) -> None: ...

    def raise_on_failure(self) -> AbstractContextManager[None]: ...


def _outcome(exc: BaseException) -> Outcome:
    """An HTTP status a block raises is read as the webhook's is; anything else may pass."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    detail = redact(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__)[:200]
    if not isinstance(status, int):
        return Outcome("retry", detail)
    if status < 300:  # raised, so not taken, whatever the code says
        return Outcome("retry", f"HTTP {status}")
    return http_outcome(status, f"HTTP {status}")  # the status alone, as for a webhook: the URL may hold a secret


def notify_once(block: Notifier, alerts: Sequence[Alert], timeout: float = TIMEOUT_S) -> Outcome:
    """One message through `block`, failures raised (`raise_on_failure`), awaited at most `timeout`.

    A block has no deadline of its own to give: it runs in a thread of its own, and one that has
    not answered in time is left to end by itself while the alerts stay pending.
    """
    subject, body = notification(alerts)
    result: list[Outcome] = []

    def send() -> None:
        try:
            with block.raise_on_failure():
                block.notify(body, subject)
            result.append(Outcome("delivered", "sent"))
        except Exception as exc:  # any failure of a third-party block leaves the alerts pending
            result.append(_outcome(exc))

    worker = threading.Thread(target=send, name="model-catalog-notify", daemon=True)
    worker.start()
    worker.join(timeout)
    return result[0] if result else Outcome("retry", f"no answer within {timeout:g} s")


def block_sender(block: Notifier, timeout: float = TIMEOUT_S) -> Callable[[Sequence[Alert]], Outcome]:
    return lambda batch: notify_once(block, batch, timeout)
