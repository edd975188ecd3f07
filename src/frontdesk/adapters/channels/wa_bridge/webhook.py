"""Inbound side of the bridge: check a delivery's token, then parse zapw's event into a domain event.

zapw posts one event per request, `{"sessionId", "origin", "eventType", "timestamp", "data"}`, to one
URL for all its sessions, unsigned: the secret token in that URL (`?token=`) is all that tells it from a
forgery, so `check_token` compares it in constant time before anything is read.

- `message.received` → `InboundMessage` (text, image, audio, video, document, sticker, location,
  contact; other types kept with any text they carry). `from` may be digits or a JID
  (`5511…@s.whatsapp.net`): the sender is its digits. In a group (`isGroup`) the sender is the group
  (`<id>@g.us`, so replies go to the group), the member who wrote stays in `raw`.
- `message.sent|delivered|read` → `StatusUpdate`; `session.connected|disconnected` → `SessionChange`;
  any other event type → `UnknownChange` (logged and ignored by ingest).
- Message ids are namespaced by the session (`client.namespaced`), in messages and statuses alike.

Failure policy, as for the Cloud API: a body that is not a zapw event (not an object, no `sessionId`
or `eventType`) raises `InvalidInputError`; an event that is one but whose content is malformed (no
`messageId`, a `from` that is no number) is refused with its reason logged and gives None, or raises
with `strict=True` (tests). Nothing here crashes on odd input.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from frontdesk.adapters.channels.wa_bridge.client import digits_of, namespaced, parse_time
from frontdesk.domain.channel_kinds import ChannelStatus
from frontdesk.domain.errors import InvalidInputError, SignatureError
from frontdesk.domain.events import (
    MAX_MESSAGE_ID,
    MAX_NAME,
    MAX_SENDER_ID,
    MAX_TYPE,
    ChannelEvent,
    InboundMessage,
    Location,
    Media,
    SessionChange,
    SharedContact,
    StatusUpdate,
    UnknownChange,
)
from frontdesk.domain.json_input import finite_number, json_text, json_type
from frontdesk.domain.models import MessageStatus

logger = logging.getLogger(__name__)

BridgeEvent = ChannelEvent | SessionChange
JSONObject = dict[str, Any]

MAX_SESSION_ID = 64
"""The longest session id: a bridge channel's key (`channels.phone_number_id`)."""
_MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
_STATUSES = {
    "message.sent": MessageStatus.SENT,
    "message.delivered": MessageStatus.DELIVERED,
    "message.read": MessageStatus.READ,
}
_SESSIONS = {
    "session.connected": ChannelStatus.CONNECTED,
    "session.disconnected": ChannelStatus.DISCONNECTED,
}
_PERSONAL_SERVERS = frozenset({"", "s.whatsapp.net", "c.us"})
_GROUP_ID = re.compile(r"[0-9]+(-[0-9]+)?")


def check_token(given: str | None, expected: str | None) -> None:
    """Refuse (`SignatureError`: 401) a delivery whose `?token=` is missing or not the configured one.

    Compared in constant time; a server without a token refuses every delivery. Neither value ever
    appears in the error.
    """
    if not expected:
        raise SignatureError("the bridge webhook token is not configured (FRONTDESK_BRIDGE_WEBHOOK_TOKEN)")
    if not given:
        raise SignatureError("missing bridge webhook token")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureError("wrong bridge webhook token")


def parse_event(payload: Any, *, strict: bool = False) -> BridgeEvent | None:
    """One zapw webhook delivery as a domain event; None when its content was refused (logged).

    Raises `InvalidInputError` when `payload` is not a zapw event at all (see the module docstring).
    """
    if not isinstance(payload, dict):
        raise InvalidInputError(f"bridge event must be a JSON object, got {json_type(payload)}")
    session = _str(payload.get("sessionId"))
    event_type = _str(payload.get("eventType"))
    if not session or len(session) > MAX_SESSION_ID:
        raise InvalidInputError('bridge event has no usable "sessionId"')
    if not event_type:
        raise InvalidInputError('bridge event has no "eventType"')
    parse = _PARSERS.get(event_type)
    if parse is None:
        return UnknownChange(channel_key=session, field=event_type[:MAX_TYPE], raw=payload)
    data = payload.get("data")
    try:
        if not isinstance(data, dict):
            raise _malformed(f'"data" must be an object, got {json_type(data)}')
        return parse(session, event_type, data, payload)
    except InvalidInputError as exc:
        if strict:
            raise
        logger.warning("refused bridge event %s of session %s: %s", event_type[:40], session, exc)
        return None


# --- message.received --------------------------------------------------------------------------------


def _message(session: str, event_type: str, data: JSONObject, envelope: JSONObject) -> InboundMessage:
    raw_id = _required(data, "messageId", MAX_MESSAGE_ID - len(session) - 1)
    group = data.get("isGroup") is True
    sender = _group(data) if group else _person(data.get("from"))
    kind = _str(data.get("type")) or "unknown"
    if len(kind) > MAX_TYPE:
        raise _malformed(f'"type" is {len(kind)} characters long, over the limit of {MAX_TYPE}')
    content = _CONTENT.get(kind, _other_content)(data, kind, session, raw_id)
    kind = content.pop("type", kind)  # zapw's `contact` is stored as the Cloud API's `contacts`
    name = _str(data.get("pushName")) if not group else None
    return InboundMessage(
        channel_key=session,
        message_id=namespaced(session, raw_id),
        sender=sender,
        sender_name=name[:MAX_NAME] if name else None,
        timestamp=_timestamp(data, envelope),
        type=kind,
        group=group,
        raw=data,
        **content,
    )


def _person(value: Any) -> str:
    """A sender's digits from `5511…`, `+55 11 …`, `5511…@s.whatsapp.net` or `5511…:3@…` (a device);
    a hidden number (`…@lid`) stays a JID, which zapw takes back as `to`."""
    text = _str(value)
    if not text:
        raise _malformed('missing "from"')
    user, _, server = text.partition("@")
    digits = digits_of(text)
    if server == "lid" and user.split(":", 1)[0].isdigit():
        sender = f"{user.split(':', 1)[0]}@lid"
    elif server in _PERSONAL_SERVERS and digits and not re.search(r"[^\d\s+().:-]", user):
        sender = digits
    else:
        raise _malformed('"from" is not a phone number or a WhatsApp user')
    if len(sender) > MAX_SENDER_ID:
        raise _malformed(f'"from" is over the limit of {MAX_SENDER_ID} characters')
    return sender


def _group(data: JSONObject) -> str:
    """The group a message was written in, as its JID (`120363…@g.us`): the conversation's contact."""
    sender = _str(data.get("from")) or ""
    text = _str(data.get("groupId")) or (sender if sender.endswith("@g.us") else "")
    user, _, server = text.partition("@")
    if not _GROUP_ID.fullmatch(user) or server not in ("", "g.us"):
        raise _malformed('a group message without a usable "groupId"')
    jid = f"{user}@g.us"
    if len(jid) > MAX_SENDER_ID:
        raise _malformed(f'"groupId" is over the limit of {MAX_SENDER_ID} characters')
    return jid


Content = dict[str, Any]


def _text_content(data: JSONObject, kind: str, session: str, message_id: str) -> Content:
    return {"text": _str(data.get("text"))}


def _media_content(data: JSONObject, kind: str, session: str, message_id: str) -> Content:
    # zapw's mediaUrl is always this path; built when absent so the file can still be fetched.
    link = _str(data.get("mediaUrl")) or f"/sessions/{session}/media/{message_id}"
    media = Media(
        link=link,
        mime_type=_str(data.get("mimetype")) or _str(data.get("mimeType")),
        caption=_str(data.get("caption")),
        filename=_str(data.get("fileName")) or _str(data.get("filename")),
        voice=data.get("ptt") if isinstance(data.get("ptt"), bool) else None,
    )
    return {"media": media, "text": media.caption or media.filename}


def _location_content(data: JSONObject, kind: str, session: str, message_id: str) -> Content:
    latitude, longitude = finite_number(data.get("latitude")), finite_number(data.get("longitude"))
    if latitude is None or longitude is None:
        return _other_content(data, kind, session, message_id)
    location = Location(
        latitude=latitude,
        longitude=longitude,
        name=_str(data.get("name")),
        address=_str(data.get("address")),
    )
    words = ", ".join(part for part in (location.name, location.address) if part)
    return {"location": location, "text": words or f"{latitude},{longitude}"}


def _contact_content(data: JSONObject, kind: str, session: str, message_id: str) -> Content:
    """zapw's `contact` (an object, or a list of them): stored as the Cloud API's `contacts` type."""
    value = data.get("contact") or data.get("contacts")
    cards = value if isinstance(value, list) else [value]
    contacts = tuple(_shared_contact(card) for card in cards if isinstance(card, dict))
    text = ", ".join(c.name for c in contacts if c.name) or None
    return {"type": "contacts", "contacts": contacts, "text": text}


def _shared_contact(card: JSONObject) -> SharedContact:
    phones: list[str] = []
    for key in ("phone", "number", "phoneNumber"):
        if phone := _str(card.get(key)):
            phones.append(phone)
    vcard = _str(card.get("vcard")) or ""
    phones += [m.strip() for m in re.findall(r"^TEL[^:\n]*:(.+)$", vcard, re.MULTILINE)]
    wa_ids = tuple(m for m in re.findall(r"waid=(\d+)", vcard))
    name = _str(card.get("name")) or _str(card.get("displayName")) or (phones[0] if phones else "")
    return SharedContact(name=name[:MAX_NAME], phones=tuple(phones), wa_ids=wa_ids, raw=card)


def _other_content(data: JSONObject, kind: str, session: str, message_id: str) -> Content:
    """A type Frontdesk does not know (a poll, a reaction as zapw may send it): kept with any words."""
    for key in ("text", "caption", "body"):
        if text := _str(data.get(key)):
            return {"text": text}
    return {}


_CONTENT: dict[str, Callable[[JSONObject, str, str, str], Content]] = {
    "text": _text_content,
    **{media: _media_content for media in _MEDIA_TYPES},
    "location": _location_content,
    "contact": _contact_content,
    "contacts": _contact_content,
}


# --- statuses and sessions ------------------------------------------------------------------------------


def _status(session: str, event_type: str, data: JSONObject, envelope: JSONObject) -> StatusUpdate:
    raw_id = _required(data, "messageId", MAX_MESSAGE_ID - len(session) - 1)
    to = _str(data.get("to"))
    return StatusUpdate(
        channel_key=session,
        message_id=namespaced(session, raw_id),
        recipient=(digits_of(to) or None) if to else None,
        status=_STATUSES[event_type],
        timestamp=_timestamp(data, envelope),
        raw=data,
    )


def _session(session: str, event_type: str, data: JSONObject, envelope: JSONObject) -> SessionChange:
    phone = _str(data.get("phoneNumber"))
    name = _str(data.get("name"))
    reason = _str(data.get("reason"))
    return SessionChange(
        session_id=session,
        status=_SESSIONS[event_type],
        phone_number=(digits_of(phone) or None) if phone else None,
        profile_name=name[:MAX_NAME] if name else None,
        reason=reason[:MAX_NAME] if reason else None,
        timestamp=_timestamp({}, envelope),
        raw=envelope,
    )


_PARSERS: dict[str, Callable[[str, str, JSONObject, JSONObject], BridgeEvent]] = {
    "message.received": _message,
    **{name: _status for name in _STATUSES},
    **{name: _session for name in _SESSIONS},
}


# --- small helpers ---------------------------------------------------------------------------------------


def _timestamp(data: JSONObject, envelope: JSONObject) -> datetime:
    """The event's own time (Unix ms, or ISO text), else the envelope's."""
    when = parse_time(data.get("timestamp")) or parse_time(envelope.get("timestamp"))
    if when is None:
        raise _malformed('missing or unreadable "timestamp"')
    return when


def _required(data: JSONObject, key: str, limit: int) -> str:
    text = _str(data.get(key))
    if not text:
        raise _malformed(f'missing "{key}"')
    if len(text) > limit:
        raise _malformed(f'"{key}" is {len(text)} characters long, over the limit of {limit}')
    return text


def _str(value: Any) -> str | None:
    """`json_text`, with an empty string read as absent: `""` is no caption, name or id."""
    return json_text(value) or None


def _malformed(reason: str) -> InvalidInputError:
    return InvalidInputError(reason)
