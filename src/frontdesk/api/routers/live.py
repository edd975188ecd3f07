"""`WS /api/v1/ws`: the tenant's live events (new messages, statuses, conversation changes) as JSON.

Authenticated like the rest of the API: an access token as `?access_token=…` (browsers cannot set
headers on a WebSocket), as `Authorization: Bearer …`, or in the session cookie, which is accepted
only from a page of this same site (the `Origin` must match the host). Without valid credentials the
handshake is refused (HTTP 403).

`?since=<id>` first replays the events after that id, if they are still kept
(`FRONTDESK_LIVE_RETENTION_HOURS`); otherwise the first message is a `resync`. Then new events stream
as they are committed, in id order. What the client sends is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from frontdesk.api.auth import ACCESS_COOKIE
from frontdesk.api.schemas.live import LiveEventOut
from frontdesk.domain.staff import AuthenticationError, Staff
from frontdesk.services.live import LiveHub, Subscription

if TYPE_CHECKING:
    from frontdesk.app import Frontdesk

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["live"])


@router.websocket("/ws")
async def live_events(
    websocket: WebSocket,
    since: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    access_token: Annotated[str | None, Query(max_length=4096)] = None,
) -> None:
    """Stream the caller's tenant's live events (see the module)."""
    frontdesk: Frontdesk = websocket.app.state.frontdesk
    staff = await _authenticate(websocket, frontdesk, access_token)
    if staff is None:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="sign in first")
        return
    hub = frontdesk.inbox.live
    # Subscribe before the handshake completes: an event committed once the client is connected
    # comes after the subscription's starting point, so it is never missed.
    subscription = await hub.subscribe(staff.tenant.id, since=since)
    try:
        await websocket.accept()
        await _pump(websocket, hub, subscription)
    finally:
        hub.unsubscribe(subscription)


async def _authenticate(websocket: WebSocket, frontdesk: Frontdesk, query_token: str | None) -> Staff | None:
    header = websocket.headers.get("authorization", "")
    scheme, _, bearer = header.partition(" ")
    token = query_token or (bearer.strip() if scheme.lower() == "bearer" else None)
    if not token:
        token = websocket.cookies.get(ACCESS_COOKIE)
        if not token or not _same_origin(websocket):
            return None
    try:
        return await frontdesk.access.accounts.authenticate(token)
    except AuthenticationError:
        return None


def _same_origin(websocket: WebSocket) -> bool:
    """A cookie-authenticated socket must come from a page of this site (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def _pump(websocket: WebSocket, hub: LiveHub, subscription: Subscription) -> None:
    """Send events until the client goes away (noticed by the receiving task) or a send fails."""

    async def send() -> None:
        async for event in hub.events(subscription):
            await websocket.send_text(LiveEventOut.of(event).model_dump_json())

    async def receive() -> None:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    tasks = [asyncio.create_task(send()), asyncio.create_task(receive())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    for task in done:
        error = task.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError | OSError):
            log.error("live events: stream failed", exc_info=error)
