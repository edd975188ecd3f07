"""The fake AWS (devtools.fake_aws) as test fixtures: boto3 pointed at it, SNS messages signed for it.

boto3 reads its endpoint and credentials from the environment (`AWS_ENDPOINT_URL_SOCIALMESSAGING`,
`AWS_ENDPOINT_URL_S3`, `AWS_ACCESS_KEY_ID`, …): the `aws` fixture sets them for the test and nothing on
the machine (shared files, instance metadata) is read. The SNS certificate and subscribe URL patterns are
overridden to the fake's loopback URLs for tests only (`Aws.settings`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from frontdesk.devtools.fake_aws import SnsSigner, aws_event, create_fake_aws
from tests.support.payloads import DEMO_NUMBER
from tests.support.servers import serve_app

TOPIC = "arn:aws:sns:eu-west-1:123456789012:frontdesk-whatsapp"
AWS_NUMBER = "phone-number-id-0123456789abcdef0123456789abcdef"
AWS_NUMBER_ARN = f"arn:aws:social-messaging:eu-west-1:123456789012:phone-number-id/{AWS_NUMBER[16:]}"
REGION = "eu-west-1"
BUCKET = "frontdesk-media-test"


@dataclass
class Aws:
    """The fake AWS's URL, a signer whose certificate it serves, and helpers to read what it got."""

    url: str
    signer: SnsSigner
    client: httpx.Client

    def settings(self) -> dict[str, Any]:
        """Frontdesk settings that take this fake's SNS messages (loopback patterns: tests only)."""
        base = re.escape(self.url)
        return {
            "aws_sns_topic_arns": TOPIC,
            "aws_sns_cert_url_regex": rf"{base}/_fake/sns/certs/[a-z0-9]+\.pem",
            "aws_sns_subscribe_url_regex": rf"{base}/_fake/sns/confirm\?[^#]*",
            "aws_media_bucket": BUCKET,
        }

    def notification(self, entry: dict[str, Any], **options: Any) -> dict[str, Any]:
        """A signed SNS Notification carrying the Meta webhook `entry` as AWS publishes it."""
        message = aws_event(entry, meta_phone_number_id=DEMO_NUMBER, aws_phone_number_arn=AWS_NUMBER_ARN)
        return self.signer.notification(message, **options)

    def sends(self) -> list[dict[str, Any]]:
        """Every SendWhatsAppMessage the fake received, failed ones included."""
        sends: list[dict[str, Any]] = self.client.get(f"{self.url}/_fake/aws/sends").json()["sends"]
        return sends

    def fail(self, **rule: Any) -> None:
        self.client.post(f"{self.url}/_fake/aws/fail", json=rule).raise_for_status()

    def sns_log(self) -> dict[str, list[Any]]:
        log: dict[str, list[Any]] = self.client.get(f"{self.url}/_fake/sns/log").json()
        return log


def post_sns(client: httpx.Client, base_url: str, message: dict[str, Any] | bytes) -> httpx.Response:
    """POST one SNS message to Frontdesk as SNS does (JSON as text/plain, the type in a header)."""
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    kind = message.get("Type", "") if isinstance(message, dict) else ""
    headers = {"content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": str(kind)}
    return client.post(f"{base_url}/webhooks/aws", content=body, headers=headers)


@pytest.fixture(scope="session")
def fake_aws_server() -> Iterator[tuple[str, SnsSigner]]:
    """The fake AWS, and a signer whose certificate it serves (one key for the session: keys are slow)."""
    with serve_app(create_fake_aws()) as url:
        name = uuid.uuid4().hex
        signer = SnsSigner(cert_url=f"{url}/_fake/sns/certs/{name}.pem", topic_arn=TOPIC)
        httpx.put(f"{url}/_fake/sns/certs/{name}.pem", content=signer.cert_pem).raise_for_status()
        httpx.put(
            f"{url}/_fake/aws/numbers/{AWS_NUMBER}",
            json={
                "metaPhoneNumberId": DEMO_NUMBER,
                "displayPhoneNumber": "+44 20 7946 0321",
                "displayPhoneNumberName": "Lumen Home",
                "qualityRating": "GREEN",
                "arn": AWS_NUMBER_ARN,
            },
        ).raise_for_status()
        yield url, signer


@pytest.fixture
def aws(fake_aws_server: tuple[str, SnsSigner], monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """The fake AWS emptied of earlier tests' sends and failures, with boto3 pointed at it."""
    url, signer = fake_aws_server
    for name, value in {
        "AWS_ENDPOINT_URL_SOCIALMESSAGING": url,
        "AWS_ENDPOINT_URL_S3": f"{url}/_s3",
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFAKEFAKEFAKE",
        "AWS_SECRET_ACCESS_KEY": "fake-secret-access-key",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    with httpx.Client(timeout=10) as client:
        client.delete(f"{url}/_fake/aws/sends").raise_for_status()
        client.delete(f"{url}/_fake/aws/fail").raise_for_status()
        yield Aws(url=url, signer=signer, client=client)
