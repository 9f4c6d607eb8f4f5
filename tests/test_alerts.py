"""Change alerts: pure derivation and formatting, the outbox, real HTTP delivery, and the flow end to end.

Webhooks are real local HTTP servers (pytest-httpserver); events and artifacts are read back
from the Prefect server of the `prefect_harness` fixture through Prefect's own client.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer

from output import catalog_files, messages, reports
from output import webhook as webhooks
from output.store import OutputStore
from tests.docs_repo import (
    card_href,
    card_md,
    cli,
    imported_packages,
    index_md,
    make_docs_repo,
    seed_two_models,
    tile_md,
)
from transform import alerts, tables
from transform.alerts import Outcome
from transform.tables import Alert, FieldChange

T1 = datetime(2025, 1, 10, 10, tzinfo=UTC)
T2 = datetime(2025, 2, 1, 10, tzinfo=UTC)
GAMMA = "box-ai/ai-models/gamma-model-card"
SECRET = "s3cr3t-token"
ALPHA_PILLS = ["Chat", "Available", "Standard"]  # as seed_two_models has them
BETA_PILLS = ["Chat", "Preview", "Premium"]


# -- pure: which changes alert, grouped per model ------------------------------------------
def change(card: str, kind: str, field: str | None = None, old=None, new=None, locale: str = "en") -> dict:
    return {
        "locale": locale,
        "card_id": f"box-ai/ai-models/{card}",
        "api_name": f"acme__{card}",
        "change": kind,
        "field": field,
        "old_value": None if old is None else json.dumps(old),
        "new_value": None if new is None else json.dumps(new),
        "from_commit": "a" * 40,
        "to_commit": "b" * 40,
        "committed_at": T2,
        "detected_at": T2,
        "run_id": "run-1",
    }


def version(card: str, name: str, valid_from: datetime, valid_to: datetime | None = None, **values) -> dict:
    return {
        "card_id": f"box-ai/ai-models/{card}",
        "locale": "en",
        "api_name": f"acme__{card}",
        "model_name": name,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "is_current": valid_to is None,
        **values,
    }


CHANGE_ROWS = [
    change("gamma", "added"),
    change("old", "removed"),
    change("alpha", "modified", "tier", "standard", "premium"),
    change("alpha", "modified", "description", "A small model.", "A smaller model."),
    change("alpha", "modified", "availability", ["available"], ["available", "deprecated"]),
    change("beta", "modified", "description", "A big model.", "A bigger model."),
]
VERSION_ROWS = [
    version("gamma", "Acme Gamma", T2, tier="premium", compliance=["FedRAMP High"], input_context_tokens=200_000),
    version("old", "Acme Old", T1, T2),
    version("alpha", "Acme Alpha", T1, T2),
    version("alpha", "Acme Alpha 2", T2),
    version("beta", "Acme Beta", T1),
]


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (
            None,
            {
                ("added", "gamma", ()),
                ("removed", "old", ()),
                ("modified", "alpha", ("tier", "availability")),
            },
        ),
        (["added"], {("added", "gamma", ())}),
        (["description"], {("modified", "alpha", ("description",)), ("modified", "beta", ("description",))}),
        (
            ["removed", "modified"],
            {
                ("removed", "old", ()),
                ("modified", "alpha", ("tier", "description", "availability")),
                ("modified", "beta", ("description",)),
            },
        ),
    ],
)
def test_alerts_are_one_per_model_with_only_the_chosen_fields(tokens, expected):
    found = alerts.derive_alerts(CHANGE_ROWS, VERSION_ROWS, alerts.alert_rule(tokens), status=tables.PENDING)

    assert {(a.change, a.card_id.rsplit("/", 1)[1], tuple(f.field for f in a.fields)) for a in found} == expected


def test_alert_names_come_from_the_version_of_the_commit():
    found = alerts.derive_alerts(CHANGE_ROWS, VERSION_ROWS, alerts.alert_rule(), status=tables.PENDING)
    names = {a.card_id.rsplit("/", 1)[1]: a.model_name for a in found}
    assert names == {"gamma": "Acme Gamma", "old": "Acme Old", "alpha": "Acme Alpha 2"}
    alpha = next(a for a in found if a.change == "modified")
    assert alpha.fields[0] == FieldChange("tier", '"standard"', '"premium"')
    assert alpha.alert_id == alerts.alert_id("b" * 40, "en", "box-ai/ai-models/alpha", "modified", alpha.fields)


def test_an_alert_carries_the_model_as_it_was_at_the_commit():
    found = alerts.derive_alerts(CHANGE_ROWS, VERSION_ROWS, alerts.alert_rule(), status=tables.PENDING)
    gamma = next(a for a in found if a.change == "added")
    model = json.loads(gamma.model)
    assert set(model) == set(tables.MODEL_ATTRIBUTES)
    assert (model["model_name"], model["tier"], model["compliance"], model["input_context_tokens"]) == (
        "Acme Gamma",
        "premium",
        ["FedRAMP High"],
        200_000,
    )
    removed = next(a for a in found if a.change == "removed")
    assert json.loads(removed.model)["model_name"] == "Acme Old"  # a removed model: its last version


def test_alert_ids_say_where_and_what_changed():
    """A revert at the same commit of a rewritten branch must not reuse the alert of the change it undoes."""
    tier = FieldChange("tier", '"standard"', '"premium"')
    back = FieldChange("tier", '"premium"', '"standard"')
    at = ("b" * 40, "en", "box-ai/ai-models/alpha", "modified")

    assert alerts.alert_id(*at, (tier,)) == alerts.alert_id(*at, (tier,))
    assert alerts.alert_id(*at, (tier,)) != alerts.alert_id(*at, (back,))
    assert alerts.alert_id(*at, (tier, back)) == alerts.alert_id(*at, (back, tier))  # fields come in any order
    assert alerts.alert_id(*at) != alerts.alert_id("c" * 40, *at[1:])


@pytest.mark.parametrize("token", ["everything", "models", "source_commit", "tier_raw"])
def test_unknown_alert_on_is_refused(token):
    with pytest.raises(alerts.AlertConfigError, match=f"cannot alert on '{token}'"):
        alerts.alert_rule([token])


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com"),
        (f"https://bot:{SECRET}@alerts.example.com:8443/hook?token={SECRET}", "https://alerts.example.com:8443"),
        ("http://127.0.0.1:9/x", "http://127.0.0.1:9"),
    ],
)
def test_webhook_label_shows_scheme_and_host_only(url, label):
    assert webhooks.check_webhook(url) == url
    assert webhooks.webhook_label(url) == label


@pytest.mark.parametrize("url", [f"ftp://u:{SECRET}@example.com/x", "hooks.slack.com/services/x", "https://"])
def test_a_webhook_that_is_not_http_is_refused_without_its_secret(url):
    with pytest.raises(alerts.AlertConfigError) as info:
        webhooks.check_webhook(url)
    assert SECRET not in str(info.value)


def make_alert(card: str = "gamma", kind: str = "added", **kw) -> Alert:
    fields = kw.pop("fields", ())
    return Alert(
        alert_id=alerts.alert_id("c" * 40, "en", f"box-ai/ai-models/{card}", kind),
        change=kind,
        locale="en",
        card_id=f"box-ai/ai-models/{card}",
        api_name=f"acme__{card}",
        model_name=f"Acme {card.title()}",
        fields=fields,
        from_commit="b" * 40,
        to_commit="c" * 40,
        committed_at=T2,
        detected_at=T2,
        run_id="run-2",
        **kw,
    )


def test_merge_keeps_what_the_outbox_already_knows():
    sent = make_alert(status=tables.DELIVERED, attempts=1, delivered_at=T2)
    again = make_alert()  # the same change, derived again (e.g. by a backfill)
    other = make_alert("delta")

    merged = alerts.merge_outbox([sent], [again, other, other])

    assert [(a.card_id, a.status) for a in merged] == [
        ("box-ai/ai-models/gamma", tables.DELIVERED),
        ("box-ai/ai-models/delta", tables.PENDING),
    ]
    assert alerts.to_deliver(merged) == [other]


@pytest.mark.parametrize(
    ("outcome", "status", "error"),
    [
        (Outcome("delivered", "HTTP 200"), tables.DELIVERED, None),
        (Outcome("retry", "HTTP 503 Service Unavailable"), tables.PENDING, "HTTP 503 Service Unavailable"),
        (Outcome("rejected", "HTTP 404 Not Found"), tables.REJECTED, "HTTP 404 Not Found"),
    ],
)
def test_record_outcome(outcome, status, error):
    attempt = alerts.Attempt(frozenset({make_alert().alert_id}), outcome, 1, "webhook http://h")
    alert = alerts.record_outcome(make_alert(attempts=2), attempt, T2, ["webhook http://h"])
    assert (alert.status, alert.attempts, alert.last_error) == (status, 3, error)
    assert alert.delivered_at == (T2 if status == tables.DELIVERED else None)
    [record] = alert.notifications
    assert (record.destination, record.status, record.attempts) == ("webhook http://h", status, 1)


def test_an_alert_is_delivered_once_every_destination_took_it_and_each_gets_it_once():
    hook, team = "webhook http://h", "block slack-webhook/team"
    alert = make_alert()
    ids = frozenset({alert.alert_id})
    took = alerts.settle_outbox([alert], (), [alerts.Attempt(ids, Outcome("delivered"), 1, hook)], T2, [hook, team])

    assert [a.status for a in took] == [tables.PENDING]  # the block still owes it
    assert alerts.to_deliver(took, hook) == [] and alerts.to_deliver(took, team) == took

    down = alerts.settle_outbox(
        took, (), [alerts.Attempt(ids, Outcome("retry", "HTTP 503"), 2, team)], T2, [hook, team]
    )
    assert (down[0].status, down[0].last_error, alerts.to_deliver(down, team)) == (tables.PENDING, "HTTP 503", down)

    done = alerts.settle_outbox(down, (), [alerts.Attempt(ids, Outcome("delivered"), 1, team)], T2, [hook, team])
    assert (done[0].status, done[0].attempts, done[0].last_error) == (tables.DELIVERED, 4, None)
    assert {(n.destination, n.status, n.attempts) for n in done[0].notifications} == {
        (hook, tables.DELIVERED, 1),
        (team, tables.DELIVERED, 3),
    }
    refused = alerts.settle_outbox(
        took, (), [alerts.Attempt(ids, Outcome("rejected", "HTTP 404"), 1, team)], T2, [hook, team]
    )
    assert refused[0].status == tables.REJECTED


def test_webhook_body_lists_models_and_has_a_slack_text():
    tier = FieldChange("tier", '"standard"', '"premium"')
    body = messages.webhook_body([make_alert(), make_alert("a<b>&c", "modified", fields=(tier,))])

    assert body["counts"] == {"added": 1, "removed": 0, "modified": 1, "translation_lag": 0}
    assert body["models"][1] == {
        "alert_id": alerts.alert_id("c" * 40, "en", "box-ai/ai-models/a<b>&c", "modified"),
        "change": "modified",
        "locale": "en",
        "card_id": "box-ai/ai-models/a<b>&c",
        "api_name": "acme__a<b>&c",
        "model_name": "Acme A<B>&C",
        "fields": [{"field": "tier", "old": "standard", "new": "premium"}],
        "from_commit": "b" * 40,
        "to_commit": "c" * 40,
        "committed_at": "2025-02-01T10:00:00Z",
        "model": None,
    }
    assert body["text"].splitlines() == [
        "*Box AI model catalog*: 1 added, 1 modified",
        "• added `acme__gamma` (Acme Gamma) [en]",
        '• modified `acme__a&lt;b&gt;&amp;c` (Acme A&lt;B&gt;&amp;C) [en]: tier: "standard" → "premium"',
    ]


# -- pure: translation lag open too long -----------------------------------------------------------
HEAD = ("d" * 40, datetime(2025, 2, 10, 10, tzinfo=UTC))


def lag(kind="value_differs", field="tier", since=T1, open_=True, days=31.0, card="alpha") -> tables.Lag:
    values = ('"premium"', '"standard"') if kind == "value_differs" else ("{}", None)
    until = None if open_ else T2
    return tables.Lag(f"box-ai/ai-models/{card}", f"acme__{card}", kind, field, *values, since, until, days, open_)


def lag_alerts(lags, versions=VERSION_ROWS, days=7.0):
    return alerts.lag_alerts(lags, versions, HEAD, days=days, detected_at=T2, run_id="run-1", status=tables.PENDING)


def test_a_lag_alerts_once_it_is_open_longer_than_the_limit():
    found = lag_alerts([lag(days=7.5), lag(field="rank", days=7.0), lag(field="category", open_=False, days=40.0)])

    [alert] = found
    assert (alert.change, alert.card_id, alert.api_name, alert.model_name) == (
        "translation_lag",
        "box-ai/ai-models/alpha",
        "acme__alpha",
        "Acme Alpha 2",
    )
    assert alert.fields == (FieldChange("tier", '"premium"', '"standard"'),)
    assert (alert.committed_at, alert.to_commit, alert.from_commit) == (T1, "d" * 40, None)
    # the same stretch, longer by a later run: the same id, so merge_outbox keeps the first
    assert lag_alerts([lag(days=9.0)])[0].alert_id == alert.alert_id
    assert lag_alerts([lag(days=9.0, since=T2)])[0].alert_id != alert.alert_id


def test_a_lag_alert_names_the_locale_that_trails():
    en_moved = [{**version("alpha", "Acme Alpha", T1), "locale": "ja"}, version("alpha", "Acme Alpha", T1, T2)]
    ja_moved = [{**version("alpha", "Acme Alpha", T1, T2), "locale": "ja"}, version("alpha", "Acme Alpha", T1)]
    assert [a.locale for a in lag_alerts([lag(since=T2)], en_moved)] == ["ja"]
    assert [a.locale for a in lag_alerts([lag(since=T2)], ja_moved)] == ["en"]
    assert [a.locale for a in lag_alerts([lag("missing_in_ja", None)])] == ["ja"]
    assert [a.locale for a in lag_alerts([lag("missing_in_en", None)])] == ["en"]
    assert lag_alerts([lag("missing_in_en", None)])[0].fields[0].field == "missing_in_en"


def test_a_lag_alert_reads_as_one_line_and_one_table_row():
    [alert] = lag_alerts([lag(days=8.0)])
    body = messages.webhook_body([alert])
    assert body["counts"]["translation_lag"] == 1
    assert body["text"].splitlines() == [
        "*Box AI model catalog*: 1 translation lag",
        '• ja behind on `acme__alpha` (Acme Alpha 2), tier since 2025-01-10: en "premium", ja "standard"',
    ]


def test_event_names_the_model_and_carries_its_attributes_catalog_and_source():
    model = {"api_name": "acme__alpha", "tier": "premium", "provider": "Acme", "input_context_tokens": 128000}
    alert = replace(
        make_alert("alpha", "modified", fields=(FieldChange("tier", None, '"premium"'),)), model=json.dumps(model)
    )
    event = messages.event_fields(alert, "/srv/catalog", "https://example.com/docs.git")
    assert event["event"] == "model-catalog.model.modified"
    assert event["resource"] == {
        "prefect.resource.id": "model-catalog.model.en.box-ai/ai-models/alpha",
        "prefect.resource.name": "Acme Alpha",
        "model-catalog.locale": "en",
        "model-catalog.catalog": "/srv/catalog",
        "model-catalog.card-id": "box-ai/ai-models/alpha",
        "model-catalog.api-name": "acme__alpha",
        "model-catalog.tier": "premium",
        "model-catalog.provider": "Acme",
    }
    assert event["related"] == [
        {"prefect.resource.id": "model-catalog.catalog./srv/catalog", "prefect.resource.role": "catalog"},
        {"prefect.resource.id": "model-catalog.source.https://example.com/docs.git", "prefect.resource.role": "source"},
    ]
    assert event["payload"]["fields"] == [{"field": "tier", "old": None, "new": "premium"}]
    assert event["payload"]["model"] == model


def test_outbox_round_trips_through_its_file(tmp_path):
    store = OutputStore(tmp_path)
    outbox = [
        make_alert(fields=()),
        make_alert(
            "alpha",
            "modified",
            fields=(FieldChange("tier", None, '"premium"'),),
            status=tables.REJECTED,
            attempts=1,
            last_error="HTTP 404 Not Found",
            last_attempt_at=T2,
            announced_at=T2,
            notifications=(tables.Notification("webhook http://h", tables.REJECTED, 1, "HTTP 404 Not Found", T2),),
        ),
    ]
    catalog_files.save_outbox(store, [], outbox)

    assert catalog_files.read_outbox(store) == outbox
    assert json.loads((tmp_path / "alerts" / "outbox.json").read_text())[1]["status"] == "rejected"


# -- real HTTP: what a POST achieved -------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "result"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (503, "retry"),
        (500, "retry"),
        (429, "retry"),
        (404, "rejected"),
        (400, "rejected"),
        (302, "rejected"),
    ],
)
def test_post_json_classifies_the_answer(httpserver: HTTPServer, status, result):
    headers = {"Location": httpserver.url_for("/elsewhere")} if status == 302 else None
    httpserver.expect_request("/hook", method="POST").respond_with_data("x", status=status, headers=headers)

    outcome = webhooks.post_json(httpserver.url_for("/hook"), {"text": "hi"})

    assert outcome.result == result
    assert [r.path for r, _ in httpserver.log] == ["/hook"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_post_json_to_a_closed_port_is_retried_later():
    outcome = webhooks.post_json(f"http://127.0.0.1:{free_port()}/hook", {"text": "hi"}, timeout=5)
    assert outcome.result == "retry"
    assert "refused" in outcome.detail.lower()


def test_credentials_in_the_url_become_basic_auth(httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook").replace("http://", f"http://bot:{SECRET}@")

    assert webhooks.post_json(url, {"text": "hi"}).result == "delivered"

    [(request, _)] = httpserver.log
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"bot:{SECRET}".encode()).decode()
    assert request.json == {"text": "hi"}


# -- the flow, end to end ------------------------------------------------------------------
def run(repo, out: Path, cache: Path, **kw):
    from flows.catalog import catalog_flow

    state = catalog_flow(source=str(repo.path), out=str(out), cache_dir=str(cache), return_state=True, **kw)
    return state.state_details.flow_run_id, state.result()


def add_gamma(repo) -> None:
    """The English catalog gains one model: its card and its tile."""
    repo.write("en", "gamma-model-card.md", card_md("acme__gamma", title="Acme Gamma"))
    repo.write(
        "en",
        "index.md",
        index_md(
            {
                "Core Box AI Models": [
                    tile_md("acme__alpha", card_href("alpha-model-card"), "A small model.", ALPHA_PILLS),
                    tile_md("acme__beta_1_5", card_href("beta-model-card"), "A big model.", BETA_PILLS),
                    tile_md("acme__gamma", card_href("gamma-model-card"), "A new model.", ["Chat", "Available"]),
                ]
            }
        ),
    )
    repo.commit("en", "Add Acme Gamma", "2025-02-01T10:00:00+00:00")


def posted(server: HTTPServer) -> list[dict]:
    return [request.json for request, response in server.log if response.status_code < 300]


def outbox(out: Path) -> list[Alert]:
    return catalog_files.read_outbox(OutputStore(out))


def wait_for(read, what: str, deadline_s: float = 90):
    """Poll Prefect's API until `read()` is truthy: events are persisted asynchronously."""
    end = time.monotonic() + deadline_s
    while True:
        found = read()
        if found or time.monotonic() > end:
            assert found, f"no {what} after {deadline_s}s"
            return found
        time.sleep(0.5)


def model_events(flow_run_id) -> list:
    """The run's `model-catalog.*` events, read once the run's own Completed event has been stored."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventRelatedFilter, EventResourceFilter
    from prefect.events.worker import EventsWorker

    EventsWorker.instance().wait_until_empty()
    run_resource = f"prefect.flow-run.{flow_run_id}"
    with get_client(sync_client=True) as client:

        def read(**filters):
            return client.read_events(EventFilter(**filters), limit=50).events

        wait_for(
            lambda: read(
                event=EventNameFilter(name=["prefect.flow-run.Completed"]),
                resource=EventResourceFilter(id=[run_resource]),
            ),
            "Completed event",
        )
        return read(event=EventNameFilter(prefix=["model-catalog."]), related=EventRelatedFilter(id=[run_resource]))


def run_artifacts(flow_run_id) -> dict[str, Any]:
    """The run's artifacts by key, each checked to hang off the flow run itself, not a task."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    assert all(a.flow_run_id == flow_run_id and a.task_run_id is None for a in found)
    return {a.key: a for a in found}


def changes_artifact(flow_run_id, out) -> Any:
    return run_artifacts(flow_run_id).get(reports.artifact_key(OutputStore(out).uri, "changes"))


@pytest.fixture
def webhook(httpserver: HTTPServer) -> SecretStr:
    return SecretStr(httpserver.url_for("/hook"))


@pytest.mark.usefixtures("prefect_harness")
def test_a_new_card_alerts_once_by_webhook_event_and_artifact(tmp_path, httpserver: HTTPServer, webhook):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"

    baseline_run, _ = run(repo, out, cache, alert_webhook=webhook)
    assert httpserver.log == []  # the baseline records four `added` changes and sends nothing
    assert {a.status for a in outbox(out)} == {tables.SUPPRESSED}
    baseline = changes_artifact(baseline_run, out)
    assert baseline.data.startswith("# Model catalog baseline") and "**en**: 2 models" in baseline.data
    assert model_events(baseline_run) == []

    add_gamma(repo)
    gained_run, summary = run(repo, out, cache, alert_webhook=webhook)

    assert summary["changes"]["added"] == 1
    [body] = posted(httpserver)
    assert [(m["change"], m["locale"], m["card_id"], m["api_name"], m["model_name"]) for m in body["models"]] == [
        ("added", "en", GAMMA, "acme__gamma", "Acme Gamma")
    ]
    assert body["text"].startswith("*Box AI model catalog*: 1 added\n• added `acme__gamma` (Acme Gamma) [en]")
    [event] = model_events(gained_run)
    assert event.event == "model-catalog.model.added"
    assert event.resource.id == f"model-catalog.model.en.{GAMMA}"
    assert event.payload["api_name"] == "acme__gamma" and event.payload["model_name"] == "Acme Gamma"
    artifact = changes_artifact(gained_run, out)
    assert artifact.type == "markdown"
    assert f"| en | [Acme Gamma](https://developer.box.com/guides/{GAMMA}/) | `acme__gamma` |" in artifact.data
    gamma = [a for a in outbox(out) if a.card_id == GAMMA]
    assert [(a.status, a.attempts) for a in gamma] == [(tables.DELIVERED, 1)]
    assert gamma[0].announced_at is not None

    again_run, _ = run(repo, out, cache, alert_webhook=webhook)

    assert len(httpserver.log) == 1
    assert model_events(again_run) == []
    assert run_artifacts(again_run) == {}  # no new commit: the last artifacts still hold


@pytest.mark.usefixtures("prefect_harness")
def test_a_webhook_that_fails_gets_the_alert_on_the_next_run_exactly_once(tmp_path, httpserver: HTTPServer, webhook):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, alert_webhook=webhook)
    add_gamma(repo)
    httpserver.expect_request("/hook", method="POST").respond_with_data("down", status=503)

    run(repo, out, cache, alert_webhook=webhook)

    assert [r.status_code for _, r in httpserver.log] == [503, 503, 503]  # the first try and two retries
    [gamma] = [a for a in outbox(out) if a.card_id == GAMMA]
    assert (gamma.status, gamma.attempts, gamma.last_error) == (tables.PENDING, 3, "HTTP 503 SERVICE UNAVAILABLE")

    httpserver.clear()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    run(repo, out, cache, alert_webhook=webhook)  # no new commit: only the outbox is worked on
    run(repo, out, cache, alert_webhook=webhook)

    [body] = posted(httpserver)
    assert [m["card_id"] for m in body["models"]] == [GAMMA]
    assert len(httpserver.log) == 1
    [gamma] = [a for a in outbox(out) if a.card_id == GAMMA]
    assert (gamma.status, gamma.attempts, gamma.last_error) == (tables.DELIVERED, 4, None)


@pytest.mark.usefixtures("prefect_harness")
def test_a_webhook_that_is_down_then_up_gets_the_alert(tmp_path):
    port = free_port()
    webhook = SecretStr(f"http://127.0.0.1:{port}/hook")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, alert_webhook=webhook)
    add_gamma(repo)

    run(repo, out, cache, alert_webhook=webhook)  # connection refused, three times

    [gamma] = [a for a in outbox(out) if a.card_id == GAMMA]
    assert (gamma.status, gamma.attempts) == (tables.PENDING, 3)

    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    server.start()
    try:
        run(repo, out, cache, alert_webhook=webhook)
        run(repo, out, cache, alert_webhook=webhook)
    finally:
        server.stop()
    [body] = posted(server)
    assert [m["card_id"] for m in body["models"]] == [GAMMA]
    assert len(server.log) == 1


@pytest.mark.usefixtures("prefect_harness")
def test_a_4xx_is_a_permanent_failure_not_retried(tmp_path, httpserver: HTTPServer, webhook):
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, alert_webhook=webhook, locales=["en"])
    add_gamma(repo)
    httpserver.expect_request("/hook", method="POST").respond_with_data("no such hook", status=404)

    run(repo, out, cache, alert_webhook=webhook, locales=["en"])
    run(repo, out, cache, alert_webhook=webhook, locales=["en"])

    assert [r.status_code for _, r in httpserver.log] == [404]
    [gamma] = [a for a in outbox(out) if a.card_id == GAMMA]
    assert (gamma.status, gamma.last_error) == (tables.REJECTED, "HTTP 404 NOT FOUND")


@pytest.mark.usefixtures("prefect_harness")
def test_a_tier_change_alerts_with_old_and_new_and_other_fields_do_not(tmp_path, httpserver: HTTPServer, webhook):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, alert_webhook=webhook, locales=["en"])
    alpha = card_md("acme__alpha", title="Acme Alpha", summary="Now with a new description.")
    repo.write("en", "alpha-model-card.md", alpha)
    repo.commit("en", "Reword Alpha", "2025-02-01T10:00:00+00:00")
    repo.write(
        "en",
        "index.md",
        index_md(
            {
                "Core Box AI Models": [
                    tile_md("acme__alpha", card_href("alpha-model-card"), "A small model.", ["Chat", "Deprecated"]),
                    tile_md("acme__beta_1_5", card_href("beta-model-card"), "A big model.", ["Chat", "Premium"]),
                ]
            }
        ),
    )
    repo.commit("en", "Deprecate Alpha, Beta is premium", "2025-03-01T10:00:00+00:00")

    run(repo, out, cache, alert_webhook=webhook, locales=["en"])

    [body] = posted(httpserver)
    fields = {
        (m["api_name"], f["field"], json.dumps(f["old"]), json.dumps(f["new"]))
        for m in body["models"]
        for f in m["fields"]
    }
    assert ("acme__alpha", "availability", '["available"]', '["deprecated"]') in fields
    assert {f for _, f, _, _ in fields} <= set(alerts.DEFAULT_ALERT_ON)  # not description, not badges
    assert all(m["change"] == "modified" for m in body["models"])


@pytest.mark.usefixtures("prefect_harness")
def test_backfill_sends_nothing_unless_asked_and_never_twice(tmp_path, httpserver: HTTPServer, webhook):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    add_gamma(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"

    run(repo, out, cache, alert_webhook=webhook, locales=["en"], mode="backfill")
    assert httpserver.log == []

    run(repo, out, cache, alert_webhook=webhook, locales=["en"], mode="backfill", alert_baseline=True)
    run(repo, out, cache, alert_webhook=webhook, locales=["en"], mode="backfill", alert_baseline=True)

    assert httpserver.log == []  # the rebuilt history yields the same alerts, already recorded
    assert len(outbox(out)) == 3  # alpha and beta added, then gamma added

    fresh = tmp_path / "fresh"
    run(repo, fresh, cache, alert_webhook=webhook, locales=["en"], mode="backfill", alert_baseline=True)
    [body] = posted(httpserver)
    assert sorted(m["api_name"] for m in body["models"]) == ["acme__alpha", "acme__beta_1_5", "acme__gamma"]


@pytest.mark.usefixtures("prefect_harness")
def test_a_translation_lag_open_too_long_is_sent_once(tmp_path, httpserver: HTTPServer, webhook):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, alert_webhook=webhook, alert_lag_days=2)
    add_gamma(repo)  # 2025-02-01 in en only

    run(repo, out, cache, alert_webhook=webhook, alert_lag_days=2)  # open 0 days: the en head is gamma's commit
    repo.commit_other("en", "Unrelated", "2025-02-04T10:00:00+00:00")
    run(repo, out, cache, alert_webhook=webhook, alert_lag_days=2)  # open 3 days
    repo.commit_other("en", "Unrelated again", "2025-02-05T10:00:00+00:00")
    run(repo, out, cache, alert_webhook=webhook, alert_lag_days=2)  # 4 days: the same stretch, no new alert

    bodies = posted(httpserver)
    assert [[m["change"] for m in body["models"]] for body in bodies] == [["added"], ["translation_lag"]]
    [lagging] = bodies[1]["models"]
    assert (lagging["locale"], lagging["card_id"], lagging["committed_at"]) == ("ja", GAMMA, "2025-02-01T10:00:00Z")
    assert lagging["fields"][0]["field"] == "missing_in_ja" and lagging["fields"][0]["new"] is None
    assert [a.status for a in outbox(out) if a.change == "translation_lag"] == [tables.DELIVERED]


@pytest.mark.usefixtures("prefect_harness")
def test_no_webhook_still_announces_and_sends_nothing_later(tmp_path, httpserver: HTTPServer, webhook):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(repo, out, cache, locales=["en"])
    add_gamma(repo)

    flow_run_id, _ = run(repo, out, cache, locales=["en"])
    run(repo, out, cache, alert_webhook=webhook, locales=["en"])

    assert [a.status for a in outbox(out) if a.card_id == GAMMA] == [tables.NO_WEBHOOK]
    assert "acme__gamma" in changes_artifact(flow_run_id, out).data
    assert httpserver.log == []


def test_cli_webhook_from_the_environment_keeps_its_credentials_out_of_everything(tmp_path, httpserver: HTTPServer):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hook").replace("http://", f"http://bot:{SECRET}@") + f"?token={SECRET}"
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    out = tmp_path / "out"
    args = ("run", "--source", str(repo.path), "--out", str(out), "--cache-dir", str(tmp_path / "cache"))
    env = {"MODEL_CATALOG_ALERT_WEBHOOK": url, "PREFECT_LOGGING_LEVEL": "DEBUG"}

    first = cli(*args, "--locale", "en", env=env)
    add_gamma(repo)
    second = cli(*args, "--locale", "en", "--alert-on", "added", env=env)

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    [(request, _)] = httpserver.log
    assert request.args["token"] == SECRET and request.authorization.password == SECRET
    assert [m["api_name"] for m in request.json["models"]] == ["acme__gamma"]
    assert f"webhook http://{httpserver.host}:{httpserver.port}: 1 delivered" in second.stdout + second.stderr
    for text in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert SECRET not in text
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--alert-webhook", f"ftp://bot:{SECRET}@example.com/hook"), "is not an http(s) URL"),
        (("--alert-on", "everything"), "cannot alert on 'everything'"),
    ],
)
def test_cli_refuses_bad_alert_options_in_one_line(tmp_path, args, message):
    result = cli("run", "--source", str(tmp_path), "--out", str(tmp_path / "out"), *args, env={})
    assert result.returncode == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert message in result.stderr and SECRET not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_delivers_what_is_pending_on_a_run_with_nothing_new_without_loading_polars(tmp_path, httpserver):
    """The outbox path (announce, deliver) stays on the light side of the lazy imports."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("busy", status=503)
    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)
    args = ("run", "--source", str(repo.path), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"))
    env = {"MODEL_CATALOG_ALERT_WEBHOOK": httpserver.url_for("/hook")}
    baseline = cli(*args, "--locale", "en", env=env)
    add_gamma(repo)
    refused = cli(*args, "--locale", "en", "--alert-on", "added", env=env)
    httpserver.clear()
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")

    again = cli(*args, "--locale", "en", "--alert-on", "added", env={**env, "PYTHONPROFILEIMPORTTIME": "1"})

    assert baseline.returncode == refused.returncode == again.returncode == 0, refused.stderr + again.stderr
    assert "alerts stay in the outbox" in refused.stdout + refused.stderr
    assert "en: no new commit" in again.stdout + again.stderr
    [(request, _)] = httpserver.log
    assert [m["api_name"] for m in request.json["models"]] == ["acme__gamma"]
    assert not {"polars", "markdown_it", "pyromark"} & imported_packages(again.stderr)
