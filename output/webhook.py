"""The JSON webhook: the URL checks, one POST under a deadline and what its answer means.

The project's own HTTP client (notification blocks bring Prefect's). A Slack webhook's path
is its secret, so a URL is shown as scheme and host only.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import socket
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from extract.sources import redact
from output.messages import webhook_body
from transform.alerts import AlertConfigError, Outcome, http_outcome
from transform.tables import Alert

TIMEOUT_S = 10.0  # for a whole request, from connecting to the answer's last byte


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


def idempotency_key(alert_ids: Iterable[str]) -> str:
    """The same alerts always make the same key, however often a lost answer makes us resend them."""
    return hashlib.sha256("\0".join(sorted(alert_ids)).encode()).hexdigest()


def _target(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """The connection, the path to POST to, and `user:password@` of the URL as Basic authorization."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "model-catalog"}
    if parts.username is not None:
        token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    host, port = parts.hostname or "", parts.port
    if parts.scheme.lower() == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    return connection, urlunsplit(("", "", parts.path or "/", parts.query, "")), headers


def _cut(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    """Past the deadline: shut the socket, so a read blocked on a dripping answer ends now."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def post_json(
    url: str, body: dict[str, Any], timeout: float = TIMEOUT_S, headers: Mapping[str, str] | None = None
) -> Outcome:
    """POST `body` with `timeout` for the whole request, answer included: a socket timeout bounds
    each read only, and an endpoint dripping its answer a byte at a time would hold the run.

    Connection failures, the deadline, 5xx, 408 and 429 may pass; other 3xx/4xx will not (a
    redirected POST would arrive as a bodiless GET, so a 3xx is the answer).
    """
    connection, path, sent = _target(url, timeout)
    fired = threading.Event()
    deadline = threading.Timer(timeout, _cut, (connection, fired))
    deadline.daemon = True
    deadline.start()
    try:
        connection.request("POST", path, json.dumps(body, ensure_ascii=False).encode(), {**sent, **(headers or {})})
        response = connection.getresponse()
        response.read()
        status, reason = response.status, response.reason
    except (OSError, http.client.HTTPException) as exc:
        if fired.is_set():
            return Outcome("retry", f"no whole answer within {timeout:g} s")
        return Outcome("retry", redact(str(exc) or type(exc).__name__))
    finally:
        deadline.cancel()
        connection.close()
    return http_outcome(status, f"HTTP {status}" if 200 <= status < 300 else f"HTTP {status} {reason}".strip())


def webhook_sender(url: str, timeout: float = TIMEOUT_S) -> Callable[[Sequence[Alert]], Outcome]:
    """One batch to the webhook: the JSON body, its alert ids as the `Idempotency-Key`."""

    def send(batch: Sequence[Alert]) -> Outcome:
        key = idempotency_key(a.alert_id for a in batch)
        return post_json(url, webhook_body(batch), timeout, headers={"Idempotency-Key": key})

    return send
