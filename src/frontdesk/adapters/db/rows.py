"""Mapping of table rows to domain records."""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.secret_box import SecretBox
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.models import (
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Job,
    Message,
    MessageStatus,
    Tenant,
    UncertainSends,
)


def tenant(r: Any) -> Tenant:
    return Tenant(
        id=r.id,
        slug=r.slug,
        name=r.name,
        timezone=r.timezone,
        currency=r.currency,
        disabled=r.disabled_at is not None,
    )


def channel(r: Any, secrets: SecretBox) -> Channel:
    """The channel with its token opened (services never see the stored, encrypted form)."""
    return Channel(
        id=r.id,
        tenant_id=r.tenant_id,
        kind=ChannelKind(r.kind),
        phone_number_id=r.phone_number_id,
        waba_id=r.waba_id,
        display_phone_number=r.display_phone_number,
        name=r.name,
        access_token=secrets.open(r.access_token),
        enabled=r.enabled,
        uncertain_sends=UncertainSends(r.uncertain_sends),
        aws_phone_number_id=r.aws_phone_number_id,
        region=r.region,
        groups=r.groups,
        team_version=r.team_version,
    )


def contact(r: Any) -> Contact:
    return Contact(
        id=r.id, tenant_id=r.tenant_id, wa_id=r.wa_id, name=r.name, opted_out=r.opted_out_at is not None
    )


def conversation(r: Any) -> Conversation:
    return Conversation(
        id=r.id,
        tenant_id=r.tenant_id,
        channel_id=r.channel_id,
        contact_id=r.contact_id,
        status=ConversationStatus(r.status),
        assigned_agent=r.assigned_agent,
        last_inbound_at=r.last_inbound_at,
        agent_state=r.agent_state,
    )


def message(r: Any) -> Message:
    return Message(
        id=r.id,
        tenant_id=r.tenant_id,
        conversation_id=r.conversation_id,
        direction=Direction(r.direction),
        type=r.type,
        text=r.text,
        content=r.content or {},
        channel_message_id=r.channel_message_id,
        reply_to=r.reply_to,
        status=MessageStatus(r.status),
        error_code=r.error_code,
        error_message=r.error_message,
        agent=r.agent,
        created_at=r.created_at,
    )


def job(r: Any) -> Job:
    return Job(
        id=r.id,
        kind=r.kind,
        key=r.key,
        payload=r.payload or {},
        attempts=r.attempts,
        max_attempts=r.max_attempts,
    )
