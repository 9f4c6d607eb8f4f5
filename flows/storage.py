"""Object-storage credentials from a Prefect block, named by the run (`--storage-block`), never passed in it.

The block is read as a stored document, so a prefect-aws `AwsCredentials` block works without
prefect-aws installed here. Its values go straight to the store; only the name is a parameter.
"""

from __future__ import annotations

from typing import Any

from output.store import OutputError

BLOCK_TYPE = "aws-credentials"  # prefect-aws's AwsCredentials
# AwsCredentials field -> storage option of `output.store.OutputStore`
AWS_FIELDS = {
    "aws_access_key_id": "access_key",
    "aws_secret_access_key": "secret_key",
    "aws_session_token": "session_token",
    "region_name": "region",
    "profile_name": "profile",
}


def storage_options(block: str) -> dict[str, Any]:
    """`block` is `NAME` or `aws-credentials/NAME`."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    slug, _, name = block.rpartition("/")
    slug = slug or BLOCK_TYPE
    if slug != BLOCK_TYPE:
        raise OutputError(f"storage block {block!r}: only {BLOCK_TYPE} blocks (prefect-aws AwsCredentials) are read")
    with get_client(sync_client=True) as client:
        try:
            document = client.read_block_document_by_name(name, block_type_slug=slug, include_secrets=True)
        except ObjectNotFound:
            raise OutputError(f"Prefect block {slug}/{name} not found") from None
    data = document.data
    options = {option: _plain(data[key]) for key, option in AWS_FIELDS.items() if data.get(key)}
    endpoint = (data.get("aws_client_parameters") or {}).get("endpoint_url")
    if endpoint:
        options["endpoint_url"] = str(endpoint)
    return options


def _plain(value: Any) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
