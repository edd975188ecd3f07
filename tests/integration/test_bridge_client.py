"""BridgeClient against the fake zapw served by a real uvicorn server on a local port: sessions, sends of
every kind, how zapw's failures map, pacing by the fake's own clock, the number's probe and media."""

from __future__ import annotations

import base64
import itertools
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.adapters.channels.wa_bridge.client import NOT_CONNECTED, BridgeClient
from frontdesk.domain import events
from frontdesk.domain.channel_kinds import ChannelKind, ChannelStatus
from frontdesk.domain.errors import MEDIA_TOO_LARGE, UNSUPPORTED, ChannelError
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import (
    Button,
    Buttons,
    ListMessage,
    Media,
    OutboundMessage,
    Reaction,
    Row,
    Section,
    Template,
    Text,
)
from tests.support.bridge import BUSINESS_PHONE, CUSTOMER, ZAPW_API_KEY, FakeZapw

pytest_plugins = ["tests.support.bridge_fixtures"]

SESSION = "fd-client-test"
CHANNEL = Channel(id=7, tenant_id=1, phone_number_id=SESSION, kind=ChannelKind.WA_BRIDGE)


@pytest.fixture(autouse=True)
def _fresh(zapw: FakeZapw) -> None:
    zapw.reset()


def make_client(
    http: httpx.AsyncClient, url: str, *, key: str | None = ZAPW_API_KEY, interval: float = 0.0
) -> BridgeClient:
    return BridgeClient(http=http, base_url=url, api_key=key, send_interval=interval)


@pytest.fixture
async def client(zapw: FakeZapw) -> AsyncIterator[BridgeClient]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        yield make_client(http, zapw.url)


async def linked(client: BridgeClient, zapw: FakeZapw) -> None:
    await client.create_session(SESSION)
    zapw.scan(SESSION)


async def refused_hi(client: BridgeClient) -> ChannelError:
    """The error a "Hi" to the customer fails with."""
    with pytest.raises(ChannelError) as refused:
        await client.send(channel=CHANNEL, to=CUSTOMER, message=Text(body="Hi"))
    return refused.value


def outcome(error: ChannelError) -> tuple[str | None, bool, bool]:
    return error.code, error.transient, error.maybe_delivered


async def test_a_session_from_qr_to_linked_to_ended(client: BridgeClient, zapw: FakeZapw) -> None:
    zapw.http.post(f"{zapw.url}/_fake/config", json={"qr_ttl_seconds": 0.001}).raise_for_status()
    link = await client.create_session(SESSION)  # a QR that expires at once
    assert link.status is ChannelStatus.QR_WAITING
    assert link.qr is not None and link.qr.startswith("2@")
    assert link.qr_expires_at is not None and link.qr_expires_at.tzinfo is not None

    fresh = await client.session(SESSION)
    assert fresh is not None and fresh.qr is not None and fresh.qr != link.qr  # zapw refreshed it

    zapw.scan(SESSION, phone="5511999990000", name="Shop phone")
    now = await client.session(SESSION)
    assert now is not None
    assert (now.status, now.phone_number, now.profile_name, now.qr) == (
        ChannelStatus.CONNECTED,
        "5511999990000",
        "Shop phone",
        None,
    )

    await client.end_session(SESSION)
    assert await client.session(SESSION) is None
    await client.end_session(SESSION)  # ending it again: already ended, not an error


async def test_a_session_id_zapw_has_is_refused(client: BridgeClient) -> None:
    await client.create_session(SESSION)
    with pytest.raises(ChannelError) as refused:
        await client.create_session(SESSION)
    assert (refused.value.code, refused.value.transient) == ("409", False)


async def test_a_wrong_api_key_is_refused_for_good_and_never_echoed(zapw: FakeZapw) -> None:
    async with httpx.AsyncClient(timeout=5.0) as http:
        for key in ("not-the-key-zz9", None):
            with pytest.raises(ChannelError) as refused:
                await make_client(http, zapw.url, key=key).create_session(SESSION)
            assert (refused.value.code, refused.value.transient) == ("401", False)
            assert "not-the-key-zz9" not in str(refused.value)


SENDS: list[tuple[OutboundMessage, dict[str, object]]] = [
    (Text(body="Hello"), {"type": "text", "text": "Hello"}),
    (
        Buttons(body="Size?", buttons=(Button(id="s", title="Small"), Button(id="l", title="Large"))),
        {"type": "text", "text": "Size?\n\n1. Small\n2. Large"},
    ),
    (
        ListMessage(body="When?", button="Times", sections=(Section(rows=(Row(id="9", title="9:00"),)),)),
        {"type": "text", "text": "When?\n\n1. 9:00"},
    ),
    (
        Media(media_type="image", link="https://cdn.test/a.jpg", caption="Look"),
        {"type": "image", "image": "https://cdn.test/a.jpg", "caption": "Look"},
    ),
    (
        Media(media_type="video", link="https://cdn.test/v.mp4"),
        {"type": "video", "video": "https://cdn.test/v.mp4"},
    ),
    (
        Media(media_type="audio", link="https://cdn.test/a.ogg"),
        {"type": "audio", "audio": "https://cdn.test/a.ogg"},
    ),
    (
        Media(media_type="document", link="https://cdn.test/docs/invoice.pdf?v=2"),
        {"type": "document", "document": "https://cdn.test/docs/invoice.pdf?v=2", "filename": "invoice.pdf"},
    ),
]


@pytest.mark.parametrize(("message", "body"), SENDS)
async def test_what_each_message_becomes(
    client: BridgeClient, zapw: FakeZapw, message: OutboundMessage, body: dict[str, object]
) -> None:
    await linked(client, zapw)
    message_id = await client.send(channel=CHANNEL, to=CUSTOMER, message=message)
    (record,) = zapw.sent()
    assert record["body"] == {"to": CUSTOMER, **body}
    assert record["api_key"] == ZAPW_API_KEY
    assert message_id == f"{SESSION}:{record['message_id']}"  # namespaced by the session


async def test_a_group_reply_goes_to_the_groups_jid(client: BridgeClient, zapw: FakeZapw) -> None:
    await linked(client, zapw)
    await client.send(channel=CHANNEL, to="120363025246125486@g.us", message=Text(body="Hi all"))
    assert zapw.sent()[0]["body"]["to"] == "120363025246125486@g.us"


@pytest.mark.parametrize(
    "message",
    [
        Template(name="hello_world"),
        Reaction(message_id="fd-client-test:X", emoji="👍"),
        Media(media_type="sticker", link="https://cdn.test/s.webp"),
        Media(media_type="image", media_id="123456"),
    ],
)
async def test_what_zapw_cannot_send_fails_for_good_without_a_call(
    client: BridgeClient, zapw: FakeZapw, message: OutboundMessage
) -> None:
    await linked(client, zapw)
    with pytest.raises(ChannelError) as refused:
        await client.send(channel=CHANNEL, to=CUSTOMER, message=message)
    assert (refused.value.code, refused.value.transient) == (UNSUPPORTED, False)
    assert zapw.requests() == []


async def test_a_phone_not_linked_is_worth_retrying(client: BridgeClient, zapw: FakeZapw) -> None:
    await client.create_session(SESSION)  # never scanned
    assert outcome(await refused_hi(client)) == (NOT_CONNECTED, True, False)


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [(500, "500", True), (503, "503", True), (429, "429", True), (400, "400", False), (404, "404", False)],
)
async def test_zapws_answers_map_to_transient_or_permanent(
    client: BridgeClient, zapw: FakeZapw, status: int, code: str, transient: bool
) -> None:
    await linked(client, zapw)
    zapw.fail(status=status, message="Failed to send message")
    refused = await refused_hi(client)
    assert outcome(refused) == (code, transient, False)
    assert refused.message == "Failed to send message"


async def test_zapw_down_is_transient_and_nothing_was_sent(client: BridgeClient, zapw: FakeZapw) -> None:
    await linked(client, zapw)
    zapw.down()
    assert (await refused_hi(client)).transient
    zapw.up()
    await client.send(channel=CHANNEL, to=CUSTOMER, message=Text(body="Hi"))
    assert len(zapw.sent()) == 1


async def test_a_bridge_that_refuses_connections_is_transient_and_never_sent() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    async with httpx.AsyncClient(timeout=2.0) as http:
        refused = await refused_hi(make_client(http, f"http://127.0.0.1:{port}"))
    assert outcome(refused) == ("network", True, False)


async def test_sends_to_one_customer_are_spaced_by_zapws_own_clock(zapw: FakeZapw) -> None:
    interval = 0.3
    async with httpx.AsyncClient(timeout=5.0) as http:
        client = make_client(http, zapw.url, interval=interval)
        await linked(client, zapw)
        for n in range(3):
            await client.send(channel=CHANNEL, to=CUSTOMER, message=Text(body=f"part {n}"))
        await client.send(channel=CHANNEL, to="447700900123", message=Text(body="other customer"))
    records = zapw.sent()
    mine = [r for r in records if r["body"]["to"] == CUSTOMER]
    assert [r["body"]["text"] for r in mine] == ["part 0", "part 1", "part 2"]
    gaps = [later["received_at"] - earlier["received_at"] for earlier, later in itertools.pairwise(mine)]
    assert all(gap >= interval for gap in gaps), gaps


async def test_the_probe_names_the_linked_phone(client: BridgeClient, zapw: FakeZapw) -> None:
    with pytest.raises(ChannelError) as unknown:
        await client.phone_number(channel=CHANNEL)
    assert (unknown.value.code, unknown.value.transient) == ("404", False)
    await client.create_session(SESSION)
    with pytest.raises(ChannelError) as waiting:
        await client.phone_number(channel=CHANNEL)
    assert waiting.value.code == NOT_CONNECTED
    zapw.scan(SESSION, phone=BUSINESS_PHONE, name="Shop phone")
    info = await client.phone_number(channel=CHANNEL)
    assert (info.display_phone_number, info.verified_name) == (f"+{BUSINESS_PHONE}", "Shop phone")


async def test_received_media_is_fetched_with_the_key(client: BridgeClient, zapw: FakeZapw) -> None:
    await linked(client, zapw)
    photo = b"\x89PNG fake bytes"
    answer = zapw.inbound(
        SESSION, type="image", media_base64=base64.b64encode(photo).decode(), media_type="image/png"
    )
    link = answer["envelope"]["data"]["mediaUrl"]
    got = await client.media(channel=CHANNEL, media=events.Media(link=link), max_bytes=1024)
    assert (got.data, got.mime_type) == (photo, "image/png")

    with pytest.raises(ChannelError) as too_large:
        await client.media(channel=CHANNEL, media=events.Media(link=link), max_bytes=4)
    assert (too_large.value.code, too_large.value.transient) == (MEDIA_TOO_LARGE, False)

    with pytest.raises(ChannelError) as gone:
        await client.media(
            channel=CHANNEL, media=events.Media(link=f"/sessions/{SESSION}/media/NOPE"), max_bytes=1024
        )
    assert (gone.value.code, gone.value.transient) == ("404", False)

    zapw.fail(status=500, on="media")
    with pytest.raises(ChannelError) as failing:
        await client.media(channel=CHANNEL, media=events.Media(link=link), max_bytes=1024)
    assert failing.value.transient


@pytest.mark.parametrize(
    "link",
    [
        None,
        "/sessions/fd-someone-else/media/ABC",
        "https://attacker.test/sessions/fd-client-test/media/ABC",
        "/sessions/fd-client-test/media/../../sessions",
        "/sessions/fd-client-test/media/ABC?x=1",
        "/sessions/fd-client-test/media/..",
        "/sessions/fd-client-test/media/%2e%2e",
    ],
)
async def test_the_key_goes_only_to_this_numbers_files(
    client: BridgeClient, zapw: FakeZapw, link: str | None
) -> None:
    with pytest.raises(ChannelError) as refused:
        await client.media(channel=CHANNEL, media=events.Media(link=link), max_bytes=1024)
    assert (refused.value.code, refused.value.transient) == ("bad_media_link", False)


async def test_an_absolute_media_url_on_the_bridge_itself_is_fetched(
    client: BridgeClient, zapw: FakeZapw
) -> None:
    await linked(client, zapw)
    answer = zapw.inbound(SESSION, type="document", media_base64=base64.b64encode(b"%PDF").decode())
    link = zapw.url + answer["envelope"]["data"]["mediaUrl"]
    got = await client.media(
        channel=CHANNEL, media=events.Media(link=link, mime_type="application/pdf"), max_bytes=1024
    )
    assert got.data == b"%PDF"
