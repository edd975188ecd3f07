"""Channel webhooks. Verify the signature on the raw bytes, then parse once, then ingest."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from frontdesk.adapters.channels.whatsapp_cloud.webhook import (
    SIGNATURE_HEADER,
    parse_webhook,
    verify_signature,
)
from frontdesk.api.body import read_limited
from frontdesk.api.deps import IngestDep, MetricsDep, SettingsDep
from frontdesk.api.errors import PayloadTooLargeError
from frontdesk.domain import traces
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import FrontdeskError, InvalidInputError, SignatureError, UntrustedSenderError
from frontdesk.domain.json_input import decode_json
from frontdesk.domain.ops import Metrics
from frontdesk.services.ingest import IngestService
from frontdesk.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
router = APIRouter(prefix="/webhooks", tags=["webhooks"])


class WebhookAck(BaseModel):
    """What was done with a delivery (Meta only looks at the 200)."""

    stored: int
    duplicates: int
    statuses: int
    unknown_channel: int
    ignored: int


@router.get(
    "/whatsapp",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {"example": "1158201444"}}},
        403: {"description": "Wrong token"},
    },
)
async def verify_subscription(
    settings: SettingsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str, Query(alias="hub.challenge")] = "",
) -> PlainTextResponse:
    """Meta's subscription handshake: echo `hub.challenge` when the verify token matches."""
    expected = settings.whatsapp_verify_token.get_secret_value()
    if mode == "subscribe" and token is not None and _same(token, expected):
        return PlainTextResponse(challenge)
    log.warning("webhook verification refused", extra={"mode": mode})
    return PlainTextResponse("verification failed", status_code=403)


@router.post(
    "/whatsapp",
    responses={
        400: {"description": "Body is not JSON or not a WhatsApp webhook"},
        401: {"description": "Missing or wrong X-Hub-Signature-256"},
        413: {"description": "Body over the size limit"},
    },
)
async def receive(
    request: Request, settings: SettingsDep, ingest: IngestDep, metrics: MetricsDep
) -> WebhookAck:
    """Receive a WhatsApp Cloud API delivery (messages and statuses) and store it exactly once."""
    return await counted(metrics, _receive(request, settings, ingest))


_RESULTS = {
    SignatureError: "bad_signature",
    UntrustedSenderError: "bad_signature",
    PayloadTooLargeError: "too_large",
}


async def counted(metrics: Metrics, handling: Awaitable[T]) -> T:
    """Await a delivery's handling and count how it ended in the webhook metric (every kind's door)."""
    try:
        result = await handling
    except FrontdeskError as exc:
        metrics.webhook(
            _RESULTS.get(type(exc), "bad_request" if isinstance(exc, InvalidInputError) else "error")
        )
        raise
    except Exception:  # a failure while storing (the database is down): a 500, and the sender retries
        metrics.webhook("error")
        raise
    metrics.webhook("ok")
    return result


async def _receive(request: Request, settings: Settings, ingest: IngestService) -> WebhookAck:
    body = await read_limited(request, settings.max_body_bytes)
    try:
        return await accept(
            body,
            request.headers.get(SIGNATURE_HEADER),
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            ingest=ingest,
        )
    except SignatureError as exc:
        log.warning("webhook signature rejected", extra={"reason": str(exc), "bytes": len(body)})
        raise


async def accept(body: bytes, signature: str | None, *, app_secret: str, ingest: IngestService) -> WebhookAck:
    """Verify a delivery's signature on its raw bytes, then decode, parse and store it exactly once.

    Raises `SignatureError` before anything is parsed, and `InvalidInputError` for a body that is not
    JSON, nests too deep or is not a webhook. Text the database could not store is cleaned first
    (`frontdesk.domain.json_input`), so one odd message never fails its neighbours. Shared by the route
    and `frontdesk.api.webhook_fast_path`.
    """
    with webhook_span(ChannelKind.WHATSAPP_CLOUD):
        verify_signature(body, signature, app_secret)
        result = await ingest.ingest(parse_webhook(decode_json(body)), kind=ChannelKind.WHATSAPP_CLOUD)
        return WebhookAck(**vars(result))


@contextmanager
def webhook_span(kind: ChannelKind) -> Iterator[None]:
    """The root span of a delivery's trace (`frontdesk.domain.traces`): the trace of each customer
    message it brings starts here. A span of our own in the webhook routes rather than the framework's
    instrumentation: the fast path answers most webhooks before the framework, and health and metrics
    stay untraced."""
    with traces.span(
        f"webhook {kind.value}", kind=SpanKind.SERVER, attributes={traces.CHANNEL_KIND: kind.value}
    ):
        yield


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
