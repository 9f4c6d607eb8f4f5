"""Where a catalog lives: a local folder, or a prefix in S3, GCS or Azure, opened through `pyarrow.fs`.

Object stores cannot rename, so one writer and an atomic publish rest on conditional writes
(create-if-absent, replace-if-unchanged), which PyArrow does not offer: for S3 they go
through boto3, which also resolves the credentials, so both clients act as one identity.
Credentials come from the standard chains or from `storage_options`; they are kept out of
locations, reprs and error messages.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pyarrow import fs as pafs

OBJECT_SCHEMES = {"s3": "s3", "gs": "gs", "gcs": "gs", "az": "az", "abfs": "az", "abfss": "az"}
# The names `storage_options` takes for S3 (the AWS SDKs' own words where they have one).
S3_OPTIONS = {"access_key", "secret_key", "session_token", "region", "endpoint_url", "profile"}


class OutputError(Exception):
    """The output location cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Stamp:
    """A small object's bytes, the token a conditional write compares against, and its age on the server's clock."""

    data: bytes
    token: str
    age_s: float


class Conditional(Protocol):
    """Writes that succeed only if the object is as the caller last saw it: the store's only locks."""

    def read(self, key: str) -> Stamp | None: ...

    def create(self, key: str, data: bytes) -> str | None:
        """Write `key` only where it does not exist; its new token, or None when another writer was first."""

    def replace(self, key: str, data: bytes, token: str) -> str | None:
        """Overwrite `key` only while its token is still `token`; None when it changed."""

    def delete(self, key: str, token: str) -> None: ...


@dataclass(frozen=True, repr=False)
class Location:
    """An opened output location. `uri` is what users see; `root` is the path inside `fs`."""

    uri: str
    scheme: str  # "file", "s3", "gs" or "az"
    root: str
    fs: pafs.FileSystem
    conditional: Conditional | None

    def __repr__(self) -> str:
        return f"Location({self.uri!r})"

    @property
    def local(self) -> bool:
        return self.scheme == "file"

    def key(self, name: str) -> str:
        """The key of `name` (relative to the location) for the conditional client."""
        prefix = self.root.partition("/")[2]
        return f"{prefix}/{name}" if prefix else name


def open_location(location: str | Path, storage_options: Mapping[str, Any] | None = None) -> Location:
    """Parse and open `location`; a credential inside the location itself is refused."""
    from pyarrow import fs as pafs  # loaded when first needed, inside the flow (see flows/catalog.py)

    text = str(location)
    scheme = _split_scheme(text)[0]
    if scheme is None:
        path = os.path.abspath(os.path.expanduser(text))
        return Location(text, "file", path, pafs.LocalFileSystem(), None)
    if scheme == "file":
        parts = urlsplit(text)
        if parts.netloc not in ("", "localhost"):
            raise OutputError(f"{text}: a file:// location names this machine only (file:///path)")
        return Location(text, "file", os.path.abspath(parts.path), pafs.LocalFileSystem(), None)
    kind = OBJECT_SCHEMES.get(scheme)
    if kind is None:
        raise OutputError(
            f"{_public(text)}: unknown location scheme {scheme!r} (use a path, file://, s3://, gs:// or az://)"
        )
    parts = urlsplit(text)
    if "@" in parts.netloc or parts.password or parts.query or parts.fragment:
        raise OutputError(
            f"{_public(text)}: the location carries credentials or options; give them through the environment "
            "or a storage block, never in the location"
        )
    bucket, prefix = parts.netloc, parts.path.strip("/")
    if not bucket or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}", bucket):
        raise OutputError(f"{text}: not a bucket or container name")
    uri = f"{scheme}://{bucket}/{prefix}".rstrip("/")
    root = f"{bucket}/{prefix}".rstrip("/")
    options = dict(storage_options or {})
    if kind == "s3":
        filesystem, conditional = _open_s3(uri, bucket, options)
    elif kind == "gs":
        filesystem, conditional = _open_gcs(uri, bucket, options)
    else:
        filesystem, conditional = _open_azure(uri, bucket, options)
    return Location(uri, kind, root, filesystem, conditional)


def _split_scheme(text: str) -> tuple[str | None, str]:
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if not match:
        return None, text
    return match.group(1).lower(), text[match.end() :]


def _public(text: str) -> str:
    """The location without whatever sits before an `@` or after a `?`."""
    scheme, rest = _split_scheme(text)
    host = rest.split("/", 1)[0]
    tail = rest[len(host) :].split("?", 1)[0]
    return f"{scheme}://{host.rsplit('@', 1)[-1]}{tail}"


# -- S3 ------------------------------------------------------------------------------------------


def s3_endpoint(options: Mapping[str, Any]) -> str | None:
    """The S3-compatible endpoint (MinIO, Ceph, R2, moto), set the usual way: option, then AWS_ENDPOINT_URL(_S3)."""
    return options.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")


def _open_s3(uri: str, bucket: str, options: dict[str, Any]) -> tuple[pafs.FileSystem, Conditional]:
    from pyarrow import fs as pafs

    unknown = set(options) - S3_OPTIONS
    if unknown:
        raise OutputError(f"{uri}: unknown storage option(s) {sorted(unknown)} (known: {sorted(S3_OPTIONS)})")
    import boto3
    import botocore.config
    import botocore.exceptions

    try:
        session = boto3.Session(
            aws_access_key_id=options.get("access_key"),
            aws_secret_access_key=options.get("secret_key"),
            aws_session_token=options.get("session_token"),
            region_name=options.get("region"),
            profile_name=options.get("profile"),
        )
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials is not None else None
    except botocore.exceptions.BotoCoreError as exc:
        raise OutputError(f"cannot use {uri}: {exc}") from None
    endpoint = s3_endpoint(options)
    region = session.region_name
    if region is None and endpoint is None:
        try:
            region = pafs.resolve_s3_region(bucket)
        except OSError:
            region = None
    region = region or "us-east-1"
    arrow: dict[str, Any] = {"region": region}
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        arrow.update(endpoint_override=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme or "https")
    if frozen is None:
        arrow["anonymous"] = True
    else:
        arrow.update(access_key=frozen.access_key, secret_key=frozen.secret_key, session_token=frozen.token or "")
    config = botocore.config.Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=10,
        read_timeout=30,
        signature_version=botocore.UNSIGNED if frozen is None else None,
    )
    client = session.client("s3", region_name=region, endpoint_url=endpoint, config=config)
    return pafs.S3FileSystem(**arrow), S3Conditional(client, bucket)


class S3Conditional:
    """S3 conditional writes (`If-None-Match: *`, `If-Match: <etag>`), which AWS, MinIO and moto honour."""

    def __init__(self, client: Any, bucket: str):
        self.client, self.bucket = client, bucket

    def __repr__(self) -> str:
        return f"S3Conditional({self.bucket!r})"

    def read(self, key: str) -> Stamp | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        data = response["Body"].read()
        headers = response["ResponseMetadata"].get("HTTPHeaders", {})
        now = parsedate_to_datetime(headers["date"]) if "date" in headers else datetime.now(UTC)
        return Stamp(data, response["ETag"], max(0.0, (now - response["LastModified"]).total_seconds()))

    def create(self, key: str, data: bytes) -> str | None:
        return self._put(key, data, IfNoneMatch="*")

    def replace(self, key: str, data: bytes, token: str) -> str | None:
        return self._put(key, data, IfMatch=token)

    def delete(self, key: str, token: str) -> None:
        import botocore.exceptions

        try:
            self.client.delete_object(Bucket=self.bucket, Key=key, IfMatch=token)
        except botocore.exceptions.ClientError as exc:
            if _status(exc) in (404, 412):
                return  # gone already, or someone else's by now
            if _status(exc) in (400, 501):  # a server without conditional deletes
                stamp = self.read(key)
                if stamp is not None and stamp.token == token:
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                return
            raise

    def _put(self, key: str, data: bytes, **condition: str) -> str | None:
        import botocore.exceptions

        try:
            return self.client.put_object(Bucket=self.bucket, Key=key, Body=data, **condition)["ETag"]
        except botocore.exceptions.ClientError as exc:
            if _status(exc) in (409, 412):  # 409: a concurrent conditional write to the same key
                return None
            raise


def _status(exc: Any) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


# -- GCS and Azure: PyArrow reads and writes; the conditional writes need the provider's SDK -------


def _open_gcs(uri: str, bucket: str, options: dict[str, Any]) -> tuple[pafs.FileSystem, Conditional | None]:
    from pyarrow import fs as pafs

    try:
        filesystem = pafs.GcsFileSystem(**options)
    except (TypeError, OSError) as exc:
        raise OutputError(f"cannot use {uri}: {exc}") from None
    try:
        from google.cloud import storage  # type: ignore[import-not-found]
    except ImportError:
        return filesystem, None
    return filesystem, GcsConditional(storage.Client().bucket(bucket))


class GcsConditional:
    """GCS generation preconditions (`ifGenerationMatch`); 0 means "does not exist yet"."""

    def __init__(self, bucket: Any):
        self.bucket = bucket

    def read(self, key: str) -> Stamp | None:
        blob = self.bucket.get_blob(key)
        if blob is None:
            return None
        data = blob.download_as_bytes(if_generation_match=blob.generation)
        return Stamp(data, str(blob.generation), max(0.0, (datetime.now(UTC) - blob.updated).total_seconds()))

    def create(self, key: str, data: bytes) -> str | None:
        return self._upload(key, data, 0)

    def replace(self, key: str, data: bytes, token: str) -> str | None:
        return self._upload(key, data, int(token))

    def delete(self, key: str, token: str) -> None:
        from google.api_core import exceptions  # type: ignore[import-not-found]

        with contextlib.suppress(exceptions.PreconditionFailed, exceptions.NotFound):
            self.bucket.blob(key).delete(if_generation_match=int(token))

    def _upload(self, key: str, data: bytes, generation: int) -> str | None:
        from google.api_core import exceptions  # type: ignore[import-not-found]

        blob = self.bucket.blob(key)
        try:
            blob.upload_from_string(data, if_generation_match=generation)
        except exceptions.PreconditionFailed:
            return None
        return str(blob.generation)


def _open_azure(uri: str, container: str, options: dict[str, Any]) -> tuple[pafs.FileSystem, Conditional | None]:
    from pyarrow import fs as pafs

    account = options.get("account_name") or os.environ.get("AZURE_STORAGE_ACCOUNT_NAME")
    if not account:
        raise OutputError(f"cannot use {uri}: name the storage account in $AZURE_STORAGE_ACCOUNT_NAME")
    try:
        filesystem = pafs.AzureFileSystem(**{"account_name": account, **options})
    except (TypeError, OSError) as exc:
        raise OutputError(f"cannot use {uri}: {exc}") from None
    try:
        from azure.identity import DefaultAzureCredential  # type: ignore[import-not-found]
        from azure.storage.blob import BlobServiceClient  # type: ignore[import-not-found]
    except ImportError:
        return filesystem, None
    key = options.get("account_key")
    service = BlobServiceClient(f"https://{account}.blob.core.windows.net", credential=key or DefaultAzureCredential())
    return filesystem, AzureConditional(service.get_container_client(container))


class AzureConditional:
    """Azure Blob conditional requests (`If-None-Match: *`, `If-Match: <etag>`)."""

    def __init__(self, container: Any):
        self.container = container

    def read(self, key: str) -> Stamp | None:
        from azure.core.exceptions import ResourceNotFoundError  # type: ignore[import-not-found]

        try:
            download = self.container.get_blob_client(key).download_blob()
        except ResourceNotFoundError:
            return None
        props = download.properties
        age = (datetime.now(UTC) - props.last_modified).total_seconds()
        return Stamp(download.readall(), props.etag, max(0.0, age))

    def create(self, key: str, data: bytes) -> str | None:
        from azure.core.exceptions import ResourceExistsError  # type: ignore[import-not-found]

        try:
            return self.container.get_blob_client(key).upload_blob(data, overwrite=False)["etag"]
        except ResourceExistsError:
            return None

    def replace(self, key: str, data: bytes, token: str) -> str | None:
        from azure.core import MatchConditions  # type: ignore[import-not-found]
        from azure.core.exceptions import ResourceModifiedError  # type: ignore[import-not-found]

        try:
            return self.container.get_blob_client(key).upload_blob(
                data, overwrite=True, etag=token, match_condition=MatchConditions.IfNotModified
            )["etag"]
        except ResourceModifiedError:
            return None

    def delete(self, key: str, token: str) -> None:
        from azure.core import MatchConditions  # type: ignore[import-not-found]
        from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError  # type: ignore[import-not-found]

        with contextlib.suppress(ResourceModifiedError, ResourceNotFoundError):
            self.container.get_blob_client(key).delete_blob(etag=token, match_condition=MatchConditions.IfNotModified)


# -- one line for what a store said ---------------------------------------------------------------

_AWS_CODE = re.compile(r"AWS Error ([A-Z_]+)")
_PLAIN = {
    "NO_SUCH_BUCKET": "the bucket does not exist",
    "NoSuchBucket": "the bucket does not exist",
    "ACCESS_DENIED": "access denied",
    "AccessDenied": "access denied",
    "InvalidAccessKeyId": "the access key is not known to the server (wrong credentials?)",
    "SignatureDoesNotMatch": "the secret key does not match the access key (wrong credentials?)",
    "INVALID_ACCESS_KEY_ID": "the access key is not known to the server (wrong credentials?)",
    "SIGNATURE_DOES_NOT_MATCH": "the secret key does not match the access key (wrong credentials?)",
    "ExpiredToken": "the session token has expired",
    "NETWORK_CONNECTION": "cannot reach the storage endpoint",
}


def describe(exc: BaseException) -> str:
    """One short line for a storage failure, whichever client raised it; never a credential."""
    import errno

    code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
    if code:
        return _PLAIN.get(code, f"{code}: {exc.response['Error'].get('Message') or 'request refused'}")  # type: ignore[attr-defined]
    name = type(exc).__name__
    if name == "NoCredentialsError":
        return "no credentials found (set the AWS environment variables or a profile, or name a storage block)"
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        return f"cannot reach the storage endpoint ({name})"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "no space left on device"
        if exc.strerror:
            return exc.strerror
        match = _AWS_CODE.search(str(exc))
        if match:
            return _PLAIN.get(match.group(1), match.group(1).lower().replace("_", " "))
    text = str(exc).splitlines()[0] if str(exc) else name
    return re.sub(r"\s*\(Request ID: [^)]*\)", "", text)[:200]
