"""What alerts say: the Prefect event, the Markdown artifact, the webhook body and its Slack text.

Pure rendering of outbox rows for people and for automations; sending is elsewhere
(`output/webhook.py`, the flow's Prefect tasks).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from transform.tables import ALERT_KINDS, LAG_ALERT, Alert

ARTIFACT_KEY = "model-catalog-changes"
EVENT_PREFIX = "model-catalog.model"
TEXT_LINES = 20  # model lines in the Slack `text` before "… and N more"


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
    counts = {kind: sum(a.change == kind for a in alerts) for kind in ALERT_KINDS}
    return ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n)


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
    lagging = [a for a in alerts if a.change == LAG_ALERT]
    if lagging:
        lines += ["", "## Translation lag", "", "| behind | API name | field | en | ja | since | measured to |"]
        lines.append("|---|---|---|---|---|---|---|")
        lines += [
            f"| {a.locale} | `{_cell(a.api_name)}` | {f.field} | `{_cell(f.old_value)}` | `{_cell(f.new_value)}` | "
            f"{a.committed_at:%Y-%m-%d} | {a.to_commit[:10]} |"
            for a in lagging
            for f in a.fields
        ]
    return "\n".join(lines) + "\n"


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_line(alert: Alert) -> str:
    name = f"`{_slack(alert.api_name or alert.card_id)}`"
    if alert.model_name:
        name += f" ({_slack(alert.model_name)})"
    if alert.change == LAG_ALERT:
        (f,) = alert.fields
        return (
            f"• {alert.locale} behind on {name}, {f.field} since {alert.committed_at:%Y-%m-%d}: "
            f"en {_slack(_short(f.old_value, 60))}, ja {_slack(_short(f.new_value, 60))}"
        )
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
        "counts": {kind: sum(a.change == kind for a in alerts) for kind in ALERT_KINDS},
        "models": [alert_record(a) for a in alerts],
    }
