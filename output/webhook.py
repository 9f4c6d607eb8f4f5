"""Webhook delivery: the URL checks, the POST and what its answer means.

The only HTTP client of the project. A Slack webhook's path is its secret, so a URL is
shown as scheme and host only.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from extract.sources import redact
from output.messages import webhook_body
from transform.alerts import AlertConfigError, Attempt, Outcome
from transform.tables import Alert

BATCH_SIZE = 50  # models per webhook POST: keeps a Slack message readable and under its size limit
TIMEOUT_S = 10.0
RETRY_DELAYS_S = (1.0, 5.0)  # within a run; what still fails waits for the next run


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


def send_alerts(
    url: str,
    alerts: Sequence[Alert],
    *,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Attempt]:
    """POST `alerts` in batches, each retried after `retry_delays` while its failure may pass.

    Stops at the first batch that still fails that way (the endpoint is down): the rest stay
    pending for the next run. Nothing is saved here: the caller records every attempt in the
    outbox in one commit.
    """
    attempts = []
    for start in range(0, len(alerts), BATCH_SIZE):
        batch = alerts[start : start + BATCH_SIZE]
        body = webhook_body(batch)
        outcome, tries = post_json(url, body), 1
        for delay in retry_delays:
            if outcome.result != "retry":
                break
            sleep(delay)
            outcome, tries = post_json(url, body), tries + 1
        attempts.append(Attempt(frozenset(a.alert_id for a in batch), outcome, tries))
        if outcome.result == "retry":
            break
    return attempts


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    pending: int
    rejected: int
    last_error: str | None = None

    @classmethod
    def of(cls, attempts: Sequence[Attempt], pending: int) -> DeliveryReport:
        failed = [a.outcome.detail for a in attempts if a.outcome.result != "delivered"]
        return cls(
            delivered=sum(len(a.alert_ids) for a in attempts if a.outcome.result == "delivered"),
            pending=pending,
            rejected=sum(len(a.alert_ids) for a in attempts if a.outcome.result == "rejected"),
            last_error=redact(failed[-1]) if failed else None,
        )

    def line(self, url: str) -> str:
        counts = f"{self.delivered} delivered, {self.pending} pending, {self.rejected} rejected"
        text = f"webhook {webhook_label(url)}: {counts}"
        return f"{text} ({self.last_error})" if self.last_error else text
