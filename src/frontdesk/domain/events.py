"""Normalized events a channel adapter produces from a webhook. Services never see raw payloads.

Every model is frozen and keyword-only. `raw` keeps the vendor's JSON for the event so that nothing a
channel sends is lost, including message types Frontdesk does not understand yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from frontdesk.domain.channel_kinds import ChannelStatus
from frontdesk.domain.models import MessageStatus

# The longest ids a channel's event may carry: what the database stores (messages.channel_message_id,
# contacts.wa_id, messages.type). Adapters refuse an event whose id is longer, with the reason logged,
# rather than let one odd item fail the insert of a whole delivery.
MAX_MESSAGE_ID = 255
MAX_SENDER_ID = 32
MAX_TYPE = 32
MAX_NAME = 200
MAX_ERROR_CODE = 64


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Media(Event):
    """An image, audio, video, document or sticker, referenced by the channel's media id."""

    id: str | None = None
    link: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    animated: bool | None = None
    voice: bool | None = None


class Location(Event):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class SharedContact(Event):
    """A contact card the customer shared; only the fields a human needs at a glance, plus raw."""

    name: str
    phones: tuple[str, ...] = ()
    wa_ids: tuple[str, ...] = ()
    raw: dict[str, Any] = {}


class Reply(Event):
    """The customer's choice: an interactive button or list row, a template quick-reply, or a flow."""

    kind: str  # button_reply | list_reply | nfm_reply | button
    id: str | None = None
    title: str | None = None
    description: str | None = None
    response_json: str | None = None


class Reaction(Event):
    message_id: str
    emoji: str | None = None  # None (or empty) removes a reaction


class OrderItem(Event):
    product_retailer_id: str
    quantity: int
    item_price: float | None = None
    currency: str | None = None


class Order(Event):
    catalog_id: str | None = None
    text: str | None = None
    items: tuple[OrderItem, ...] = ()


class ReplyContext(Event):
    """What an inbound message answers: another message (`message_id`) or a product (`product_id`)."""

    message_id: str | None = None
    sender: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False
    product_id: str | None = None


class Referral(Event):
    """The ad or post that started the conversation (click-to-WhatsApp)."""

    source_url: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    headline: str | None = None
    body: str | None = None
    ctwa_clid: str | None = None
    raw: dict[str, Any] = {}


class InboundMessage(Event):
    """A message from a customer to one of the business's numbers.

    `channel_key` identifies the receiving number (Cloud API: `phone_number_id`); `message_id` is the
    channel's unique id (wamid) used for exactly-once storage. `text` is the human-readable view of any
    type (body, caption, chosen button title...) so that agents and staff can read every message.
    """

    channel_key: str
    message_id: str
    sender: str
    sender_name: str | None = None
    timestamp: datetime
    type: str
    text: str | None = None
    media: Media | None = None
    location: Location | None = None
    contacts: tuple[SharedContact, ...] = ()
    reply: Reply | None = None
    reaction: Reaction | None = None
    order: Order | None = None
    context: ReplyContext | None = None
    referral: Referral | None = None
    system: dict[str, Any] | None = None
    errors: tuple[ChannelErrorInfo, ...] = ()
    group: bool = False
    """Written in a group chat (the bridge): `sender` is then the group, so the conversation is the
    group's and replies go to it; the member who wrote is in `raw`. It starts a turn only where the
    channel has `groups` on."""
    raw: dict[str, Any] = {}


class ChannelErrorInfo(Event):
    code: str | None = None
    title: str | None = None
    message: str | None = None
    details: str | None = None


class StatusUpdate(Event):
    """The channel's word on an outbound message: sent, delivered, read or failed (with errors)."""

    channel_key: str
    message_id: str
    recipient: str | None = None
    status: MessageStatus
    timestamp: datetime
    errors: tuple[ChannelErrorInfo, ...] = ()
    conversation_id: str | None = None
    conversation_category: str | None = None
    pricing_category: str | None = None
    billable: bool | None = None
    raw: dict[str, Any] = {}


class UnknownChange(Event):
    """A webhook change Frontdesk does not handle (another field, account updates...): logged, kept."""

    channel_key: str | None = None
    field: str
    raw: dict[str, Any] = {}


class SessionChange(Event):
    """A bridge session's link to WhatsApp changed (zapw's `session.connected|disconnected`).

    `session_id` is zapw's session id, the bridge channel's key. Not a `ChannelEvent`: it carries no
    message, so it does not go through ingest; `ChannelService.session_changed` records it on the channel.
    """

    session_id: str
    status: ChannelStatus
    phone_number: str | None = None
    profile_name: str | None = None
    reason: str | None = None
    timestamp: datetime
    raw: dict[str, Any] = {}


ChannelEvent = InboundMessage | StatusUpdate | UnknownChange

InboundMessage.model_rebuild()
