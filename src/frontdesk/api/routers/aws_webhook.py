"""The AWS End User Messaging Social webhook: SNS deliveries, verified on the raw bytes, then ingested.

SNS posts every message of the WABA's event topic here (`Content-Type: text/plain`, JSON inside). The
answer tells SNS what to do: a 2xx or 4xx ends the delivery, a 5xx makes SNS try again (by the
subscription's delivery policy). So a message not proved to be from an allowed topic is a 403, one that
is not what it should be a 400, and one that could not be stored (or whose certificate could not be
fetched) a 5xx, to be delivered again. Docs: docs/channels/aws-social.md.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import Field

from frontdesk.adapters.channels.aws_social.sns import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    SnsMessage,
    SnsVerifier,
    notification_events,
)
from frontdesk.api.body import read_limited
from frontdesk.api.deps import AwsSnsDep, IngestDep, MetricsDep, SettingsDep
from frontdesk.api.routers.webhooks import WebhookAck, counted, webhook_span
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import UntrustedSenderError
from frontdesk.services.ingest import IngestResult, IngestService

log = logging.getLogger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_SNS_BODY = {
    "required": True,
    "description": "An SNS HTTP(S) message (Notification, SubscriptionConfirmation or "
    "UnsubscribeConfirmation) as SNS posts it: JSON sent as `text/plain`",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}


class AwsWebhookAck(WebhookAck):
    """What was done with an SNS message (SNS only looks at the status)."""

    type: str = Field(
        description="The SNS message type: Notification (its events stored), SubscriptionConfirmation "
        "(confirmed), UnsubscribeConfirmation (logged)",
        examples=["Notification"],
    )


@router.post(
    "/aws",
    openapi_extra={"requestBody": _SNS_BODY},
    responses={
        400: {"description": "Not an SNS message, or a Notification whose WhatsApp entry is not JSON"},
        403: {
            "description": "Not proved to be from an allowed topic: a missing or wrong signature, a "
            "signing certificate or SubscribeURL not on SNS's host, a topic not in "
            "FRONTDESK_AWS_SNS_TOPIC_ARNS. Nothing is stored."
        },
        413: {"description": "Body over the size limit"},
        503: {"description": "SNS's signing certificate or SubscribeURL could not be fetched: SNS retries"},
    },
)
async def receive_aws(
    request: Request, settings: SettingsDep, ingest: IngestDep, sns: AwsSnsDep, metrics: MetricsDep
) -> AwsWebhookAck:
    """Receive an SNS message from AWS End User Messaging Social's event topic: WhatsApp messages and
    statuses are stored exactly once, a subscription to an allowed topic is confirmed."""
    body = await read_limited(request, settings.max_body_bytes)
    return await counted(metrics, accept_sns(body, sns=sns, ingest=ingest))


async def accept_sns(body: bytes, *, sns: SnsVerifier, ingest: IngestService) -> AwsWebhookAck:
    """Verify an SNS message on its raw bytes, then act on it by type (see the module docstring)."""
    with webhook_span(ChannelKind.AWS_SOCIAL):
        return await _accept_sns(body, sns=sns, ingest=ingest)


async def _accept_sns(body: bytes, *, sns: SnsVerifier, ingest: IngestService) -> AwsWebhookAck:
    try:
        message = await sns.verify(body)
    except UntrustedSenderError as exc:
        log.warning("SNS message refused", extra={"reason": str(exc), "bytes": len(body)})
        raise
    result = IngestResult()
    if message.type == NOTIFICATION:
        result = await ingest.ingest(notification_events(message), kind=ChannelKind.AWS_SOCIAL)
    elif message.type == SUBSCRIPTION_CONFIRMATION:
        await sns.confirm_subscription(message)
    else:
        _unsubscribed(message)
    return AwsWebhookAck(type=message.type, **vars(result))


def _unsubscribed(message: SnsMessage) -> None:
    # Not confirmed back (that would subscribe again): whoever unsubscribed meant it.
    log.warning(
        "this endpoint was unsubscribed from an SNS topic: its WhatsApp events no longer arrive",
        extra={"topic_arn": message.topic_arn},
    )
