"""The bridge's webhook: zapw's events, let in by the secret token in the URL, then parsed and stored.

zapw posts every event of every session to one URL and cannot sign them, so its `WEBHOOK_URL` is
`https://<frontdesk>/webhooks/bridge?token=<FRONTDESK_BRIDGE_WEBHOOK_TOKEN>`. The token is compared in
constant time before the body is read; a wrong or missing one is a 401 and nothing is stored. The
token never reaches a log line (every logged URL has `token=` redacted, `frontdesk.logs`) nor a metric
label. zapw retries a failed delivery twice (1 s, then 2 s later), so a failure to store answers 5xx
and a good event is never lost to a passing hiccup; a redelivered message is stored once (its id).
Docs: docs/channels/wa-bridge.md.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import Field

from frontdesk.adapters.channels.wa_bridge.webhook import check_token, parse_event
from frontdesk.api.body import read_limited
from frontdesk.api.deps import ChannelsDep, IngestDep, MetricsDep, SettingsDep
from frontdesk.api.routers.webhooks import WebhookAck, counted, webhook_span
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import SignatureError
from frontdesk.domain.events import SessionChange
from frontdesk.domain.json_input import decode_json
from frontdesk.services.channels import ChannelService
from frontdesk.services.ingest import IngestResult, IngestService
from frontdesk.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_ZAPW_EVENT = {
    "required": True,
    "description": "One zapw event, as zapw posts it (header `X-Webhook-Event`: its eventType)",
    "content": {
        "application/json": {
            "schema": {"type": "object", "required": ["sessionId", "eventType"]},
            "example": {
                "sessionId": "fd-3kq0x2a9",
                "origin": "5511999990000",
                "eventType": "message.received",
                "timestamp": 1681300000000,
                "data": {
                    "from": "5511988887777",
                    "to": "5511999990000",
                    "messageId": "3EB0C431C26A1916E2A1",
                    "type": "text",
                    "text": "Hi! Is the shop open today?",
                    "timestamp": 1681300000000,
                    "isGroup": False,
                },
            },
        }
    },
}


class BridgeWebhookAck(WebhookAck):
    """What was done with a zapw event (zapw only looks at the status)."""

    sessions: int = Field(
        description="Session changes recorded on their number (session.connected / .disconnected)",
        examples=[0],
    )


@router.post(
    "/bridge",
    openapi_extra={"requestBody": _ZAPW_EVENT},
    responses={
        400: {"description": "Body is not JSON or not a zapw event (no sessionId or eventType)"},
        401: {"description": "Missing or wrong token: nothing is stored"},
        413: {"description": "Body over the size limit"},
    },
)
async def receive_bridge(
    request: Request,
    settings: SettingsDep,
    ingest: IngestDep,
    channels: ChannelsDep,
    metrics: MetricsDep,
    token: Annotated[
        str | None,
        Query(description="FRONTDESK_BRIDGE_WEBHOOK_TOKEN, as set in zapw's WEBHOOK_URL"),
    ] = None,
) -> BridgeWebhookAck:
    """Receive one zapw event: customers' messages and statuses are stored exactly once, a session's
    link change is recorded on its number. An event of a session no number has is logged and answered
    200 (`unknown_channel`), so zapw does not retry it."""
    return await counted(metrics, _receive(request, token, settings, ingest, channels))


async def _receive(
    request: Request, token: str | None, settings: Settings, ingest: IngestService, channels: ChannelService
) -> BridgeWebhookAck:
    expected = settings.bridge_webhook_token
    try:
        check_token(token, expected.get_secret_value() if expected else None)
    except SignatureError as exc:
        log.warning("bridge webhook refused", extra={"reason": str(exc)})
        raise
    body = await read_limited(request, settings.max_body_bytes)
    return await accept_bridge(body, ingest=ingest, channels=channels)


async def accept_bridge(body: bytes, *, ingest: IngestService, channels: ChannelService) -> BridgeWebhookAck:
    """Decode and parse one zapw event whose token was checked, then store or record it.

    Raises `InvalidInputError` for a body that is not JSON or not a zapw event.
    """
    with webhook_span(ChannelKind.WA_BRIDGE):
        return await _accept_bridge(body, ingest=ingest, channels=channels)


async def _accept_bridge(body: bytes, *, ingest: IngestService, channels: ChannelService) -> BridgeWebhookAck:
    event = parse_event(decode_json(body))
    result, sessions = IngestResult(), 0
    if event is None:  # refused, with its reason logged by the parser
        result.ignored += 1
    elif isinstance(event, SessionChange):
        if await channels.session_changed(event):
            sessions += 1
        else:
            log.warning("bridge event for a session no number has", extra={"session_id": event.session_id})
            result.unknown_channel += 1
    else:
        result = await ingest.ingest([event], kind=ChannelKind.WA_BRIDGE)
    return BridgeWebhookAck(sessions=sessions, **vars(result))
