"""Delivery under faults: deadlines, the run's budget, stable idempotency keys, notification blocks.

Receivers are real loopback servers: pytest-httpserver, or a raw socket server for answers no
framework sends (a byte at a time, never, or just before the sender is killed). Blocks are
Prefect's own `CustomWebhookNotificationBlock`, saved on the harness's server where a run loads them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from werkzeug import Response

from flows.alerts import destinations
from output import catalog_files, notify, webhook
from output.delivery import BATCH_SIZE, Destination, deliver
from output.store import OutputStore
from tests.docs_repo import cli, finish, make_docs_repo, seed_two_models
from tests.test_alerts import GAMMA, add_gamma, make_alert
from tests.test_crash import cli as killable_cli
from transform import tables
from transform.alerts import Outcome, to_deliver
from transform.tables import Alert


# -- a receiver that answers as no framework would -----------------------------------------------
@dataclass
class Received:
    headers: dict[str, str]
    body: dict


@dataclass
class RawReceiver:
    """Reads each POST whole, then `answer(connection)` replies (or does not)."""

    answer: Callable[[socket.socket], None]
    received: list[Received] = field(default_factory=list)
    sent_bytes: int = 0
    open_connections: list[socket.socket] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def _read_request(conn: socket.socket) -> Received:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")[1:]
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    while len(body) < int(headers.get("content-length", 0)):
        body += conn.recv(65536)
    return Received(headers, json.loads(body) if body else {})


@contextmanager
def raw_receiver(answer: Callable[[RawReceiver, socket.socket], None]) -> Iterator[RawReceiver]:
    server = socket.create_server(("127.0.0.1", 0))
    receiver = RawReceiver(lambda conn: answer(receiver, conn))
    receiver.port = server.getsockname()[1]  # type: ignore[attr-defined]
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            receiver.open_connections.append(conn)
            with conn:
                try:
                    receiver.received.append(_read_request(conn))
                    receiver.answer(conn)
                except OSError:
                    pass  # the sender hung up: what the test is about

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        stop.set()
        for conn in receiver.open_connections:  # a sender left behind must not hold the receiver
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        thread.join()
        server.close()


def drip(receiver: RawReceiver, conn: socket.socket) -> None:
    """A 200 whose 100,000-byte body comes a byte every 0.1 s: each read is quick, the whole never ends."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        conn.sendall(b".")
        receiver.sent_bytes += 1
        threading.Event().wait(0.1)


def silence(receiver: RawReceiver, conn: socket.socket) -> None:
    """Reads the request, never answers, until the sender hangs up."""
    conn.settimeout(600)
    while conn.recv(1):
        pass


# -- one request, one deadline -------------------------------------------------------------------
def test_a_webhook_dripping_its_answer_is_cut_at_the_whole_request_deadline():
    with raw_receiver(drip) as receiver:
        outcome = webhook.post_json(receiver.url, {"text": "hi"}, timeout=1.0)

    assert outcome == Outcome("retry", "no whole answer within 1 s")
    assert len(receiver.received) == 1
    assert receiver.sent_bytes < 100_000  # the sender hung up long before the answer's end


def test_a_webhook_that_never_answers_is_cut_at_the_deadline():
    with raw_receiver(silence) as receiver:
        outcome = webhook.post_json(receiver.url, {"text": "hi"}, timeout=1.0)
    assert outcome.result == "retry" and "within 1 s" in outcome.detail


def test_each_batch_carries_a_key_made_of_its_alert_ids_the_same_on_every_resend(httpserver: HTTPServer):
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    batch = [make_alert("gamma"), make_alert("delta")]
    send = webhook.webhook_sender(httpserver.url_for("/hook"))

    assert [send(batch).result, send(list(reversed(batch))).result] == ["retry", "delivered"]

    keys = [request.headers["Idempotency-Key"] for request, _ in httpserver.log]
    assert keys == [webhook.idempotency_key([batch[0].alert_id, batch[1].alert_id])] * 2
    assert keys[0] != webhook.idempotency_key([batch[0].alert_id])
    assert [m["alert_id"] for m in httpserver.log[0][0].json["models"]] == [a.alert_id for a in batch]


# -- the run: batches, saves, budget -------------------------------------------------------------
@dataclass
class FakeClock:
    """The run's time, moved only by sends and sleeps, so the budget is tested without waiting."""

    now: float = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def always(result: str, clock: FakeClock, cost: float, log: list[int]) -> Callable[[list[Alert]], Outcome]:
    def send(batch: list[Alert]) -> Outcome:
        clock.now += cost
        log.append(len(batch))
        return Outcome(result, "HTTP 503" if result == "retry" else "HTTP 200")

    return send


def test_the_outbox_is_saved_after_every_attempt_and_each_destination_gets_its_own_record():
    outbox = [make_alert(f"m{i}") for i in range(BATCH_SIZE + 1)]
    clock, sent, saves = FakeClock(), [], []
    hook = Destination("webhook http://h", always("delivered", clock, 1.0, sent), 10.0)

    final, [report] = deliver(outbox, [hook], saves.append, clock=lambda: clock.now, sleep=clock.sleep)

    assert sent == [BATCH_SIZE, 1]
    assert [len(to_deliver(saved)) for saved in saves] == [1, 0]  # the first batch is on disk before the second
    assert {a.status for a in final} == {tables.DELIVERED}
    assert (report.delivered, report.pending, report.rejected) == (BATCH_SIZE + 1, 0, 0)


def test_the_runs_delivery_time_is_bounded_and_what_did_not_fit_stays_pending():
    clock, log_a, log_b, log_c, saves = FakeClock(), [], [], [], []
    down = [
        Destination("webhook http://a", always("retry", clock, 10.0, log_a), 10.0),
        Destination("block custom-webhook/b", always("retry", clock, 10.0, log_b), 10.0),
        Destination("block custom-webhook/c", always("delivered", clock, 10.0, log_c), 10.0),
    ]

    final, reports = deliver(
        [make_alert()], down, saves.append, budget_s=60, retry_delays=(1, 5), clock=lambda: clock.now, sleep=clock.sleep
    )

    # a: tries at 0, 11 and 26 s; b: at 36 and 47 s (a third would end past 60 s); c: no time left
    assert (len(log_a), len(log_b), log_c) == (3, 2, [])
    assert clock.now <= 60
    assert [(r.destination, r.pending) for r in reports] == [(d.key, 1) for d in down]
    [alert] = final
    assert alert.status == tables.PENDING and alert.attempts == 5
    assert len(saves) == 2  # one per attempted batch; none for the destination never tried


# -- notification blocks -------------------------------------------------------------------------
def custom_block(url: str, **kw):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    return CustomWebhookNotificationBlock(
        name="model-catalog test", url=url, json_data={"text": "{{subject}}\n{{body}}"}, **kw
    )


@pytest.mark.parametrize(("status", "result"), [(200, "delivered"), (500, "retry"), (404, "rejected")])
def test_a_block_message_names_each_alert_and_its_failure_reads_as_a_webhooks(httpserver, status, result):
    httpserver.expect_request("/notify", method="POST").respond_with_data("x", status=status)
    alert = make_alert("gamma")

    outcome = notify.notify_once(custom_block(httpserver.url_for("/notify")), [alert])

    assert outcome.result == result
    [(request, _)] = httpserver.log
    text = request.json["text"]
    assert text.startswith("Box AI model catalog: 1 added\n• added acme__gamma")
    assert alert.alert_id in text


def test_a_block_that_never_answers_is_not_awaited_past_its_deadline():
    with raw_receiver(silence) as receiver:
        outcome = notify.notify_once(custom_block(receiver.url, timeout=600), [make_alert()], timeout=1.0)
    assert outcome == Outcome("retry", "no answer within 1 s")


def run(repo, out: Path, cache: Path, **kw):
    from flows.catalog import catalog_flow

    state = catalog_flow(source=str(repo.path), out=str(out), cache_dir=str(cache), return_state=True, **kw)
    return state, state.result()


@pytest.mark.usefixtures("prefect_harness")
def test_notify_sends_through_a_saved_block_and_a_failure_ends_the_run_undelivered(tmp_path, httpserver):
    from prefect.blocks.system import Secret

    answers = iter([500, 500, 500, 200])  # the run tries three times, the next run once
    httpserver.expect_request("/team", method="POST").respond_with_handler(
        lambda request: Response("x", status=next(answers))
    )
    custom_block(httpserver.url_for("/team")).save("catalog-team", overwrite=True)
    Secret(value="not a notifier").save("catalog-secret", overwrite=True)
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, locales=["en"], notify=["catalog-team"])
    add_gamma(repo)

    failed, summary = run(repo, out, cache, locales=["en"], notify=["catalog-team"])
    assert (failed.is_completed(), failed.name, summary["undelivered"]) == (True, "Undelivered", 1)
    assert "1 alert undelivered" in summary["line"]
    [pending] = [a for a in catalog_files.read_outbox(OutputStore(out)) if a.card_id == GAMMA]
    assert pending.status == tables.PENDING and pending.notifications[0].last_error == "HTTP 500"

    fixed, summary = run(repo, out, cache, locales=["en"], notify=["custom-webhook/catalog-team"])
    again, _ = run(repo, out, cache, locales=["en"], notify=["catalog-team"])

    assert (fixed.name, summary["undelivered"], again.name) == ("Completed", 0, "Completed")
    texts = [request.json["text"] for request, _ in httpserver.log]
    assert len(texts) == 4 and len(set(texts)) == 1 and pending.alert_id in texts[0]
    [sent] = [a for a in catalog_files.read_outbox(OutputStore(out)) if a.card_id == GAMMA]
    assert sent.status == tables.DELIVERED
    assert [(n.destination, n.status, n.attempts) for n in sent.notifications] == [
        ("block custom-webhook/catalog-team", tables.DELIVERED, 4)
    ]
    for name, why in (("no-such-block", "no saved Prefect block is called"), ("catalog-secret", "not a notification")):
        with pytest.raises(ValueError, match=why):
            run(repo, out, cache, locales=["en"], notify=[name])


def test_cli_exits_3_on_undelivered_alerts_only_when_asked(tmp_path, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("no", status=500)
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    base = ("run", "--source", str(repo.path), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"))
    hook = ("--alert-webhook", httpserver.url_for("/hook"), "--locale", "en")
    assert cli(*base, *hook).returncode == 0
    add_gamma(repo)

    lenient = cli(*base, *hook)
    strict = cli(*base, *hook, "--fail-on-undelivered", "--json")

    assert lenient.returncode == 0, lenient.stderr
    assert "1 delivered" not in lenient.stderr and "0 delivered, 1 pending" in lenient.stderr
    assert strict.returncode == 3, strict.stderr
    assert json.loads(strict.stdout)["undelivered"] == 1


# -- a kill right after the receiver said 200 ----------------------------------------------------
@pytest.mark.usefixtures("prefect_harness")
def test_a_kill_after_the_200_resends_the_same_alerts_with_the_same_key(tmp_path):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    args = ["run", "--source", str(repo.path), "--cache-dir", str(cache), "--locale", "en"]
    assert finish(killable_cli(args, out))[0] == 0
    add_gamma(repo)
    runs: list = []

    def ok_then_kill(receiver: RawReceiver, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        if len(receiver.received) == 1:
            os.kill(runs[0].pid, signal.SIGKILL)  # the sender has its 200, its outbox maybe not

    with raw_receiver(ok_then_kill) as receiver:
        hook = ["--alert-webhook", receiver.url]
        runs.append(killable_cli([*args, *hook], out))
        assert finish(runs[0])[0] == -signal.SIGKILL
        code, err = finish(killable_cli([*args, *hook], out))
        assert code == 0, err
        finish(killable_cli([*args, *hook], out))

    first, *resent = receiver.received
    assert len(resent) <= 1  # at least once, at most once more, never again after a recorded delivery
    for again in resent:
        assert again.headers["idempotency-key"] == first.headers["idempotency-key"]
        assert [m["alert_id"] for m in again.body["models"]] == [m["alert_id"] for m in first.body["models"]]
    assert [m["card_id"] for m in first.body["models"]] == [GAMMA]
    [alert] = [a for a in catalog_files.read_outbox(OutputStore(out)) if a.card_id == GAMMA]
    assert alert.status == tables.DELIVERED


def test_a_webhook_given_as_a_secret_is_keyed_by_host_only():
    [destination] = destinations(SecretStr("https://bot:pw@hooks.example.com/services/T/B/C"), [])
    assert destination.key == "webhook https://hooks.example.com"
