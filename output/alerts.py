"""Change alerts: which changes alert, the outbox that remembers them, and webhook delivery.

Alerts are derived from the change rows a run recorded, grouped per model, locale and
commit, and kept in `alerts/outbox.parquet` with a stable id, so a crash, a webhook that
is down or a second run can neither lose an alert nor send it twice. Everything here is
pure except the outbox file functions and `post_json` / `deliver_outbox` (the HTTP I/O).
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

import pyarrow as pa

from extract.sources import redact
from output.store import OutputStore, Transaction, read_parquet
from output.tables import CHANGE_KINDS, COMPARED_FIELDS

if TYPE_CHECKING:
    import polars as pl

OUTBOX_NAME = "alerts/outbox"
ARTIFACT_KEY = "model-catalog-changes"
EVENT_PREFIX = "model-catalog.model"
DEFAULT_ALERT_ON = ("added", "removed", "availability", "deprecated_on", "tier", "api_name")
BATCH_SIZE = 50  # models per webhook POST: keeps a Slack message readable and under its size limit
TEXT_LINES = 20  # model lines in the Slack `text` before "… and N more"
TIMEOUT_S = 10.0

# Webhook status of an outbox entry. Only `pending` is ever sent.
PENDING = "pending"  # to be sent; stays so across runs until the webhook accepts it
DELIVERED = "delivered"  # accepted (2xx); never sent again
REJECTED = "rejected"  # refused with a 4xx: a permanent failure, not retried
SUPPRESSED = "suppressed"  # recorded by a baseline or backfill: nothing is sent
NO_WEBHOOK = "no_webhook"  # recorded while no webhook was configured: events and artifact only

FIELD_CHANGE = pa.struct([("field", pa.string()), ("old_value", pa.string()), ("new_value", pa.string())])
TIMESTAMP = pa.timestamp("us", tz="UTC")
OUTBOX = pa.schema(
    [
        ("alert_id", pa.string()),
        ("change", pa.string()),
        ("locale", pa.string()),
        ("card_id", pa.string()),
        ("api_name", pa.string()),
        ("model_name", pa.string()),
        ("fields", pa.list_(FIELD_CHANGE)),
        ("from_commit", pa.string()),
        ("to_commit", pa.string()),
        ("committed_at", TIMESTAMP),
        ("detected_at", TIMESTAMP),
        ("run_id", pa.string()),
        ("status", pa.string()),
        ("attempts", pa.int64()),
        ("last_error", pa.string()),
        ("last_attempt_at", TIMESTAMP),
        ("delivered_at", TIMESTAMP),
        ("announced_at", TIMESTAMP),
    ]
)


class AlertConfigError(ValueError):
    """An alert option that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    old_value: str | None  # JSON text, as in changes.parquet
    new_value: str | None


@dataclass(frozen=True)
class Alert:
    """One model's change in one locale at one commit, and what became of it."""

    alert_id: str
    change: str
    locale: str
    card_id: str
    api_name: str | None
    model_name: str | None
    fields: tuple[FieldChange, ...]
    from_commit: str | None
    to_commit: str
    committed_at: datetime
    detected_at: datetime
    run_id: str
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    announced_at: datetime | None = None


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


def check_webhook(url: str) -> str:
    """An http(s) URL with a host, or a one-line refusal that never shows its credentials."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AlertConfigError(f"alert webhook {webhook_label(text)!r} is not an http(s) URL")
    return text


def webhook_label(url: str) -> str:
    """The webhook as logs may show it: scheme and host only (a Slack URL's path is its secret)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:
        return "<unparsable URL>"
    if not parts.scheme or not host:
        return "<not a URL>"
    return f"{parts.scheme}://{host}"


def alert_id(to_commit: str, locale: str, card_id: str, change: str) -> str:
    """Stable across runs and backfills, so an outbox merge can recognise an alert it already has."""
    return hashlib.sha256(f"{to_commit}\0{locale}\0{card_id}\0{change}".encode()).hexdigest()[:32]


def _model_names(versions: pl.DataFrame) -> dict[tuple[str, str], list[tuple[datetime, str | None]]]:
    names: dict[tuple[str, str], list[tuple[datetime, str | None]]] = {}
    for row in versions.select("locale", "card_id", "valid_from", "model_name").iter_rows(named=True):
        names.setdefault((row["locale"], row["card_id"]), []).append((row["valid_from"], row["model_name"]))
    return names


def _name_at(names: list[tuple[datetime, str | None]], at: datetime) -> str | None:
    """The model name of the version valid at `at` (for a removed card: its last version)."""
    known = [(since, name) for since, name in names if since is not None and since <= at]
    return max(known, key=lambda pair: pair[0])[1] if known else None


def derive_alerts(changes: pl.DataFrame, versions: pl.DataFrame, rule: AlertRule, *, status: str) -> list[Alert]:
    """One alert per (commit, locale, card) whose change rows `rule` selects; names come from `versions`."""
    names = _model_names(versions)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in changes.iter_rows(named=True):
        if rule.matches(row["change"], row["field"]):
            groups.setdefault((row["to_commit"], row["locale"], row["card_id"]), []).append(row)
    alerts = []
    for (to_commit, locale, card_id), rows in groups.items():
        first = rows[0]
        fields = tuple(
            FieldChange(r["field"], r["old_value"], r["new_value"]) for r in rows if r["change"] == "modified"
        )
        alerts.append(
            Alert(
                alert_id=alert_id(to_commit, locale, card_id, first["change"]),
                change=first["change"],
                locale=locale,
                card_id=card_id,
                api_name=first["api_name"],
                model_name=_name_at(names.get((locale, card_id), []), first["committed_at"]),
                fields=fields,
                from_commit=first["from_commit"],
                to_commit=to_commit,
                committed_at=first["committed_at"],
                detected_at=first["detected_at"],
                run_id=first["run_id"],
                status=status,
            )
        )
    return sorted(alerts, key=lambda a: (a.committed_at, a.locale, a.card_id))


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


def to_deliver(outbox: Iterable[Alert]) -> list[Alert]:
    return [a for a in outbox if a.status == PENDING]


def mark_announced(outbox: Sequence[Alert], ids: set[str], at: datetime) -> list[Alert]:
    return [replace(a, announced_at=at) if a.alert_id in ids else a for a in outbox]


@dataclass(frozen=True)
class Outcome:
    """What one POST achieved: `delivered`, `retry` (the next attempt may work) or `rejected`."""

    result: str
    detail: str = ""


def record_outcome(outbox: Sequence[Alert], ids: set[str], outcome: Outcome, at: datetime) -> list[Alert]:
    status = {"delivered": DELIVERED, "rejected": REJECTED}.get(outcome.result, PENDING)
    return [
        replace(
            a,
            status=status,
            attempts=a.attempts + 1,
            last_attempt_at=at,
            last_error=None if status == DELIVERED else redact(outcome.detail),
            delivered_at=at if status == DELIVERED else a.delivered_at,
        )
        if a.alert_id in ids
        else a
        for a in outbox
    ]


# -- what is said: event, artifact, webhook body ---------------------------------------------
def _value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _fields(alert: Alert) -> list[dict[str, Any]]:
    return [{"field": f.field, "old": _value(f.old_value), "new": _value(f.new_value)} for f in alert.fields]


def alert_record(alert: Alert) -> dict[str, Any]:
    """The alert as users see it in the webhook body and the event payload."""
    return {
        "alert_id": alert.alert_id,
        "change": alert.change,
        "locale": alert.locale,
        "card_id": alert.card_id,
        "api_name": alert.api_name,
        "model_name": alert.model_name,
        "fields": _fields(alert),
        "from_commit": alert.from_commit,
        "to_commit": alert.to_commit,
        "committed_at": alert.committed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }


def event_fields(alert: Alert) -> dict[str, Any]:
    """Keyword arguments for Prefect's `emit_event`: one event per alert, its resource the model."""
    labels = {
        "prefect.resource.id": f"{EVENT_PREFIX}.{alert.locale}.{alert.card_id}",
        "prefect.resource.name": alert.model_name or alert.api_name or alert.card_id,
        "model-catalog.locale": alert.locale,
        "model-catalog.card-id": alert.card_id,
        "model-catalog.api-name": alert.api_name,
    }
    return {
        "event": f"{EVENT_PREFIX}.{alert.change}",
        "resource": {k: v for k, v in labels.items() if v is not None},
        "payload": alert_record(alert),
    }


def _counts(alerts: Sequence[Alert]) -> str:
    counts = {kind: sum(a.change == kind for a in alerts) for kind in CHANGE_KINDS}
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)


def _short(text: str | None, limit: int = 120) -> str:
    text = "null" if text is None else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str | None) -> str:
    return _short(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_markdown(alerts: Sequence[Alert]) -> str:
    """The run's artifact: added, removed, and modified fields with old and new values."""
    lines = ["# Model catalog changes", "", f"{len(alerts)} models changed: {_counts(alerts)}."]
    for kind in ("added", "removed"):
        rows = [a for a in alerts if a.change == kind]
        if rows:
            lines += ["", f"## {kind.capitalize()}", "", "| locale | API name | model name | card | commit |"]
            lines.append("|---|---|---|---|---|")
            lines += [
                f"| {a.locale} | `{_cell(a.api_name)}` | {_cell(a.model_name)} | {_cell(a.card_id)} | "
                f"{a.to_commit[:10]} |"
                for a in rows
            ]
    modified = [a for a in alerts if a.change == "modified"]
    if modified:
        lines += ["", "## Modified", "", "| locale | API name | field | old | new | commit |"]
        lines.append("|---|---|---|---|---|---|")
        lines += [
            f"| {a.locale} | `{_cell(a.api_name)}` | {f.field} | `{_cell(f.old_value)}` | `{_cell(f.new_value)}` | "
            f"{a.to_commit[:10]} |"
            for a in modified
            for f in a.fields
        ]
    return "\n".join(lines) + "\n"


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_line(alert: Alert) -> str:
    name = f"`{_slack(alert.api_name or alert.card_id)}`"
    if alert.model_name:
        name += f" ({_slack(alert.model_name)})"
    line = f"• {alert.change} {name} [{alert.locale}]"
    if alert.fields:
        changed = "; ".join(
            f"{f.field}: {_slack(_short(f.old_value, 60))} → {_slack(_short(f.new_value, 60))}" for f in alert.fields
        )
        line += f": {changed}"
    return line


def slack_text(alerts: Sequence[Alert]) -> str:
    """Slack mrkdwn: one summary line, then one line per model (the first few of many)."""
    lines = [f"*Box AI model catalog*: {_counts(alerts)}"]
    lines += [_slack_line(a) for a in alerts[:TEXT_LINES]]
    if len(alerts) > TEXT_LINES:
        lines.append(f"… and {len(alerts) - TEXT_LINES} more")
    return "\n".join(lines)


def webhook_body(alerts: Sequence[Alert]) -> dict[str, Any]:
    """JSON for any endpoint, with a `text` that makes the same body a Slack incoming-webhook message."""
    return {
        "text": slack_text(alerts),
        "source": "model-catalog",
        "counts": {kind: sum(a.change == kind for a in alerts) for kind in CHANGE_KINDS},
        "models": [alert_record(a) for a in alerts],
    }


# -- the outbox file --------------------------------------------------------------------------
def _row(alert: Alert) -> dict[str, Any]:
    row = {name: getattr(alert, name) for name in OUTBOX.names if name != "fields"}
    row["fields"] = [{"field": f.field, "old_value": f.old_value, "new_value": f.new_value} for f in alert.fields]
    return row


def outbox_table(outbox: Sequence[Alert]) -> pa.Table:
    rows = [_row(a) for a in outbox]
    return pa.table({name: [r[name] for r in rows] for name in OUTBOX.names}, schema=OUTBOX)


def read_outbox(store: OutputStore) -> list[Alert]:
    table = read_parquet(store.out / f"{OUTBOX_NAME}.parquet", OUTBOX)
    if table is None:
        return []
    return [
        Alert(
            **{k: v for k, v in row.items() if k != "fields"},
            fields=tuple(FieldChange(**f) for f in row["fields"] or []),
        )
        for row in table.to_pylist()
    ]


def put_outbox(txn: Transaction, outbox: Sequence[Alert]) -> None:
    """Stage the outbox in a transaction, e.g. the one that appends the changes it came from."""
    txn.put_table(OUTBOX_NAME, outbox_table(outbox))


def save_outbox(store: OutputStore, outbox: Sequence[Alert]) -> None:
    txn = Transaction()
    put_outbox(txn, outbox)
    store.commit(txn)


# -- delivery ---------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would arrive as a bodiless GET: treat the 3xx as the answer instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _request(url: str, data: bytes) -> urllib.request.Request:
    """A POST; `user:password@` in the URL becomes a Basic Authorization header (urllib would choke)."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "model-catalog"}
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, netloc = netloc.rsplit("@", 1)
        user, _, password = userinfo.partition(":")
        token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(urlunsplit(parts._replace(netloc=netloc)), data=data, headers=headers, method="POST")


def post_json(url: str, body: dict[str, Any], timeout: float = TIMEOUT_S) -> Outcome:
    """POST `body`; connection failures, timeouts, 5xx, 408 and 429 may pass, other 3xx/4xx will not."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = _request(url, json.dumps(body, ensure_ascii=False).encode())
    try:
        with opener.open(request, timeout=timeout) as response:
            return Outcome("delivered", f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        detail = f"HTTP {exc.code} {exc.reason}"
        transient = exc.code >= 500 or exc.code in (408, 429)
        return Outcome("retry" if transient else "rejected", detail)
    except urllib.error.URLError as exc:
        return Outcome("retry", redact(str(exc.reason)))
    except (TimeoutError, OSError) as exc:
        return Outcome("retry", redact(str(exc) or type(exc).__name__))


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    pending: int
    rejected: int
    last_error: str | None = None

    def line(self, url: str) -> str:
        counts = f"{self.delivered} delivered, {self.pending} pending, {self.rejected} rejected"
        text = f"webhook {webhook_label(url)}: {counts}"
        return f"{text} ({self.last_error})" if self.last_error else text


def deliver_outbox(
    store: OutputStore, url: str, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> DeliveryReport:
    """Send every pending alert in batches, saving each batch's outcome before the next is sent.

    Stops at the first batch that may pass later (the endpoint is down); those stay pending.
    """
    outbox = read_outbox(store)
    todo = to_deliver(outbox)
    delivered = rejected = 0
    last_error = None
    for start in range(0, len(todo), BATCH_SIZE):
        batch = todo[start : start + BATCH_SIZE]
        outcome = post_json(url, webhook_body(batch))
        outbox = record_outcome(outbox, {a.alert_id for a in batch}, outcome, now())
        save_outbox(store, outbox)
        if outcome.result == "delivered":
            delivered += len(batch)
        elif outcome.result == "rejected":
            rejected += len(batch)
            last_error = redact(outcome.detail)
        else:
            last_error = redact(outcome.detail)
            break
    return DeliveryReport(delivered, len(to_deliver(outbox)), rejected, last_error)
