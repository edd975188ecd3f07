"""Which network failures of an HTTP call to a channel can have delivered the message, and reading
the channel's answer: shared by the kinds that send over httpx (the Cloud API, the bridge).

A failure before the whole request went out (connecting, writing, waiting for a pooled connection)
cannot have delivered anything: retrying it is always safe. Any other transport error (a read timeout,
a connection reset or a malformed answer after the request was written) may come after the channel
accepted the message, so it `maybe_delivered`, and the number's `uncertain_sends` decides.
"""

from __future__ import annotations

from typing import Any

import httpx

NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def maybe_delivered(exc: httpx.TransportError) -> bool:
    """Whether the channel may have received the request that failed with `exc`."""
    return not isinstance(exc, NEVER_SENT)


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's body as a JSON object; None when it is not JSON or not an object (a proxy's HTML
    error page, an empty body): the caller maps that to its own error."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
