"""The README's Automation, created on a real Prefect server, fires when the pipeline adds a premium model.

The server is `prefect_test_harness`'s: a real API process whose trigger and action services
run. The automation's notification goes to a custom webhook block aimed at a local HTTP server.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from flows.catalog import catalog_flow
from tests.docs_repo import card_href, card_md, index_md, make_docs_repo, seed_two_models, tile_md

ROOT = Path(__file__).resolve().parents[1]
NOTIFIED_WITHIN_S = 120  # how long to wait for the server's services; not a speed claim


def readme_automation() -> dict:
    """The JSON example of the README's Automation, as a user would paste it."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r'```json\n(\{\n  "name": "premium model added".*?)\n```', readme, re.S)
    assert block, "the README's Automation example is missing"
    return json.loads(block.group(1))


def add_models(repo) -> None:
    """One premium model and one standard model are added in one commit."""
    repo.write("en", "gamma-model-card.md", card_md("acme__gamma", title="Acme Gamma", category="Premium"))
    repo.write("en", "delta-model-card.md", card_md("acme__delta", title="Acme Delta"))
    tiles = [
        tile_md("acme__alpha", card_href("alpha-model-card"), "A small model.", ["Chat", "Available", "Standard"]),
        tile_md("acme__beta_1_5", card_href("beta-model-card"), "A big model.", ["Chat", "Preview", "Premium"]),
        tile_md("acme__gamma", card_href("gamma-model-card"), "A new model.", ["Chat", "Available", "Premium"]),
        tile_md("acme__delta", card_href("delta-model-card"), "Another.", ["Chat", "Available", "Standard"]),
    ]
    repo.write("en", "index.md", index_md({"Core Box AI Models": tiles}))
    repo.commit("en", "Add Acme Gamma and Acme Delta", "2025-02-01T10:00:00+00:00")


def notifications(server: HTTPServer, want: int) -> list[dict]:
    deadline = time.monotonic() + NOTIFIED_WITHIN_S
    while time.monotonic() < deadline and len(server.log) < want:
        time.sleep(0.5)
    return [request.get_json() for request, _ in server.log]


@pytest.mark.usefixtures("prefect_harness")
def test_the_readme_automation_fires_once_for_an_added_premium_model(tmp_path, httpserver: HTTPServer):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.client.orchestration import get_client
    from prefect.events.schemas.automations import AutomationCore

    httpserver.expect_request("/notify", method="POST").respond_with_data("ok")
    block = CustomWebhookNotificationBlock(
        name="premium", url=httpserver.url_for("/notify"), json_data={"text": "{{subject}}: {{body}}"}
    )
    block_id = block.save("model-catalog-test-premium", overwrite=True)
    spec = readme_automation()
    spec["actions"][0]["block_document_id"] = str(block_id)
    with get_client(sync_client=True) as client:
        client.create_automation(AutomationCore.model_validate(spec))

    repo = make_docs_repo(tmp_path)
    seed_two_models(repo)  # the baseline is quiet: it alerts and announces nothing
    out, cache = tmp_path / "out", tmp_path / "cache"
    catalog_flow(source=str(repo.path), out=str(out), locales=["en"], cache_dir=str(cache))
    add_models(repo)
    catalog_flow(source=str(repo.path), out=str(out), locales=["en"], cache_dir=str(cache))

    got = notifications(httpserver, want=1)
    assert got == [{"text": "New premium model: Acme Gamma was added"}]
    time.sleep(2)  # a second, wrong notification (for the standard model) would have arrived by now
    assert len(httpserver.log) == 1
