"""Which network failures of an HTTP call to a channel can have delivered the message: shared by the
kinds that send over httpx (the Cloud API, the bridge).

A failure before the whole request went out (connecting, writing, waiting for a pooled connection)
cannot have delivered anything: retrying it is always safe. Any other transport error (a read timeout,
a connection reset or a malformed answer after the request was written) may come after the channel
accepted the message, so it `maybe_delivered`, and the number's `uncertain_sends` decides.
"""

from __future__ import annotations

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
