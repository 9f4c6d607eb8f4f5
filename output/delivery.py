"""Delivery of the outbox's pending alerts to each destination: batches, retries, deadlines.

At least once, with a stable id: an answer lost to a kill after the receiver accepted a batch
means the batch goes again on the next run, with the same alert ids and the same
`Idempotency-Key`. The outbox is saved after every attempt to keep that window short, and
the run's delivery time is bounded so that a slow receiver cannot hold the output lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from extract.sources import redact
from transform.alerts import Attempt, Outcome, settle_outbox, to_deliver
from transform.tables import Alert

BATCH_SIZE = 50  # models per message: keeps a chat message readable and under its size limit
RETRY_DELAYS_S = (1.0, 5.0)  # within a run; what still fails waits for the next run
BUDGET_S = 60.0  # the run's whole delivery time, every destination and retry included


@dataclass(frozen=True)
class Destination:
    """Where alerts go: `key` names it in the outbox and in logs (never a secret); `send` sends one batch
    within its own deadline, `deadline_s`."""

    key: str
    send: Callable[[Sequence[Alert]], Outcome]
    deadline_s: float


@dataclass(frozen=True)
class DeliveryReport:
    """One destination's part of a run."""

    destination: str
    delivered: int
    pending: int
    rejected: int
    last_error: str | None = None

    @property
    def line(self) -> str:
        counts = f"{self.delivered} delivered, {self.pending} pending, {self.rejected} rejected"
        text = f"{self.destination}: {counts}"
        return f"{text} ({self.last_error})" if self.last_error else text


def undelivered(reports: Sequence[DeliveryReport]) -> int:
    """Alerts some destination has not taken: the count that ends a run `Undelivered`."""
    return sum(r.pending + r.rejected for r in reports)


def _report(destination: str, attempts: Sequence[Attempt], pending: int) -> DeliveryReport:
    failed = [a.outcome.detail for a in attempts if a.outcome.result != "delivered"]
    return DeliveryReport(
        destination=destination,
        delivered=sum(len(a.alert_ids) for a in attempts if a.outcome.result == "delivered"),
        pending=pending,
        rejected=sum(len(a.alert_ids) for a in attempts if a.outcome.result == "rejected"),
        last_error=redact(failed[-1]) if failed else None,
    )


def deliver(
    outbox: Sequence[Alert],
    destinations: Sequence[Destination],
    save: Callable[[list[Alert]], None],
    *,
    budget_s: float = BUDGET_S,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Alert], list[DeliveryReport]]:
    """Send what each destination still owes, batch by batch; `save` gets the outbox after each attempt.

    A try starts only while its whole deadline fits in what is left of `budget_s`. A destination
    stops at its first batch that still fails in a way that may pass (it is down): the rest stay
    pending for the next run.
    """
    keys = [d.key for d in destinations]
    started = clock()
    reports = []
    for destination in destinations:
        todo = to_deliver(outbox, destination.key)
        attempts: list[Attempt] = []
        for start in range(0, len(todo), BATCH_SIZE):
            batch = todo[start : start + BATCH_SIZE]
            outcome, tries = None, 0
            for delay in (0.0, *retry_delays):
                if outcome is not None and outcome.result != "retry":
                    break
                if clock() - started + delay + destination.deadline_s > budget_s:
                    break
                if delay:
                    sleep(delay)
                outcome, tries = destination.send(batch), tries + 1
            if outcome is None:
                break  # out of time before the first try: nothing to record
            attempt = Attempt(frozenset(a.alert_id for a in batch), outcome, tries, destination.key)
            attempts.append(attempt)
            outbox = settle_outbox(outbox, (), [attempt], datetime.now(UTC), keys)
            save(list(outbox))
            if outcome.result == "retry":
                break
        reports.append(_report(destination.key, attempts, len(to_deliver(outbox, destination.key))))
    return list(outbox), reports
