"""read_bounded: a file is refused as it passes the bound, whether or not its length was declared."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from frontdesk.adapters.channels.media_download import content_type, read_bounded
from frontdesk.domain.errors import MEDIA_TOO_LARGE, ChannelError


class Chunks(httpx.AsyncByteStream):
    """A body of `count` chunks of `size` bytes, with no Content-Length; counts what was read."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size, self.read = count, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.read += 1
            yield b"x" * self.size


async def fetch(stream: httpx.AsyncByteStream | bytes, max_bytes: int, **headers: str) -> bytes:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(stream, bytes):
            return httpx.Response(200, content=stream, headers=headers)
        return httpx.Response(200, stream=stream, headers=headers)

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        http.stream("GET", "https://files.test/f") as response,
    ):
        return await read_bounded(response, max_bytes)


async def test_a_body_within_the_bound_is_read_whole() -> None:
    assert await fetch(b"abc", 3) == b"abc"


async def test_an_undeclared_body_is_cut_off_once_past_the_bound() -> None:
    stream = Chunks(count=100, size=1000)
    with pytest.raises(ChannelError) as failed:
        await fetch(stream, 2500)
    assert failed.value.code == MEDIA_TOO_LARGE
    assert not failed.value.transient
    assert stream.read == 3


async def test_a_declared_length_over_the_bound_is_refused_before_reading() -> None:
    stream = Chunks(count=1, size=10)
    with pytest.raises(ChannelError) as failed:
        await fetch(stream, 5, **{"content-length": "10"})
    assert failed.value.code == MEDIA_TOO_LARGE
    assert stream.read == 0


def test_content_type_drops_parameters() -> None:
    response = httpx.Response(200, headers={"content-type": "Image/JPEG; charset=binary"})
    assert content_type(response) == "image/jpeg"
    assert content_type(httpx.Response(200)) is None
