"""A real S3 endpoint on loopback for the S3 file store: moto's server (`moto[server]`), one per session.

It speaks S3's HTTP protocol as AWS does (signatures checked for shape, batch deletes, listing pages),
so `S3Files` talks to it through boto3 exactly as it would to AWS or MinIO. The `s3` fixture points
boto3 at it through the standard variables (`AWS_ENDPOINT_URL_S3`, credentials, region) and gives each
test a bucket of its own; nothing on the machine (shared AWS files, instance metadata) is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"


@dataclass
class S3:
    """The endpoint, this test's bucket and a boto3 client to look inside it."""

    url: str
    bucket: str
    client: Any

    def names(self) -> list[str]:
        """Every object name in the bucket, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture(scope="session")
def moto_s3_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_s3_url: str, monkeypatch: pytest.MonkeyPatch) -> S3:
    """boto3 pointed at the loopback S3, and a fresh bucket there."""
    for name, value in {
        "AWS_ENDPOINT_URL_S3": moto_s3_url,
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
        "AWS_SECRET_ACCESS_KEY": "fake-secret-access-key",
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.session.Session().client("s3", region_name=REGION)
    bucket = f"frontdesk-test-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    return S3(url=moto_s3_url, bucket=bucket, client=client)
