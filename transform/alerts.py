"""Change alerts: which changes alert, one alert per model and commit, and the outbox's rules.

An alert is one model's change in one locale at one commit. Its id is a hash of where and
of what changed, so a rerun or a backfill recognises an alert it already holds (and never
sends it twice), while a different change at the same place, such as the revert of a
rewritten branch, is a new alert.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from extract.sources import redact
from transform.lag import trailing_locale, version_moves
from transform.tables import (
    CHANGE_KINDS,
    COMPARED_FIELDS,
    DELIVERED,
    LAG_ALERT,
    MODEL_ATTRIBUTES,
    NO_WEBHOOK,
    PENDING,
    REJECTED,
    SUPPRESSED,
    Alert,
    FieldChange,
    Lag,
    Notification,
)

DEFAULT_ALERT_ON = ("added", "removed", "availability", "deprecated_on", "tier", "api_name")


class AlertConfigError(ValueError):
    """An alert option that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class AlertRule:
    """Which change rows alert: whole-card kinds, and the fields whose modification alerts."""

    kinds: frozenset[str]
    fields: frozenset[str] = field(default_factory=frozenset)

    def matches(self, change: str, field_name: str | None) -> bool:
        if change != "modified":
            return change in self.kinds
        return "modified" in self.kinds or field_name in self.fields


def alert_rule(tokens: Iterable[str] | None = None) -> AlertRule:
    """`added`, `removed`, `modified` (any field) or a compared field name such as `tier`."""
    tokens = list(tokens) if tokens else list(DEFAULT_ALERT_ON)
    unknown = [t for t in tokens if t not in CHANGE_KINDS and t not in COMPARED_FIELDS]
    if unknown:
        raise AlertConfigError(
            f"cannot alert on {', '.join(map(repr, unknown))}: use added, removed, modified or a field name "
            f"({', '.join(COMPARED_FIELDS)})"
        )
    return AlertRule(
        kinds=frozenset(t for t in tokens if t in CHANGE_KINDS),
        fields=frozenset(t for t in tokens if t in COMPARED_FIELDS),
    )


def alert_status(*, quiet: bool, routed: bool) -> str:
    """A baseline or backfill (`quiet`) sends nothing; otherwise alerts wait for a sender if there is one."""
    if quiet:
        return SUPPRESSED
    return PENDING if routed else NO_WEBHOOK


def alert_id(to_commit: str, locale: str, card_id: str, change: str, fields: Sequence[FieldChange] = ()) -> str:
    """Where and what: the same change at the same commit always has the same id."""
    what = "\0".join(
        f"{f.field}\1{f.old_value}\1{f.new_value}"
        for f in sorted(fields, key=lambda f: (f.field, f.old_value or "", f.new_value or ""))
    )
    return hashlib.sha256(f"{to_commit}\0{locale}\0{card_id}\0{change}\0{what}".encode()).hexdigest()[:32]


def _versions_by_card(versions: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    by_card: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in versions:
        if row["valid_from"] is not None:
            by_card.setdefault((row["locale"], row["card_id"]), []).append(row)
    return by_card


def _version_at(versions: list[Mapping[str, Any]], at: datetime) -> Mapping[str, Any] | None:
    """The version valid at `at` (for a removed card: its last version)."""
    known = [row for row in versions if row["valid_from"] <= at]
    return max(known, key=lambda row: row["valid_from"]) if known else None


def model_attributes(version: Mapping[str, Any] | None) -> str | None:
    """JSON text of what an automation or a reader wants to know about the model."""
    if version is None:
        return None
    return json.dumps({name: version.get(name) for name in MODEL_ATTRIBUTES}, ensure_ascii=False, default=str)


def derive_alerts(
    changes: Iterable[Mapping[str, Any]], versions: Iterable[Mapping[str, Any]], rule: AlertRule, *, status: str
) -> list[Alert]:
    """One alert per (commit, locale, card) whose change rows `rule` selects; the model is read from `versions`."""
    by_card = _versions_by_card(versions)
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for row in changes:
        if rule.matches(row["change"], row["field"]):
            groups.setdefault((row["to_commit"], row["locale"], row["card_id"]), []).append(row)
    alerts = []
    for (to_commit, locale, card_id), rows in groups.items():
        first = rows[0]
        fields = tuple(
            FieldChange(r["field"], r["old_value"], r["new_value"]) for r in rows if r["change"] == "modified"
        )
        version = _version_at(by_card.get((locale, card_id), []), first["committed_at"])
        alerts.append(
            Alert(
                alert_id=alert_id(to_commit, locale, card_id, first["change"], fields),
                change=first["change"],
                locale=locale,
                card_id=card_id,
                api_name=first["api_name"],
                model_name=None if version is None else version["model_name"],
                fields=fields,
                from_commit=first["from_commit"],
                to_commit=to_commit,
                committed_at=first["committed_at"],
                detected_at=first["detected_at"],
                run_id=first["run_id"],
                status=status,
                model=model_attributes(version),
            )
        )
    return sorted(alerts, key=lambda a: (a.committed_at, a.locale, a.card_id))


def lag_alert_id(lag: Lag) -> str:
    """The stretch's key (card, kind, field, since): however long it stays open, it alerts once."""
    where = f"{LAG_ALERT}\0{lag.card_id}\0{lag.kind}\0{lag.field or ''}\0{lag.since.isoformat()}"
    return hashlib.sha256(where.encode()).hexdigest()[:32]


def lag_alerts(
    lags: Iterable[Lag],
    versions: Sequence[Mapping[str, Any]],
    measured_to: tuple[str, datetime],
    *,
    days: float,
    detected_at: datetime,
    run_id: str,
    status: str,
) -> list[Alert]:
    """One alert per stretch open longer than `days`; `measured_to` is the (commit, time) its length runs to.

    `versions` (locale, card_id, valid_from, valid_to and MODEL_ATTRIBUTES) tell which side trails and the model.
    """
    by_card, moves = _versions_by_card(versions), version_moves(versions)
    alerts = []
    for lag in lags:
        if not lag.is_open or lag.lag_days <= days:
            continue
        locale = trailing_locale(lag, moves)
        known = by_card.get(("en", lag.card_id)) or by_card.get(("ja", lag.card_id)) or []
        version = _version_at(known, measured_to[1])
        alerts.append(
            Alert(
                alert_id=lag_alert_id(lag),
                change=LAG_ALERT,
                locale=locale,
                card_id=lag.card_id,
                api_name=lag.api_name,
                model_name=None if version is None else version["model_name"],
                fields=(FieldChange(lag.field or lag.kind, lag.en_value, lag.ja_value),),
                from_commit=None,
                to_commit=measured_to[0],
                committed_at=lag.since,
                detected_at=detected_at,
                run_id=run_id,
                status=status,
                model=model_attributes(version),
            )
        )
    return sorted(alerts, key=lambda a: (a.committed_at, a.card_id, a.fields[0].field))


# -- the outbox: what each alert's state may become ----------------------------------------------


def merge_outbox(outbox: Sequence[Alert], alerts: Iterable[Alert]) -> list[Alert]:
    """Append alerts the outbox does not hold yet; one it holds keeps its status (no resend)."""
    known = {a.alert_id for a in outbox}
    merged = list(outbox)
    for alert in alerts:
        if alert.alert_id not in known:
            known.add(alert.alert_id)
            merged.append(alert)
    return merged


def to_announce(outbox: Iterable[Alert]) -> list[Alert]:
    """Alerts whose event and artifact are still owed: not yet announced, not suppressed."""
    return [a for a in outbox if a.announced_at is None and a.status != SUPPRESSED]


def _settled(alert: Alert, destination: str) -> bool:
    return any(n.destination == destination and n.status != PENDING for n in alert.notifications)


def to_deliver(outbox: Iterable[Alert], destination: str | None = None) -> list[Alert]:
    """Pending alerts; with `destination`, those it has neither accepted nor refused yet."""
    return [a for a in outbox if a.status == PENDING and (destination is None or not _settled(a, destination))]


def mark_announced(outbox: Sequence[Alert], ids: set[str], at: datetime) -> list[Alert]:
    return [replace(a, announced_at=at) if a.alert_id in ids else a for a in outbox]


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt achieved: `delivered`, `retry` (a later attempt may work) or `rejected`."""

    result: str
    detail: str = ""


def http_outcome(status: int, detail: str) -> Outcome:
    """What an HTTP answer means for its alerts: 2xx took them; 5xx, 408 and 429 may pass; any other refuses."""
    if 200 <= status < 300:
        return Outcome("delivered", detail)
    return Outcome("retry" if status >= 500 or status in (408, 429) else "rejected", detail)


@dataclass(frozen=True)
class Attempt:
    """One delivery of a batch of alerts to one destination, and what its answer means."""

    alert_ids: frozenset[str]
    outcome: Outcome  # of the last try
    tries: int
    destination: str  # its key: `webhook <label>` or `block <TYPE/NAME>`


_STATUS = {"delivered": DELIVERED, "rejected": REJECTED}


def _notified(alert: Alert, attempt: Attempt, at: datetime) -> tuple[Notification, ...]:
    status = _STATUS.get(attempt.outcome.result, PENDING)
    before = next((n for n in alert.notifications if n.destination == attempt.destination), None)
    record = Notification(
        destination=attempt.destination,
        status=status,
        attempts=(0 if before is None else before.attempts) + attempt.tries,
        last_error=None if status == DELIVERED else redact(attempt.outcome.detail),
        last_attempt_at=at,
        delivered_at=at if status == DELIVERED else None,
    )
    others = tuple(n for n in alert.notifications if n.destination != attempt.destination)
    return (*others, record)


def record_outcome(alert: Alert, attempt: Attempt, at: datetime, destinations: Sequence[str]) -> Alert:
    """`attempt`'s answer on its destination's record, and the alert's own columns summed up.

    The alert is `delivered` once every destination of the run accepted it, `rejected` once each
    has answered and one refused it, and `pending` while one may still accept it.
    """
    notifications = _notified(alert, attempt, at)
    by_destination = {n.destination: n for n in notifications}
    wanted = [by_destination.get(d) for d in dict.fromkeys((*destinations, attempt.destination))]
    if all(n is not None and n.status == DELIVERED for n in wanted):
        status = DELIVERED
    elif all(n is not None and n.status != PENDING for n in wanted):
        status = REJECTED
    else:
        status = PENDING
    errors = [n.last_error for n in notifications if n.last_error]
    return replace(
        alert,
        status=status,
        attempts=alert.attempts + attempt.tries,
        last_attempt_at=at,
        last_error=None if status == DELIVERED else (errors[-1] if errors else None),
        delivered_at=at if status == DELIVERED else alert.delivered_at,
        notifications=notifications,
    )


def settle_outbox(
    outbox: Sequence[Alert],
    announced: Iterable[str],
    attempts: Iterable[Attempt],
    at: datetime,
    destinations: Sequence[str] = (),
) -> list[Alert]:
    """The outbox once this run's announcements and delivery attempts are recorded."""
    settled = mark_announced(outbox, set(announced), at)
    for attempt in attempts:
        settled = [
            record_outcome(a, attempt, at, destinations) if a.alert_id in attempt.alert_ids else a for a in settled
        ]
    return settled
