"""Inbound side of the WhatsApp Cloud API channel: verify a webhook, then parse it into domain events.

`verify_signature` checks the raw bytes first; `parse_webhook` then turns the decoded JSON into
`InboundMessage`, `StatusUpdate` and `UnknownChange` events. Nothing past this module sees Meta's shapes.

Failure policy. Meta retries a non-200 answer for days, so rejecting a whole payload because one item
in it is odd would replay that payload, and every good message in it, again and again. Hence:

- a broken envelope (not an object, `object` other than `whatsapp_business_account`, `entry` not a
  list) raises `InvalidInputError`: it is not a WhatsApp webhook at all;
- a malformed entry, change, message or status (say, a message without `id`) is skipped and logged
  with its path, e.g. `entry[0].changes[0].value.messages[1]: missing "id"`; with `strict=True` the
  same text is raised as `InvalidInputError` instead (tests, replay tools);
- a message type Frontdesk does not know is kept (`type` as given, `raw` holds its JSON), an unknown
  status value is skipped with a warning, and keys Meta adds later are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from frontdesk.adapters.channels.whatsapp_cloud._content import (
    _CONTENT,
    _bool,
    _context,
    _errors,
    _obj,
    _objects,
    _other_content,
    _referral,
)
from frontdesk.domain.errors import ConfigurationError, InvalidInputError, SignatureError
from frontdesk.domain.events import (
    MAX_MESSAGE_ID,
    MAX_NAME,
    MAX_SENDER_ID,
    MAX_TYPE,
    ChannelErrorInfo,
    ChannelEvent,
    InboundMessage,
    StatusUpdate,
    UnknownChange,
)
from frontdesk.domain.json_input import json_text, json_type
from frontdesk.domain.models import MessageStatus

logger = logging.getLogger(__name__)

WEBHOOK_OBJECT = "whatsapp_business_account"
SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
# The status values Meta sends; `received` and `pending` are Frontdesk's own.
_STATUSES = {
    s.value: s
    for s in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.FAILED)
}

T = TypeVar("T")
JSONObject = dict[str, Any]


# --- signature ---------------------------------------------------------------------------------------


def verify_signature(body: bytes, header: str | None, app_secret: str) -> None:
    """Check `X-Hub-Signature-256` (`sha256=` + hex HMAC-SHA256 of the raw body, keyed by the app secret).

    Raises `SignatureError` (missing, malformed or mismatching header) and `ConfigurationError` for an
    empty app secret, which would let anyone sign. The body never appears in an error.
    """
    if not app_secret:
        raise ConfigurationError("the WhatsApp app secret is empty: webhook signatures cannot be checked")
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    match = _SIGNATURE.fullmatch(header.strip())
    if match is None:
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected sha256=<64 hex digits>")
    expected = signature_of(body, app_secret).removeprefix("sha256=")
    if not hmac.compare_digest(expected, match.group(1).lower()):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the request body")


def signature_of(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends with `body` (the dev tools sign their webhooks with it)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


# --- envelope, entries, changes ----------------------------------------------------------------------


def parse_webhook(payload: Any, *, strict: bool = False) -> list[ChannelEvent]:
    """Parse a decoded Cloud API webhook into domain events, in payload order.

    Raises `InvalidInputError` for a broken envelope; malformed items are skipped and logged, or
    raised when `strict` is true (see the module docstring for why).
    """
    per_entry = _each(partial(_parse_entry, strict=strict), _envelope_entries(payload), "entry", strict)
    return [event for events in per_entry for event in events]


def parse_entry(entry: Any, *, strict: bool = False) -> list[ChannelEvent]:
    """Parse one webhook `entry` on its own, as AWS End User Messaging delivers them (one per SNS message).

    Raises `InvalidInputError` when the entry itself is malformed (nothing else came with it to keep);
    its malformed changes, messages and statuses are skipped and logged, or raised when `strict`.
    """
    return _parse_entry(entry, "entry", strict=strict)


def _envelope_entries(payload: Any) -> list[Any]:
    if not isinstance(payload, dict):
        raise InvalidInputError(f"webhook payload must be a JSON object, got {json_type(payload)}")
    if payload.get("object") != WEBHOOK_OBJECT:
        got = _describe(payload["object"]) if "object" in payload else "nothing"
        raise InvalidInputError(f'webhook "object" must be "{WEBHOOK_OBJECT}", got {got}')
    entries = payload.get("entry")
    if not isinstance(entries, list):
        got = json_type(entries) if "entry" in payload else "nothing"
        raise InvalidInputError(f'webhook "entry" must be a list, got {got}')
    return entries


def _parse_entry(entry: Any, path: str, *, strict: bool) -> list[ChannelEvent]:
    obj = _as_object(entry, path)
    changes = obj.get("changes")
    if not isinstance(changes, list):
        raise _malformed(path, f'"changes" must be a list, got {json_type(changes)}')
    parse = partial(_parse_change, entry_id=json_text(obj.get("id")), strict=strict)
    return [event for events in _each(parse, changes, f"{path}.changes", strict) for event in events]


def _parse_change(change: Any, path: str, *, entry_id: str | None, strict: bool) -> list[ChannelEvent]:
    obj = _as_object(change, path)
    field = json_text(obj.get("field"))
    if field is None:
        raise _malformed(path, 'missing "field"')
    value = obj.get("value")
    if field != "messages":
        return [_unknown_change(field, value, entry_id)]
    return _parse_messages_value(_as_object(value, f"{path}.value"), f"{path}.value", entry_id, strict)


def _unknown_change(field: str, value: Any, entry_id: str | None) -> UnknownChange:
    """Keep a change Frontdesk does not handle; `raw` adds the entry id (the WABA id) Meta put outside."""
    channel_key = json_text(_obj(_obj(value).get("metadata")).get("phone_number_id"))
    raw = {"entry_id": entry_id, "field": field, "value": value}
    return UnknownChange(channel_key=channel_key, field=field, raw=raw)


# --- the `messages` field ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Receiver:
    """What every message of one change shares: the receiving number, senders' names, change errors."""

    channel_key: str
    names: dict[str, str]
    errors: tuple[ChannelErrorInfo, ...]


def _parse_messages_value(
    value: JSONObject, path: str, entry_id: str | None, strict: bool
) -> list[ChannelEvent]:
    channel_key = json_text(_obj(value.get("metadata")).get("phone_number_id"))
    if channel_key is None:
        raise _malformed(f"{path}.metadata", 'missing "phone_number_id"')
    messages, statuses = _list_at(value, "messages", path), _list_at(value, "statuses", path)
    errors = _errors(value.get("errors"))
    if errors:  # change-level errors (e.g. 131000 "Unsupported webhook payload"): attached to messages
        logger.warning("WhatsApp webhook %s reports errors: %s", path, [e.code for e in errors])
    receiver = _Receiver(channel_key, _contact_names(value.get("contacts")), errors)
    events: list[ChannelEvent] = [
        *_each(partial(_parse_message, receiver=receiver), messages, f"{path}.messages", strict),
        *_each(partial(_parse_status, channel_key=channel_key), statuses, f"{path}.statuses", strict),
    ]
    if errors and not messages and not statuses:  # nothing to attach them to: keep them, never drop
        events.append(_unknown_change("messages", value, entry_id))
    return events


def _contact_names(contacts: Any) -> dict[str, str]:
    """Profile name by sender id; newer payloads add (or only carry) the business-scoped `user_id`."""
    names: dict[str, str] = {}
    for contact in _objects(contacts):
        name = json_text(_obj(contact.get("profile")).get("name"))
        for key in ("wa_id", "user_id"):
            if name and (ident := json_text(contact.get(key))):
                names[ident] = name
    return names


def _parse_message(message: Any, path: str, *, receiver: _Receiver) -> InboundMessage:
    msg = _as_object(message, path)
    message_id = _id(msg.get("id"), "id", MAX_MESSAGE_ID, path)
    user_id = json_text(msg.get("from_user_id"))  # business-scoped id; `from` may be withheld for usernames
    sender = _id(msg.get("from") or user_id, "from", MAX_SENDER_ID, path)
    kind = _id(msg.get("type") or "unknown", "type", MAX_TYPE, path)
    content = _CONTENT.get(kind, _other_content)(msg, kind)
    name = receiver.names.get(sender) or receiver.names.get(user_id or "")
    return InboundMessage(
        channel_key=receiver.channel_key,
        message_id=message_id,
        sender=sender,
        sender_name=name[:MAX_NAME] if name else None,
        timestamp=_timestamp(msg.get("timestamp"), path),
        type=kind,
        context=_context(msg.get("context")),
        referral=_referral(msg.get("referral")),
        errors=_errors(msg.get("errors")) + receiver.errors,
        raw=msg,
        **content,
    )


# --- statuses --------------------------------------------------------------------------------------


def _parse_status(status: Any, path: str, *, channel_key: str) -> StatusUpdate | None:
    obj = _as_object(status, path)
    message_id = _id(obj.get("id"), "id", MAX_MESSAGE_ID, path)
    value = json_text(obj.get("status"))
    if value is None:
        raise _malformed(path, 'missing "status"')
    if value not in _STATUSES:  # a value Meta added later: skip it, keep the rest of the payload
        logger.warning("skipped WhatsApp status %s: unknown status %r", path, value[:40])
        return None
    conversation, pricing = _obj(obj.get("conversation")), _obj(obj.get("pricing"))
    return StatusUpdate(
        channel_key=channel_key,
        message_id=message_id,
        recipient=json_text(obj.get("recipient_id")) or json_text(obj.get("recipient_user_id")),
        status=_STATUSES[value],
        timestamp=_timestamp(obj.get("timestamp"), path),
        errors=_errors(obj.get("errors")),
        conversation_id=json_text(conversation.get("id")),
        conversation_category=json_text(_obj(conversation.get("origin")).get("type")),
        pricing_category=json_text(pricing.get("category")),
        billable=_bool(pricing.get("billable")),
        raw=obj,
    )


# --- small helpers ---------------------------------------------------------------------------------


def _each(parse: Callable[[Any, str], T | None], items: list[Any], path: str, strict: bool) -> list[T]:
    """Parse every item of a list; a malformed one is logged and skipped, or re-raised when `strict`."""
    parsed: list[T] = []
    for index, item in enumerate(items):
        try:
            result = parse(item, f"{path}[{index}]")
        except InvalidInputError as exc:
            if strict:
                raise
            logger.warning("skipped malformed WhatsApp webhook item: %s", exc)
            continue
        if result is not None:  # None: skipped on purpose (an unknown status value)
            parsed.append(result)
    return parsed


def _id(value: Any, key: str, limit: int, path: str) -> str:
    """A required id, refused when missing or longer than what the store keeps (see domain.events)."""
    text = json_text(value)
    if not text:
        raise _malformed(path, f'missing "{key}"')
    if len(text) > limit:
        raise _malformed(path, f'"{key}" is {len(text)} characters long, over the limit of {limit}')
    return text


def _malformed(path: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"{path}: {reason}")


def _as_object(value: Any, path: str) -> JSONObject:
    if not isinstance(value, dict):
        raise _malformed(path, f"must be an object, got {json_type(value)}")
    return value


def _list_at(obj: JSONObject, key: str, path: str) -> list[Any]:
    """An optional list: absent or null is empty, anything else but a list is malformed."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed(f"{path}.{key}", f"must be a list, got {json_type(value)}")
    return value


def _timestamp(value: Any, path: str) -> datetime:
    """Meta's unix-seconds string (a number is accepted too) as an aware UTC datetime."""
    text = json_text(value)
    if text is None:
        raise _malformed(path, 'missing "timestamp"')
    try:
        if not (text.isascii() and text.isdigit()):
            raise ValueError(text)
        return datetime.fromtimestamp(int(text), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise _malformed(path, f'"timestamp" must be unix seconds, got {text[:20]!r}') from None


def _describe(value: Any) -> str:
    """A short string value quoted (enough to recognise `"page"` or `"instagram"`), else its JSON type."""
    return repr(value[:40]) if isinstance(value, str) else json_type(value)
