"""GraphClient against the fake Graph API served by a real uvicorn server on a local port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.devtools.fake_graph import create_fake_graph
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import Button, Buttons, Text
from tests.support.servers import serve_app

PNID = "106540352242922"
TO = "15550001111"
CHANNEL = Channel(id=1, tenant_id=1, phone_number_id=PNID)
READ_RECEIPT = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN"}
CHANNEL_WITH_TOKEN = Channel(id=2, tenant_id=1, phone_number_id="999", access_token="channel-secret")


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    with serve_app(create_fake_graph()) as base_url:
        yield base_url


@pytest.fixture(autouse=True)
def _fresh_fake(fake_url: str) -> None:
    httpx.delete(f"{fake_url}/_fake/messages").raise_for_status()
    httpx.delete(f"{fake_url}/_fake/fail").raise_for_status()


@pytest.fixture
async def client(fake_url: str) -> AsyncIterator[GraphClient]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        yield GraphClient(http=http, base_url=fake_url, api_version="v21.0", default_token="default-secret")


async def received(fake_url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{fake_url}/_fake/messages")
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def fail(fake_url: str, **rule: Any) -> None:
    async with httpx.AsyncClient() as http:
        (await http.post(f"{fake_url}/_fake/fail", json=rule)).raise_for_status()


async def send_text(client: GraphClient, text: str = "Hello") -> str:
    return await client.send(channel=CHANNEL, to=TO, message=Text(body=text))


async def test_sends_and_records_what_was_sent(client: GraphClient, fake_url: str) -> None:
    wamid = await send_text(client, "Your order shipped")
    buttons = Buttons(body="Anything else?", buttons=(Button(id="no", title="No"),), reply_to="wamid.IN")
    second = await client.send(channel=CHANNEL_WITH_TOKEN, to=TO, message=buttons)

    assert wamid.startswith("wamid.")
    assert second != wamid
    first_record, second_record = await received(fake_url)
    assert first_record["phone_number_id"] == PNID
    assert first_record["version"] == "v21.0"
    assert first_record["token"] == "default-secret"
    assert first_record["wamid"] == wamid
    assert first_record["http_status"] == 200
    assert first_record["body"]["text"] == {"body": "Your order shipped", "preview_url": False}
    assert second_record["phone_number_id"] == "999"
    assert second_record["token"] == "channel-secret"
    assert second_record["body"]["interactive"]["type"] == "button"
    assert second_record["body"]["context"] == {"message_id": "wamid.IN"}
    assert second_record["seq"] > first_record["seq"]


async def mark_read(fake_url: str) -> None:
    """A read receipt as Meta documents it (Frontdesk sends none; the fake, like Graph, accepts them)."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{fake_url}/v21.0/{PNID}/messages",
            headers={"Authorization": "Bearer default-secret"},
            json=READ_RECEIPT,
        )
    assert response.json() == {"success": True}


async def test_read_receipt_succeeds_and_is_recorded(fake_url: str) -> None:
    await mark_read(fake_url)
    (record,) = await received(fake_url)
    assert record["body"] == READ_RECEIPT
    assert record["wamid"] is None


async def test_rate_limit_fails_the_next_sends_then_recovers(client: GraphClient, fake_url: str) -> None:
    await fail(fake_url, status=429, code=130429, times=2, message="Rate limit hit")

    for _ in range(2):
        with pytest.raises(ChannelError) as caught:
            await send_text(client)
        assert (caught.value.code, caught.value.transient) == ("130429", True)
        assert caught.value.message == "(#130429) Rate limit hit"
    assert (await send_text(client)).startswith("wamid.")

    assert [r["http_status"] for r in await received(fake_url)] == [429, 429, 200]


async def test_read_receipts_do_not_use_up_failures(client: GraphClient, fake_url: str) -> None:
    await fail(fake_url, status=500, code=131000)
    await mark_read(fake_url)
    with pytest.raises(ChannelError):
        await send_text(client)


async def test_server_error_is_transient(client: GraphClient, fake_url: str) -> None:
    await fail(fake_url, status=500, code=131000, message="Something went wrong")
    with pytest.raises(ChannelError) as caught:
        await send_text(client)
    assert (caught.value.code, caught.value.transient) == ("131000", True)


async def test_outside_the_window_is_permanent(client: GraphClient, fake_url: str) -> None:
    details = "More than 24 hours have passed since the recipient last replied to the sender number."
    await fail(fake_url, status=400, code=131047, message="Re-engagement message", details=details)
    with pytest.raises(ChannelError) as caught:
        await send_text(client)
    assert (caught.value.code, caught.value.transient) == ("131047", False)
    assert caught.value.details == details


async def test_a_slow_answer_times_out_as_transient(fake_url: str) -> None:
    await fail(fake_url, status=200, delay=1.0)
    async with httpx.AsyncClient(timeout=0.2) as http:
        client = GraphClient(http=http, base_url=fake_url, api_version="v21.0", default_token="t")
        with pytest.raises(ChannelError) as caught:
            await send_text(client)
    assert (caught.value.code, caught.value.transient) == ("timeout", True)


async def test_a_slow_success_still_succeeds(client: GraphClient, fake_url: str) -> None:
    await fail(fake_url, status=200, delay=0.2)
    assert (await send_text(client)).startswith("wamid.")


async def test_concurrent_sends_get_unique_ids_and_are_all_recorded(
    client: GraphClient, fake_url: str
) -> None:
    wamids = await asyncio.gather(*(send_text(client, f"n{i}") for i in range(25)))
    records = await received(fake_url)
    assert len(set(wamids)) == 25
    assert {r["wamid"] for r in records} == set(wamids)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}},
            "The parameter to is required.",
        ),
        (
            {"messaging_product": "whatsapp", "to": TO, "text": {"body": "x"}},
            "The parameter type is required.",
        ),
        ({"messaging_product": "whatsapp", "to": TO, "type": "text"}, "The parameter text is required."),
        ({"to": TO, "type": "text", "text": {"body": "x"}}, "The parameter messaging_product is required."),
    ],
)
async def test_malformed_bodies_get_graph_error_100(
    fake_url: str, body: dict[str, Any], details: str
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{fake_url}/v21.0/{PNID}/messages", json=body, headers={"Authorization": "Bearer t"}
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 100
    assert error["type"] == "OAuthException"
    assert error["error_data"]["details"] == details
    assert error["fbtrace_id"]


async def test_a_missing_token_gets_error_190(fake_url: str) -> None:
    body = {"messaging_product": "whatsapp", "to": TO, "type": "text", "text": {"body": "x"}}
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{fake_url}/v21.0/{PNID}/messages", json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 190


def test_the_server_helper_stops_the_server() -> None:
    with serve_app(create_fake_graph()) as base_url:
        assert httpx.get(f"{base_url}/_fake/messages").json() == {"messages": []}
        parts = urlsplit(base_url)
    with pytest.raises(OSError), socket.create_connection((parts.hostname or "", parts.port or 0), timeout=1):
        pass
