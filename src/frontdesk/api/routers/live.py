"""`WS /api/v1/ws`: the tenant's live events (new messages, statuses, conversation changes) as JSON.

Authenticated like the rest of the API, by an access token:
- programs: in the `Sec-WebSocket-Protocol` header, offering the subprotocols `frontdesk.v1` and
  `frontdesk.bearer.<token>`; the server picks `frontdesk.v1` and never echoes the token. Or as
  `Authorization: Bearer …` where the client library can set headers.
- the web app: the session cookie, accepted only from a page of this same site (the `Origin` must match
  the host).
- `?access_token=…` still works but is discouraged: URLs end up in proxies' and servers' logs (ours
  redact it, see `frontdesk.logs`).
Without valid credentials the handshake is refused (HTTP 403).

An open socket closes with code 1008 (policy violation), its reason saying why, once its session ends
(logout, revoked, the member disabled, in any process), the member's role is lowered, or the access
token it opened with expires (`services.session_watch`). Refresh the token, then reconnect with `since`.

`?since=<id>` first replays the events after that id, if they are still kept
(`FRONTDESK_LIVE_RETENTION_HOURS`); otherwise the first message is a `resync`. Then new events stream
as they are committed, in id order. What the client sends is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status

from frontdesk.api.auth import ACCESS_COOKIE
from frontdesk.api.schemas.live import LiveEventOut
from frontdesk.api.services import Services, services_in
from frontdesk.domain.staff import AuthenticationError, Staff
from frontdesk.services.live import LiveHub, Subscription
from frontdesk.services.session_watch import Watch

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["live"])

SUBPROTOCOL = "frontdesk.v1"
BEARER_SUBPROTOCOL = "frontdesk.bearer."


@router.websocket("/ws")
async def live_events(
    websocket: WebSocket,
    since: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    access_token: Annotated[str | None, Query(max_length=4096)] = None,
) -> None:
    """Stream the caller's tenant's live events (see the module)."""
    services = services_in(websocket.app.state)
    signed_in = await _authenticate(websocket, services, access_token)
    if signed_in is None:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="sign in first")
        return
    staff, expires_at = signed_in
    hub, sessions = services.inbox.live, services.access.sessions
    # Watched before anything else is awaited, and checked once more after subscribing: a logout that
    # lands between the sign-in check and here would otherwise find no socket to close.
    watch = sessions.watch(staff, expires_at=expires_at)
    subscription = None
    try:
        # Subscribe before the handshake completes: an event committed once the client is connected
        # comes after the subscription's starting point, so it is never missed.
        subscription = await hub.subscribe(staff.tenant.id, since=since)
        await sessions.recheck()
        if watch.ended.is_set():
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=watch.reason)
            return
        offered = websocket.scope.get("subprotocols", [])
        await websocket.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
        await _pump(websocket, hub, subscription, watch)
    finally:
        sessions.unwatch(watch)
        if subscription is not None:
            hub.unsubscribe(subscription)


async def _authenticate(
    websocket: WebSocket, services: Services, query_token: str | None
) -> tuple[Staff, datetime] | None:
    """The caller and when their token expires, or None (no or bad credentials: refuse)."""
    header = websocket.headers.get("authorization", "")
    scheme, _, bearer = header.partition(" ")
    token = (
        _subprotocol_token(websocket)
        or query_token
        or (bearer.strip() if scheme.lower() == "bearer" else None)
    )
    if not token:
        token = websocket.cookies.get(ACCESS_COOKIE)
        if not token or not _same_origin(websocket):
            return None
    try:
        return await services.access.accounts.authenticate_until(token)
    except AuthenticationError:
        return None


def _subprotocol_token(websocket: WebSocket) -> str | None:
    offered: list[str] = websocket.scope.get("subprotocols", [])
    return next(
        (p.removeprefix(BEARER_SUBPROTOCOL) for p in offered if p.startswith(BEARER_SUBPROTOCOL)), None
    )


def _same_origin(websocket: WebSocket) -> bool:
    """A cookie-authenticated socket must come from a page of this site (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def _pump(websocket: WebSocket, hub: LiveHub, subscription: Subscription, watch: Watch) -> None:
    """Send events until the client goes away (noticed by the receiving task), a send fails, or the
    watch ends (then close with 1008 and the watch's reason)."""

    async def send() -> None:
        async for event in hub.events(subscription):
            await websocket.send_text(LiveEventOut.of(event).model_dump_json())

    async def receive() -> None:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass

    ended = asyncio.create_task(watch.ended.wait())
    tasks = [asyncio.create_task(send()), asyncio.create_task(receive()), ended]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    if ended in done:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):  # the client left meanwhile
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=watch.reason)
    for task in done:
        error = task.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError | OSError):
            log.error("live events: stream failed", exc_info=error)
