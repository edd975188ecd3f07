"""Reading a received file's bytes over HTTP within a size bound: shared by the kinds that download media.

A channel's media is read into memory (the file store writes it whole), so a file larger than
`FRONTDESK_MEDIA_MAX_BYTES` must be refused while it streams, not after: a declared `Content-Length`
over the bound is refused before reading, and a body that grows past it is cut off there. Either is a
permanent `ChannelError` (`media_too_large`): the same file will not get smaller on a retry.
"""

from __future__ import annotations

import httpx

from frontdesk.domain.errors import MEDIA_TOO_LARGE, ChannelError


def media_too_large(max_bytes: int, size: int | None = None) -> ChannelError:
    """The permanent refusal of a file over `max_bytes` (its size when the channel declared it)."""
    what = f"the file ({size} bytes)" if size is not None else "the file"
    return ChannelError(
        f"{what} is larger than the {max_bytes} bytes this server accepts (FRONTDESK_MEDIA_MAX_BYTES)",
        code=MEDIA_TOO_LARGE,
        transient=False,
    )


def whole_number(value: object) -> int | None:
    """A whole number a channel gave (a JSON number or digits in a string, as Graph's `file_size` and
    error codes and a `Content-Length` are), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


async def read_bounded(response: httpx.Response, max_bytes: int) -> bytes:
    """The body of a streamed `response`, refused with `media_too_large` once it passes `max_bytes`.

    httpx's transport errors while reading propagate unchanged, for the caller to map like any other.
    """
    declared = whole_number(response.headers.get("content-length"))
    if declared is not None and declared > max_bytes:
        raise media_too_large(max_bytes, declared)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise media_too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def content_type(response: httpx.Response) -> str | None:
    """The response's media type without parameters (`image/jpeg; q=1` → `image/jpeg`), or None."""
    value = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return value or None
