"""SocialMessagingClient through real boto3 against the fake AWS on loopback (REST-JSON, SigV4 headers)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.channels.aws_social.client import SocialMessagingClient
from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.events import Media
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import Button, Buttons, Text
from frontdesk.wiring import Frontdesk
from frontdesk.wiring.container import Overrides
from tests.support.aws import AWS_NUMBER, BUCKET, REGION, Aws
from tests.support.harness import settings_for_test
from tests.support.payloads import AMELIA, DEMO_NUMBER


def channel(**changes: Any) -> Channel:
    values: dict[str, Any] = dict(
        id=7,
        tenant_id=1,
        kind=ChannelKind.AWS_SOCIAL,
        phone_number_id=DEMO_NUMBER,
        aws_phone_number_id=AWS_NUMBER,
        region=REGION,
    )
    return Channel(**(values | changes))


def client(bucket: str | None = BUCKET) -> SocialMessagingClient:
    return SocialMessagingClient(api_version="v21.0", timeout_seconds=2.0, media_bucket=bucket)


async def test_a_send_carries_the_cloud_api_message_and_returns_its_id(aws: Aws) -> None:
    message_id = await client().send(channel=channel(), to=AMELIA, message=Text(body="Hello"))
    [send] = aws.sends()
    assert send["message_id"] == message_id
    assert (send["origination_phone_number_id"], send["meta_api_version"], send["region"]) == (
        AWS_NUMBER,
        "v21.0",
        REGION,
    )
    assert send["message"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": AMELIA,
        "type": "text",
        "text": {"body": "Hello", "preview_url": False},
    }


async def test_interactive_messages_go_as_they_do_on_the_cloud_api(aws: Aws) -> None:
    buttons = Buttons(body="Which?", buttons=(Button(id="a", title="A"), Button(id="b", title="B")))
    await client().send(channel=channel(region="us-east-1"), to=AMELIA, message=buttons)
    [send] = aws.sends()
    assert send["region"] == "us-east-1"
    assert send["message"]["interactive"]["action"]["buttons"][1] == {
        "type": "reply",
        "reply": {"id": "b", "title": "B"},
    }


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (429, "ThrottledRequestException", True),
        (500, "InternalServiceException", True),
        (502, "DependencyException", True),
        (503, "SomethingNew", True),
        (400, "ValidationException", False),
        (403, "AccessDeniedException", False),
        (404, "ResourceNotFoundException", False),
        (403, "AccessDeniedByMetaException", False),
    ],
)
async def test_aws_errors_are_transient_or_permanent(
    aws: Aws, status: int, code: str, transient: bool
) -> None:
    aws.fail(status=status, code=code, message="nope")
    with pytest.raises(ChannelError) as raised:
        await client().send(channel=channel(), to=AMELIA, message=Text(body="x"))
    error = raised.value
    assert (error.code, error.transient, error.maybe_delivered) == (code, transient, False)
    assert error.message == "nope"
    assert len(aws.sends()) == 1  # boto3 does not retry: the outbox does, with its backoff


async def test_an_unreachable_endpoint_is_transient_and_never_delivered(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SOCIALMESSAGING", f"http://127.0.0.1:{port}")
    with pytest.raises(ChannelError) as raised:
        await client().send(channel=channel(), to=AMELIA, message=Text(body="x"))
    assert (raised.value.code, raised.value.transient, raised.value.maybe_delivered) == (
        "network",
        True,
        False,
    )


async def test_missing_setup_fails_for_good(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ChannelError) as raised:
        await client().send(channel=channel(aws_phone_number_id=None), to=AMELIA, message=Text(body="x"))
    assert (raised.value.code, raised.value.transient) == ("not_configured", False)
    with pytest.raises(ChannelError) as raised:
        await client().send(channel=channel(region=None), to=AMELIA, message=Text(body="x"))
    assert (raised.value.code, raised.value.transient) == ("no_region", False)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ChannelError) as raised:
        await client().send(channel=channel(), to=AMELIA, message=Text(body="x"))
    assert (raised.value.code, raised.value.transient) == ("no_credentials", False)
    assert aws.sends() == []


async def test_the_number_probe_reads_awss_details(aws: Aws) -> None:
    info = await client().phone_number(channel=channel())
    assert (info.display_phone_number, info.verified_name, info.quality_rating) == (
        "+44 20 7946 0321",
        "Lumen Home",
        "GREEN",
    )


async def test_the_probe_refuses_an_aws_number_that_is_another_meta_number(aws: Aws) -> None:
    with pytest.raises(ChannelError) as raised:
        await client().phone_number(channel=channel(phone_number_id="555"))
    assert (raised.value.code, raised.value.transient) == ("wrong_number", False)
    with pytest.raises(ChannelError) as raised:
        await client().phone_number(channel=channel(aws_phone_number_id="phone-number-id-unknown"))
    assert (raised.value.code, raised.value.transient) == ("ResourceNotFoundException", False)


async def test_media_is_copied_to_the_bucket_read_back_and_deleted(aws: Aws) -> None:
    aws.client.put(
        f"{aws.url}/_fake/aws/media/m-1", content=b"\xff\xd8jpeg", headers={"content-type": "image/jpeg"}
    ).raise_for_status()
    file = await client().media(channel=channel(), media=Media(id="m-1"), max_bytes=1000)
    assert (file.data, file.mime_type) == (b"\xff\xd8jpeg", "image/jpeg")
    assert not [o for o in aws.client.get(f"{aws.url}/_fake/aws/objects").json()["objects"] if "m-1" in o]


async def test_media_over_the_bound_is_refused_and_still_deleted(aws: Aws) -> None:
    aws.client.put(f"{aws.url}/_fake/aws/media/m-2", content=b"x" * 50).raise_for_status()
    with pytest.raises(ChannelError) as raised:
        await client().media(channel=channel(), media=Media(id="m-2"), max_bytes=10)
    assert (raised.value.code, raised.value.transient) == ("media_too_large", False)
    assert not [o for o in aws.client.get(f"{aws.url}/_fake/aws/objects").json()["objects"] if "m-2" in o]


async def test_media_needs_a_bucket_and_a_known_id(aws: Aws) -> None:
    with pytest.raises(ChannelError) as raised:
        await client(bucket=None).media(channel=channel(), media=Media(id="m-1"), max_bytes=1000)
    assert (raised.value.code, raised.value.transient) == ("no_media_bucket", False)
    assert "FRONTDESK_AWS_MEDIA_BUCKET" in raised.value.message
    with pytest.raises(ChannelError) as raised:
        await client().media(channel=channel(), media=Media(id="gone"), max_bytes=1000)
    assert (raised.value.code, raised.value.transient) == ("ResourceNotFoundException", False)


async def test_an_arn_gives_the_region_when_the_channel_has_none(aws: Aws) -> None:
    arn = "arn:aws:social-messaging:ap-south-1:123456789012:phone-number-id/0123456789abcdef"
    await client().send(
        channel=channel(region=None, aws_phone_number_id=arn), to=AMELIA, message=Text(body="x")
    )
    [send] = aws.sends()
    assert (send["origination_phone_number_id"], send["region"]) == (arn, "ap-south-1")


async def test_the_server_closing_closes_the_aws_client(aws: Aws, tmp_path: Path) -> None:
    """Its threads are handed back with the rest of the server (`Frontdesk.close`): nothing more is sent."""
    settings = settings_for_test(f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}", "http://127.0.0.1:9")
    frontdesk = await Frontdesk.open(settings, Overrides(embedder=HashingEmbedder()))
    await frontdesk.channels.send(channel=channel(), to=AMELIA, message=Text(body="before"))
    await frontdesk.close()
    with pytest.raises(RuntimeError, match="shutdown"):
        await frontdesk.channels.send(channel=channel(), to=AMELIA, message=Text(body="after"))
    assert [send["message"]["text"]["body"] for send in aws.sends()] == ["before"]


async def test_a_request_boto3_refuses_is_named_without_its_parameters(aws: Aws) -> None:
    """botocore's ParamValidationError quotes what it refused (a value, a length): only its name is kept,
    as the error is stored on the message and shown to staff. (A bucket name shorter than AWS's minimum:
    settings refuse one, the client is given it here to make boto3 refuse the call.)"""
    with pytest.raises(ChannelError) as raised:
        await client(bucket="ab").media(channel=channel(), media=Media(id="m-1"), max_bytes=1000)
    assert (raised.value.code, raised.value.transient) == ("aws_error", False)
    assert raised.value.message == "AWS call failed: ParamValidationError"
