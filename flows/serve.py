"""`model-catalog serve`: the catalog flow as a Prefect deployment on a schedule, served by this process.

A webhook given here is kept in a Prefect Secret block and the deployment names the block,
so the URL (a Slack webhook's path is its secret) never lands in deployment parameters.
"""

from __future__ import annotations

from typing import Any

from extract.sources import redact

DEPLOYMENT = "scheduled"
DEFAULT_CRON = "0 6 * * *"


class ServeError(Exception):
    """The deployment cannot be served; the message is one line for the user."""


def check_api() -> None:
    """Refuse up front, in one line, when PREFECT_API_URL names a server that does not answer."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        url = redact(str(PREFECT_API_URL.value()))
        raise ServeError(f"cannot reach the Prefect API at {url} ({type(error).__name__}); is the server running?")


def store_webhook(url: str) -> str:
    """Save the webhook as the Secret block runs load it from; return the block's name."""
    from prefect.blocks.system import Secret

    from flows.alerts import WEBHOOK_BLOCK

    Secret(value=url).save(WEBHOOK_BLOCK, overwrite=True)
    return WEBHOOK_BLOCK


def serve_catalog(parameters: dict[str, Any], *, cron: str | None, interval: float | None, webhook: str | None) -> None:
    """Create or update the deployment and poll for its scheduled runs until stopped (Ctrl-C, SIGTERM)."""
    from prefect.types.entrypoint import EntrypointType

    from flows.catalog import DESCRIPTION, catalog_flow

    check_api()
    parameters = dict(parameters, mode="run")
    if webhook:
        parameters["alert_webhook_secret"] = store_webhook(webhook)
    catalog_flow.serve(
        name=DEPLOYMENT,
        cron=None if interval else (cron or DEFAULT_CRON),
        interval=interval,
        parameters=parameters,
        tags=["model-catalog"],
        description=DESCRIPTION,
        global_limit=1,  # the deployment's concurrency limit: one catalog, one run at a time
        limit=1,  # and this process runs one at a time: an overlapping run would only wait for the folder lock
        entrypoint_type=EntrypointType.MODULE_PATH,  # importable wherever the package is installed
    )
