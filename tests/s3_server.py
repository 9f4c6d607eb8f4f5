"""A real S3 API on loopback for tests: moto's standalone server in its own process, with authentication on.

The code under test reaches it the way it reaches any S3-compatible endpoint: `AWS_ENDPOINT_URL`
and credentials in the environment. The server checks signatures, so wrong credentials fail as
they would on AWS, and it enforces bucket policies, so a bucket can turn unwritable mid-run.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REGION = "us-east-1"
SETUP_CALLS = 3  # the unauthenticated requests that create the test's IAM user, its policy and its key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    home: Path

    @property
    def env(self) -> dict[str, str]:
        """What a process needs to reach the server through the standard AWS chain, and nothing of ~/.aws."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(self.home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, **overrides: str):  # type: ignore[no-untyped-def]
        import boto3

        options = {
            "endpoint_url": self.endpoint,
            "region_name": REGION,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            **overrides,
        }
        return boto3.client("s3", **options)

    def new_bucket(self) -> str:
        name = f"catalog-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def deny_writes(self, bucket: str) -> None:
        """A bucket policy that refuses every PUT and DELETE from now on, as an administrator might set it."""
        statement = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": f"arn:aws:s3:::{bucket}/*",
        }
        self.client().put_bucket_policy(
            Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    def allow_writes(self, bucket: str) -> None:
        self.client().delete_bucket_policy(Bucket=bucket)

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        client, found = self.client(), {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found

    def download(self, bucket: str, prefix: str, target: Path) -> Path:
        """The published catalog (CURRENT's version) as a local folder of contract paths."""
        client = self.client()
        version = json.loads(client.get_object(Bucket=bucket, Key=f"{prefix}/CURRENT")["Body"].read())["version"]
        root = f"{prefix}/versions/{version}/"
        for key, data in self.objects(bucket, root).items():
            path = target / key.removeprefix(root)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return target


@contextlib.contextmanager
def running_s3_server(home: Path) -> Iterator[S3Server]:
    import boto3

    port = free_port()
    log = open(home / "moto.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_CALLS)},
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto server did not start: {(home / 'moto.log').read_text()[-2000:]}")
            time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        iam.create_user(UserName="catalog-writer")
        allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName="catalog-writer", PolicyName="all", PolicyDocument=json.dumps(allow_all))
        key = iam.create_access_key(UserName="catalog-writer")["AccessKey"]
        yield S3Server(endpoint, key["AccessKeyId"], key["SecretAccessKey"], home)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    with running_s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def s3_env(s3_server, monkeypatch) -> S3Server:
    """This process reaches the server through the standard chain, as a user's would."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_server.env.items():
        monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def bucket(s3_env) -> str:
    return s3_env.new_bucket()
