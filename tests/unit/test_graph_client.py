"""GraphClient: the exact Graph API requests it makes and how it maps Graph's failures (respx, no network)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx
from structlog.testing import capture_logs

from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient, is_transient, message_payload
from frontdesk.domain.errors import ChannelError
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

BASE = "https://graph.test"
URL = f"{BASE}/v21.0/1234567890/messages"
TO = "15550001111"
WAMID = "wamid.HBgLMTU1NTAwMDExMTEVAgARGBI"
ENVELOPE = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO}

CHANNEL = Channel(id=1, tenant_id=1, phone_number_id="1234567890")
CHANNEL_WITH_TOKEN = Channel(id=2, tenant_id=1, phone_number_id="1234567890", access_token="channel-secret")


@pytest.fixture
async def client() -> AsyncIterator[GraphClient]:
    async with httpx.AsyncClient() as http:
        yield GraphClient(http=http, base_url=f"{BASE}/", api_version="v21.0", default_token="default-secret")


def sent_ok() -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": TO, "wa_id": TO}],
            "messages": [{"id": WAMID}],
        },
    )


def graph_failure(status: int, code: int, message: str = "failed", details: str = "why") -> httpx.Response:
    error = {
        "message": f"(#{code}) {message}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "AbCdEf",
    }
    return httpx.Response(status, json={"error": error})


async def send_and_capture(client: GraphClient, message: OutboundMessage) -> dict[str, Any]:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(return_value=sent_ok())
        assert await client.send(channel=CHANNEL, to=TO, message=message) == WAMID
    body: dict[str, Any] = json.loads(route.calls.last.request.content)
    return body


# -- request bodies -------------------------------------------------------------------------------


async def test_text_goes_to_the_phone_number_url_with_the_default_token(client: GraphClient) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(return_value=sent_ok())
        wamid = await client.send(channel=CHANNEL, to=TO, message=Text(body="Hello!"))

    assert wamid == WAMID
    request = route.calls.last.request
    assert str(request.url) == URL
    assert request.headers["authorization"] == "Bearer default-secret"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        **ENVELOPE,
        "type": "text",
        "text": {"body": "Hello!", "preview_url": False},
    }


async def test_a_channel_token_wins_over_the_default(client: GraphClient) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).mock(return_value=sent_ok())
        await client.send(channel=CHANNEL_WITH_TOKEN, to=TO, message=Text(body="Hi"))
    assert route.calls.last.request.headers["authorization"] == "Bearer channel-secret"


async def test_reply_to_becomes_context(client: GraphClient) -> None:
    body = await send_and_capture(client, Text(body="Yes", preview_url=True, reply_to="wamid.IN"))
    assert body == {
        **ENVELOPE,
        "type": "text",
        "text": {"body": "Yes", "preview_url": True},
        "context": {"message_id": "wamid.IN"},
    }


async def test_reply_buttons_with_header_and_footer(client: GraphClient) -> None:
    message = Buttons(
        body="Track or cancel?",
        buttons=(Button(id="track", title="Track"), Button(id="cancel", title="Cancel")),
        header="Order 1042",
        footer="Lumen",
    )
    body = await send_and_capture(client, message)
    assert body == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "text", "text": "Order 1042"},
            "body": {"text": "Track or cancel?"},
            "footer": {"text": "Lumen"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "track", "title": "Track"}},
                    {"type": "reply", "reply": {"id": "cancel", "title": "Cancel"}},
                ]
            },
        },
    }


async def test_reply_buttons_without_header_or_footer(client: GraphClient) -> None:
    body = await send_and_capture(client, Buttons(body="OK?", buttons=(Button(id="y", title="Yes"),)))
    assert body["interactive"] == {
        "type": "button",
        "body": {"text": "OK?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]},
    }


async def test_list_message(client: GraphClient) -> None:
    message = ListMessage(
        body="Pick a bulb",
        button="Bulbs",
        sections=(
            Section(title="Warm", rows=(Row(id="b1", title="Glow 60", description="2700K"),)),
            Section(title="Cool", rows=(Row(id="b2", title="Bright 75"),)),
        ),
        footer="In stock today",
    )
    body = await send_and_capture(client, message)
    assert body == {
        **ENVELOPE,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Pick a bulb"},
            "footer": {"text": "In stock today"},
            "action": {
                "button": "Bulbs",
                "sections": [
                    {"title": "Warm", "rows": [{"id": "b1", "title": "Glow 60", "description": "2700K"}]},
                    {"title": "Cool", "rows": [{"id": "b2", "title": "Bright 75"}]},
                ],
            },
        },
    }


async def test_list_with_one_untitled_section_has_no_section_title(client: GraphClient) -> None:
    message = ListMessage(body="Pick", button="Open", sections=(Section(rows=(Row(id="a", title="A"),)),))
    body = await send_and_capture(client, message)
    assert body["interactive"]["action"]["sections"] == [{"rows": [{"id": "a", "title": "A"}]}]


async def test_template_with_components(client: GraphClient) -> None:
    components = ({"type": "body", "parameters": [{"type": "text", "text": "1042"}]},)
    body = await send_and_capture(
        client, Template(name="order_update", language="en_US", components=components)
    )
    assert body == {
        **ENVELOPE,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "1042"}]}],
        },
    }


async def test_template_without_components_sends_none(client: GraphClient) -> None:
    body = await send_and_capture(client, Template(name="hello_world"))
    assert body["template"] == {"name": "hello_world", "language": {"code": "en"}}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            Media(media_type="image", link="https://cdn.test/a.jpg", caption="Your bulb"),
            {"link": "https://cdn.test/a.jpg", "caption": "Your bulb"},
        ),
        (
            Media(media_type="document", media_id="777", caption="Invoice", filename="invoice.pdf"),
            {"id": "777", "caption": "Invoice", "filename": "invoice.pdf"},
        ),
        (Media(media_type="video", media_id="888", caption="How to"), {"id": "888", "caption": "How to"}),
        (Media(media_type="audio", media_id="999"), {"id": "999"}),
        (Media(media_type="sticker", link="https://cdn.test/s.webp"), {"link": "https://cdn.test/s.webp"}),
        # filename only applies to documents
        (Media(media_type="image", media_id="1", filename="x.jpg"), {"id": "1"}),
    ],
)
async def test_media(client: GraphClient, message: Media, expected: dict[str, Any]) -> None:
    body = await send_and_capture(client, message)
    assert body == {**ENVELOPE, "type": message.media_type, message.media_type: expected}


async def test_reaction(client: GraphClient) -> None:
    body = await send_and_capture(client, Reaction(message_id="wamid.IN", emoji="👍"))
    assert body == {**ENVELOPE, "type": "reaction", "reaction": {"message_id": "wamid.IN", "emoji": "👍"}}


def test_message_payload_is_usable_without_a_client() -> None:
    assert message_payload(to=TO, message=Text(body="x"))["text"] == {"body": "x", "preview_url": False}


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (429, 130429, True),  # throughput reached
        (400, 130429, True),
        (400, 131056, True),  # pair rate limit
        (400, 4, True),  # app rate limit
        (400, 80007, True),  # WABA rate limit
        (500, 1, True),  # unknown API error
        (503, 2, True),  # service temporarily unavailable
        (500, 131000, True),  # "something went wrong" on Graph's side
        (400, 131000, False),
        (400, 131047, False),  # outside the 24-hour window
        (400, 131026, False),  # undeliverable
        (400, 131051, False),  # unsupported message type
        (400, 100, False),  # invalid parameter
        (401, 190, False),  # bad or expired token
        (400, 131030, False),  # recipient not in the allowed list
        (400, 132001, False),  # template does not exist
        (400, 132000, False),  # template parameter count mismatch
        (403, 10, False),  # permission denied: any other 4xx
    ],
)
async def test_graph_errors_map_to_channel_errors(
    client: GraphClient, status: int, code: int, transient: bool
) -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=graph_failure(status, code, "Something", "the details"))
        with pytest.raises(ChannelError) as caught:
            await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))

    error = caught.value
    assert error.code == str(code)
    assert error.transient is transient
    assert error.message == f"(#{code}) Something"
    assert error.details == "the details"


@pytest.mark.parametrize(("status", "transient"), [(502, True), (503, True), (429, True), (404, False)])
async def test_http_failures_without_an_envelope(client: GraphClient, status: int, transient: bool) -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=httpx.Response(status, text="<html>Bad Gateway</html>"))
        with pytest.raises(ChannelError) as caught:
            await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))
    assert caught.value.code == f"http_{status}"
    assert caught.value.transient is transient


@pytest.mark.parametrize(
    ("side_effect", "code"),
    [
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.ConnectTimeout("timed out"), "timeout"),
        (httpx.ConnectError("connection refused"), "network"),
        (httpx.RemoteProtocolError("peer closed"), "network"),
    ],
)
async def test_timeouts_and_network_errors_are_transient(
    client: GraphClient, side_effect: Exception, code: str
) -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=side_effect)
        with pytest.raises(ChannelError) as caught:
            await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))
    assert caught.value.code == code
    assert caught.value.transient is True


@pytest.mark.parametrize(
    ("side_effect", "maybe_delivered"),
    [
        # After the request went out: Meta may have accepted the message before the answer was lost.
        (httpx.ReadTimeout("timed out"), True),
        (httpx.ReadError("connection reset"), True),
        (httpx.RemoteProtocolError("peer closed connection without sending complete message body"), True),
        (httpx.ProxyError("proxy hung up"), True),
        # Before the whole request went out: nothing can have been delivered.
        (httpx.ConnectError("connection refused"), False),
        (httpx.ConnectTimeout("timed out"), False),
        (httpx.WriteError("broken pipe"), False),
        (httpx.WriteTimeout("timed out"), False),
        (httpx.PoolTimeout("no connection free"), False),
    ],
)
async def test_only_failures_before_the_request_went_out_are_surely_undelivered(
    client: GraphClient, side_effect: Exception, maybe_delivered: bool
) -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(side_effect=side_effect)
        with pytest.raises(ChannelError) as caught:
            await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))
    assert caught.value.maybe_delivered is maybe_delivered
    assert caught.value.transient is True


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, json={"messaging_product": "whatsapp"}), httpx.Response(200, text="not json")],
)
async def test_a_success_without_a_wamid_is_not_retried(
    client: GraphClient, response: httpx.Response
) -> None:
    with respx.mock() as mock:
        mock.post(URL).mock(return_value=response)
        with pytest.raises(ChannelError) as caught:
            await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))
    assert caught.value.code == "bad_response"
    assert caught.value.transient is False


async def test_no_token_at_all_is_a_permanent_channel_error() -> None:
    async with httpx.AsyncClient() as http:
        client = GraphClient(http=http, base_url=BASE, api_version="v21.0", default_token="")
        with respx.mock(assert_all_called=False) as mock:
            route = mock.post(URL).mock(return_value=sent_ok())
            with pytest.raises(ChannelError) as caught:
                await client.send(channel=CHANNEL, to=TO, message=Text(body="Hi"))
    assert caught.value.code == "no_token"
    assert caught.value.transient is False
    assert not route.called


async def test_logs_never_hold_the_token_or_the_text(client: GraphClient) -> None:
    with capture_logs() as logs, respx.mock() as mock:
        mock.post(URL).mock(side_effect=[sent_ok(), graph_failure(400, 131047)])
        await client.send(channel=CHANNEL, to=TO, message=Text(body="secret order details"))
        with pytest.raises(ChannelError):
            await client.send(channel=CHANNEL, to=TO, message=Text(body="secret order details"))

    assert any(entry["event"] == "graph.error" and entry["fbtrace_id"] == "AbCdEf" for entry in logs)
    dumped = repr(logs)
    assert "default-secret" not in dumped
    assert "secret order details" not in dumped


def test_is_transient_follows_the_status_for_unknown_codes() -> None:
    assert is_transient(http_status=500, code=None)
    assert is_transient(http_status=429, code=None)
    assert not is_transient(http_status=400, code=None)
    assert not is_transient(http_status=500, code=131047)
