"""SnsVerifier against SNS messages signed here, with the certificate served by the fake AWS on loopback."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from frontdesk.adapters.channels.aws_social.sns import (
    FAILED_CERTIFICATE_SECONDS,
    NOTIFICATION,
    SnsVerifier,
    notification_events,
    string_to_sign,
)
from frontdesk.devtools.fake_aws import SnsSigner
from frontdesk.domain.errors import (
    ConfigurationError,
    InvalidInputError,
    UntrustedSenderError,
    UpstreamUnavailableError,
)
from frontdesk.domain.events import InboundMessage, StatusUpdate
from frontdesk.settings import Settings, load_settings
from tests.support.aws import TOPIC, Aws
from tests.support.payloads import DEMO_NUMBER, status, text_message


def make_verifier(aws: Aws, http: httpx.AsyncClient, **options: Any) -> SnsVerifier:
    settings = aws.settings()
    return SnsVerifier(
        http=http,
        topic_arns=[TOPIC],
        cert_url_pattern=settings["aws_sns_cert_url_regex"],
        subscribe_url_pattern=settings["aws_sns_subscribe_url_regex"],
        **options,
    )


@pytest.fixture
async def verifier(aws: Aws) -> AsyncIterator[SnsVerifier]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield make_verifier(aws, http)


def body(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode()


def entry_of(payload: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = payload["entry"][0]
    return entry


def test_string_to_sign_follows_sns_order_and_skips_absent_fields() -> None:
    fields = {"Type": NOTIFICATION, "TopicArn": "t", "Timestamp": "ts", "MessageId": "m", "Message": "x"}
    assert (
        string_to_sign(fields)
        == b"Message\nx\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"
    )
    with_subject = string_to_sign(fields | {"Subject": "s", "UnsubscribeURL": "ignored"})
    assert b"MessageId\nm\nSubject\ns\nTimestamp" in with_subject
    assert b"UnsubscribeURL" not in with_subject


@pytest.mark.parametrize("version", ["1", "2"])
async def test_both_signature_versions_verify(aws: Aws, verifier: SnsVerifier, version: str) -> None:
    signed = aws.notification(entry_of(text_message("wamid.V", "hi")), version=version, subject="WhatsApp")
    message = await verifier.verify(body(signed))
    assert (message.type, message.topic_arn, message.message_id) == (NOTIFICATION, TOPIC, signed["MessageId"])
    [event] = notification_events(message)
    assert isinstance(event, InboundMessage)
    assert (event.channel_key, event.message_id, event.text) == (DEMO_NUMBER, "wamid.V", "hi")


async def test_statuses_parse_from_the_entry(aws: Aws, verifier: SnsVerifier) -> None:
    signed = aws.notification(entry_of(status("wamid.OUT", "delivered")))
    [event] = notification_events(await verifier.verify(body(signed)))
    assert isinstance(event, StatusUpdate)
    assert (event.message_id, event.status.value) == ("wamid.OUT", "delivered")


async def test_the_certificate_is_fetched_once(aws: Aws, verifier: SnsVerifier) -> None:
    name = aws.signer.cert_url.rsplit("/", 1)[1]
    before = aws.sns_log()["cert_fetches"].count(name)
    for n in range(3):
        await verifier.verify(body(aws.notification(entry_of(text_message(f"wamid.C{n}", "hi")))))
    assert aws.sns_log()["cert_fetches"].count(name) - before <= 1


async def test_a_tampered_message_is_refused(aws: Aws, verifier: SnsVerifier) -> None:
    signed = aws.notification(entry_of(text_message("wamid.T", "hi")))
    signed["Message"] = signed["Message"].replace("hi", "pay me")
    with pytest.raises(UntrustedSenderError, match="signature does not match"):
        await verifier.verify(body(signed))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Signature": None}, "no Signature"),
        ({"Signature": "not base64!"}, "not base64"),
        ({"Signature": base64.b64encode(b"x" * 256).decode()}, "does not match"),
        ({"SignatureVersion": "3"}, "SignatureVersion"),
        ({"SignatureVersion": ["2"]}, "SignatureVersion"),
        ({"TopicArn": "arn:aws:sns:eu-west-1:999999999999:other"}, "topic"),
        ({"TopicArn": ["x"]}, "topic"),
        ({"SigningCertURL": None}, "certificate"),
    ],
)
async def test_unproved_messages_are_refused(
    aws: Aws, verifier: SnsVerifier, change: dict[str, Any], reason: str
) -> None:
    signed = aws.notification(entry_of(text_message("wamid.B", "hi"))) | change
    with pytest.raises(UntrustedSenderError, match=reason):
        await verifier.verify(body({k: v for k, v in signed.items() if v is not None}))


async def test_a_certificate_on_another_host_is_never_fetched(aws: Aws, verifier: SnsVerifier) -> None:
    other_host = aws.url.replace("127.0.0.1", "localhost")
    forger = SnsSigner(cert_url=f"{other_host}/_fake/sns/certs/forged.pem", topic_arn=TOPIC)
    aws.client.put(f"{aws.url}/_fake/sns/certs/forged.pem", content=forger.cert_pem).raise_for_status()
    signed = forger.notification("{}")
    with pytest.raises(UntrustedSenderError, match="not on SNS's host"):
        await verifier.verify(body(signed))
    assert "forged.pem" not in aws.sns_log()["cert_fetches"]


async def test_a_certificate_that_cannot_be_fetched_is_a_retry_later(aws: Aws, verifier: SnsVerifier) -> None:
    signer = SnsSigner(cert_url=f"{aws.url}/_fake/sns/certs/missing.pem", topic_arn=TOPIC)
    with pytest.raises(UpstreamUnavailableError, match="HTTP 404"):
        await verifier.verify(body(signer.notification("{}")))


def serve_certificate(aws: Aws, name: str) -> str:
    """The signer's certificate served under another name (SigningCertURL is not signed); its URL."""
    url = f"{aws.url}/_fake/sns/certs/{name}.pem"
    aws.client.put(url, content=aws.signer.cert_pem).raise_for_status()
    return url


def fetches(aws: Aws, name: str) -> int:
    return int(aws.sns_log()["cert_fetches"].count(f"{name}.pem"))


async def test_an_unknown_topic_fetches_no_certificate(aws: Aws, verifier: SnsVerifier) -> None:
    name = uuid.uuid4().hex
    signed = aws.notification(entry_of(text_message("wamid.U", "hi")))
    signed |= {"SigningCertURL": serve_certificate(aws, name), "TopicArn": f"{TOPIC}-not-ours"}
    for _ in range(3):
        with pytest.raises(UntrustedSenderError, match="topic"):
            await verifier.verify(body(signed))
    assert fetches(aws, name) == 0


async def test_deliveries_waiting_for_one_certificate_share_its_fetch(
    aws: Aws, verifier: SnsVerifier
) -> None:
    name = uuid.uuid4().hex
    url = serve_certificate(aws, name)
    messages = [aws.notification(entry_of(text_message(f"wamid.S{n}", "hi"))) for n in range(5)]
    verified = await asyncio.gather(*(verifier.verify(body(m | {"SigningCertURL": url})) for m in messages))
    assert len(verified) == 5 and fetches(aws, name) == 1


async def test_a_certificate_that_failed_is_not_fetched_again_for_a_while(aws: Aws) -> None:
    """Anyone naming an allowed topic could otherwise make this server fetch a missing (or bogus)
    certificate URL on SNS's host for every message they post."""
    now = [1000.0]
    async with httpx.AsyncClient(timeout=5) as http:
        verifier = make_verifier(aws, http, clock=lambda: now[0])
        missing, bogus = uuid.uuid4().hex, uuid.uuid4().hex
        aws.client.put(f"{aws.url}/_fake/sns/certs/{bogus}.pem", content=b"not a pem").raise_for_status()
        signed = aws.notification(entry_of(text_message("wamid.F", "hi")))
        for name, failure in [(missing, UpstreamUnavailableError), (bogus, UntrustedSenderError)]:
            forged = body(signed | {"SigningCertURL": f"{aws.url}/_fake/sns/certs/{name}.pem"})
            for _ in range(3):
                with pytest.raises(failure):
                    await verifier.verify(forged)
            assert fetches(aws, name) == 1
        now[0] += FAILED_CERTIFICATE_SECONDS
        with pytest.raises(UpstreamUnavailableError):
            await verifier.verify(
                body(signed | {"SigningCertURL": f"{aws.url}/_fake/sns/certs/{missing}.pem"})
            )
        assert fetches(aws, missing) == 2
        await verifier.verify(body(signed))  # the real certificate was never held up by those


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"Type": "Hello"}', json.dumps({"Type": ["Notification"]}).encode(), b"[" * 5000],
)
async def test_what_is_not_an_sns_message_is_bad_input(verifier: SnsVerifier, raw: bytes) -> None:
    with pytest.raises(InvalidInputError, match="not an SNS message"):
        await verifier.verify(raw)


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        json.dumps({"whatsAppWebhookEntry": "{not json"}),
        json.dumps({"whatsAppWebhookEntry": 5}),
        json.dumps(["x"]),
        json.dumps({"whatsAppWebhookEntry": json.dumps({"id": "1", "changes": "no"})}),
    ],
)
async def test_a_notification_without_a_json_entry_is_bad_input(
    aws: Aws, verifier: SnsVerifier, message: str
) -> None:
    verified = await verifier.verify(body(aws.signer.notification(message)))  # signed: proved first
    with pytest.raises(InvalidInputError):
        notification_events(verified)


async def test_a_subscription_is_confirmed_only_through_the_allowed_url(
    aws: Aws, verifier: SnsVerifier
) -> None:
    before = len(aws.sns_log()["confirmations"])
    allowed = aws.signer.confirmation(
        subscribe_url=f"{aws.url}/_fake/sns/confirm?Action=ConfirmSubscription&Token=ok1"
    )
    await verifier.confirm_subscription(await verifier.verify(body(allowed)))
    elsewhere = aws.url.replace("127.0.0.1", "localhost")
    foreign = aws.signer.confirmation(subscribe_url=f"{elsewhere}/_fake/sns/confirm?Token=evil")
    with pytest.raises(UntrustedSenderError, match="SubscribeURL"):
        await verifier.confirm_subscription(await verifier.verify(body(foreign)))
    confirmations = aws.sns_log()["confirmations"][before:]
    assert [c["Token"] for c in confirmations] == ["ok1"]


@pytest.mark.parametrize("name", ["aws_sns_cert_url_regex", "aws_sns_subscribe_url_regex"])
def test_a_pattern_that_is_not_a_regex_stops_the_start_naming_it(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"FRONTDESK_{name.upper()}: not a regular expression"):
        load_settings(_env_file=None, **{name: "https://(sns"})


CERT = "SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
"""A signing certificate's name as SNS serves it: a 32 hex digit id."""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"https://sns.us-east-1.amazonaws.com/{CERT}", True),
        (f"https://sns.us-gov-west-1.amazonaws.com/{CERT}", True),
        (f"https://sns.cn-north-1.amazonaws.com.cn/{CERT}", True),
        (f"http://sns.us-east-1.amazonaws.com/{CERT}", False),
        # S3 hosts a bucket named "sns" at these: anyone can own one and serve a certificate
        ("https://sns.s3-us-west-2.amazonaws.com/forged.pem", False),
        ("https://sns.s3.amazonaws.com/x.pem", False),
        (f"https://sns.s3-us-west-2.amazonaws.com/{CERT}", False),
        (f"https://sns.s3.amazonaws.com/{CERT}", False),
        (f"https://sns.s3.us-west-2.amazonaws.com/{CERT}", False),
        (f"https://sns.us-east-\u0661.amazonaws.com/{CERT}", False),  # a Unicode digit
        ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", False),
        ("https://sns.us-east-1.amazonaws.com/forged/" + CERT, False),
        (f"https://sns.us-east-1.amazonaws.com.evil.example/{CERT}", False),
        (f"https://sns.us-east-1.amazonaws.com@evil.example/{CERT}", False),
        (f"https://evil.example/sns.us-east-1.amazonaws.com/{CERT}", False),
        (f"https://sns.us-east-1.amazonaws.com/{CERT}?x=.pem", False),
        ("https://sns.us-east-1.amazonaws.com/cert.txt", False),
    ],
)
def test_the_default_certificate_pattern_is_https_on_snss_host(url: str, allowed: bool) -> None:
    pattern = re.compile(Settings(_env_file=None).aws_sns_cert_url_regex)  # type: ignore[call-arg]
    assert (pattern.fullmatch(url) is not None) is allowed


def test_the_default_subscribe_pattern_is_https_on_snss_host() -> None:
    pattern = re.compile(Settings(_env_file=None).aws_sns_subscribe_url_regex)  # type: ignore[call-arg]
    real = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:1:t&Token=2336"
    assert pattern.fullmatch(real)
    assert not pattern.fullmatch(real.replace("amazonaws.com/", "amazonaws.com.evil.example/"))
    assert not pattern.fullmatch(real.replace("https", "http", 1))
    for forged in (
        real.replace("sns.eu-west-1.", "sns.s3-us-west-2."),
        real.replace("sns.eu-west-1.", "sns.s3."),
        real.replace("/?Action=ConfirmSubscription&", "/confirm.html?Action=ConfirmSubscription&"),
        real.replace("Action=ConfirmSubscription", "Action=Publish"),
    ):
        assert not pattern.fullmatch(forged), forged
