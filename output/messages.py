"""What alerts say: the Prefect event, the webhook body and its Slack text.

Pure rendering of outbox rows for people and for automations; sending is elsewhere
(`output/webhook.py`, the flow's Prefect tasks).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from transform.tables import ALERT_KINDS, LAG_ALERT, Alert

EVENT_PREFIX = "model-catalog.model"
TEXT_LINES = 20  # model lines in the Slack `text` before "… and N more"
SUBJECT = "Box AI model catalog"


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
        "model": _value(alert.model),
    }


def event_fields(alert: Alert, catalog: str, source: str) -> dict[str, Any]:
    """Keyword arguments for Prefect's `emit_event`: one event per alert, its resource the model.

    `catalog` is the output location and `source` the docs repository (public URL): both are
    related resources and labels, so an Automation can tell catalogs apart.
    """
    model = _value(alert.model) or {}
    labels = {
        "prefect.resource.id": f"{EVENT_PREFIX}.{alert.locale}.{alert.card_id}",
        "prefect.resource.name": alert.model_name or alert.api_name or alert.card_id,
        "model-catalog.locale": alert.locale,
        "model-catalog.catalog": catalog,
        "model-catalog.card-id": alert.card_id,
        "model-catalog.api-name": alert.api_name,
        "model-catalog.tier": model.get("tier"),
        "model-catalog.provider": model.get("provider"),
    }
    related = [
        {"prefect.resource.id": f"model-catalog.catalog.{catalog}", "prefect.resource.role": "catalog"},
        {"prefect.resource.id": f"model-catalog.source.{source}", "prefect.resource.role": "source"},
    ]
    return {
        "event": f"{EVENT_PREFIX}.{alert.change}",
        "resource": {k: str(v) for k, v in labels.items() if v is not None},
        "related": related,
        "payload": alert_record(alert),
    }


def _counts(alerts: Sequence[Alert]) -> str:
    counts = {kind: sum(a.change == kind for a in alerts) for kind in ALERT_KINDS}
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n)


def _short(text: str | None, limit: int = 120) -> str:
    text = "null" if text is None else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str | None) -> str:
    return _short(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(alert: Alert, escape: Callable[[str], str], code: str) -> str:
    name = f"{code}{escape(alert.api_name or alert.card_id)}{code}"
    if alert.model_name:
        name += f" ({escape(alert.model_name)})"
    if alert.change == LAG_ALERT:
        (f,) = alert.fields
        return (
            f"• {alert.locale} behind on {name}, {f.field} since {alert.committed_at:%Y-%m-%d}: "
            f"en {escape(_short(f.old_value, 60))}, ja {escape(_short(f.new_value, 60))}"
        )
    line = f"• {alert.change} {name} [{alert.locale}]"
    if alert.fields:
        changed = "; ".join(
            f"{f.field}: {escape(_short(f.old_value, 60))} → {escape(_short(f.new_value, 60))}" for f in alert.fields
        )
        line += f": {changed}"
    return line


def _lines(alerts: Sequence[Alert], line: Callable[[Alert], str]) -> list[str]:
    lines = [line(a) for a in alerts[:TEXT_LINES]]
    if len(alerts) > TEXT_LINES:
        lines.append(f"… and {len(alerts) - TEXT_LINES} more")
    return lines


def slack_text(alerts: Sequence[Alert]) -> str:
    """Slack mrkdwn: one summary line, then one line per model (the first few of many)."""
    return "\n".join([f"*{SUBJECT}*: {_counts(alerts)}", *_lines(alerts, lambda a: _line(a, _slack, "`"))])


def notification(alerts: Sequence[Alert]) -> tuple[str, str]:
    """Subject and plain-text body for a Prefect notification block (Slack, Teams, email, ...); each
    line ends with the alert's id, so a reader can tell a message resent after a lost answer."""
    body = _lines(alerts, lambda a: f"{_line(a, str, '')} (id {a.alert_id})")
    return f"{SUBJECT}: {_counts(alerts)}", "\n".join(body)


def webhook_body(alerts: Sequence[Alert]) -> dict[str, Any]:
    """JSON for any endpoint, with a `text` that makes the same body a Slack incoming-webhook message."""
    return {
        "text": slack_text(alerts),
        "source": "model-catalog",
        "counts": {kind: sum(a.change == kind for a in alerts) for kind in ALERT_KINDS},
        "models": [alert_record(a) for a in alerts],
    }
