"""GraphClient.media against the fake Graph API on a real local server: the media node, then its url."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.domain import events
from frontdesk.domain.errors import MEDIA_TOO_LARGE, ChannelError
from frontdesk.domain.models import Channel

PNID = "106540352242922"
CHANNEL = Channel(id=1, tenant_id=1, phone_number_id=PNID)
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
MAX = 1 << 20


@pytest.fixture
async def client(graph_url: str) -> AsyncIterator[GraphClient]:
    async with httpx.AsyncClient(timeout=5.0) as http:
        yield GraphClient(http=http, base_url=graph_url, api_version="v21.0", default_token="default-secret")


def serve_media(
    graph_url: str,
    data: bytes,
    mime_type: str,
    *,
    number: str | None = PNID,
    download_base: str | None = None,
) -> str:
    """Register a received file on the fake Graph (its url on `download_base`, else the fake); its id."""
    media_id = str(uuid.uuid4().int)[:15]
    params = {"phone_number_id": number} if number else {}
    if download_base:
        params["download_base"] = download_base
    httpx.put(
        f"{graph_url}/_fake/media/{media_id}",
        content=data,
        headers={"content-type": mime_type},
        params=params,
    ).raise_for_status()
    return media_id


def fail_next_lookup(graph_url: str) -> None:
    httpx.post(f"{graph_url}/_fake/fail", json={"status": 503, "code": 2}).raise_for_status()


def downloads(graph_url: str, media_id: str) -> int:
    count: int = httpx.get(f"{graph_url}/_fake/media/{media_id}").json()["downloads"]
    return count


async def test_the_file_comes_with_graphs_type(client: GraphClient, graph_url: str) -> None:
    media_id = serve_media(graph_url, JPEG, "image/jpeg")
    file = await client.media(channel=CHANNEL, media=events.Media(id=media_id), max_bytes=MAX)
    assert file.data == JPEG
    assert file.mime_type == "image/jpeg"
    assert downloads(graph_url, media_id) == 1


async def test_a_transient_lookup_failure_is_transient(client: GraphClient, graph_url: str) -> None:
    media_id = serve_media(graph_url, JPEG, "image/jpeg")
    fail_next_lookup(graph_url)
    with pytest.raises(ChannelError) as failed:
        await client.media(channel=CHANNEL, media=events.Media(id=media_id), max_bytes=MAX)
    assert failed.value.transient
    assert downloads(graph_url, media_id) == 0
    file = await client.media(channel=CHANNEL, media=events.Media(id=media_id), max_bytes=MAX)
    assert file.data == JPEG


async def test_an_unknown_id_is_permanent(client: GraphClient) -> None:
    with pytest.raises(ChannelError) as failed:
        await client.media(channel=CHANNEL, media=events.Media(id="123456789"), max_bytes=MAX)
    assert not failed.value.transient
    assert failed.value.code == "100"


async def test_a_file_over_the_bound_is_refused_before_downloading(
    client: GraphClient, graph_url: str
) -> None:
    media_id = serve_media(graph_url, JPEG, "image/jpeg")
    with pytest.raises(ChannelError) as failed:
        await client.media(channel=CHANNEL, media=events.Media(id=media_id), max_bytes=len(JPEG) - 1)
    assert failed.value.code == MEDIA_TOO_LARGE
    assert not failed.value.transient
    assert downloads(graph_url, media_id) == 0


async def test_media_without_an_id_is_permanent(client: GraphClient) -> None:
    with pytest.raises(ChannelError) as failed:
        await client.media(
            channel=CHANNEL, media=events.Media(link="https://elsewhere.test/x"), max_bytes=MAX
        )
    assert failed.value.code == "no_media_id"
    assert not failed.value.transient


async def test_graph_down_is_transient(graph_url: str) -> None:
    async with httpx.AsyncClient(timeout=2.0) as http:
        client = GraphClient(http=http, base_url="http://127.0.0.1:9", api_version="v21.0", default_token="t")
        with pytest.raises(ChannelError) as failed:
            await client.media(channel=CHANNEL, media=events.Media(id="1"), max_bytes=MAX)
    assert failed.value.transient


async def test_the_token_goes_only_to_https_or_to_graphs_own_host(
    client: GraphClient, graph_url: str
) -> None:
    """A media url over plain http on another host than FRONTDESK_WHATSAPP_GRAPH_URL's would hand the
    number's token to anyone on the path: it is not fetched. (The fake Graph is plain http on loopback:
    its own host is allowed, as the other tests show.)"""
    elsewhere = graph_url.replace("127.0.0.1", "localhost")
    media_id = serve_media(graph_url, b"photo", "image/jpeg", download_base=elsewhere)
    with pytest.raises(ChannelError) as raised:
        await client.media(channel=CHANNEL, media=events.Media(id=media_id), max_bytes=MAX)
    assert (raised.value.code, raised.value.transient) == ("bad_response", False)
    assert "https" in raised.value.message
    assert downloads(graph_url, media_id) == 0
