"""Per-type content of an inbound WhatsApp message: one small parser per documented type.

Each parser takes the message object and its type and returns the `InboundMessage` fields it fills.
Types without a parser keep their raw JSON (see `_other_content`). Private to this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from frontdesk.domain.events import (
    MAX_ERROR_CODE,
    MAX_MESSAGE_ID,
    ChannelErrorInfo,
    Location,
    Media,
    Order,
    OrderItem,
    Reaction,
    Referral,
    Reply,
    ReplyContext,
    SharedContact,
)
from frontdesk.domain.json_input import finite_number, json_text

JSONObject = dict[str, Any]
_MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})


class _Content(TypedDict, total=False):
    """The type-specific part of an `InboundMessage`."""

    text: str | None
    media: Media | None
    location: Location | None
    contacts: tuple[SharedContact, ...]
    reply: Reply | None
    reaction: Reaction | None
    order: Order | None
    system: JSONObject | None


# --- message content, one parser per type --------------------------------------------------------------


def _text_content(msg: JSONObject, kind: str) -> _Content:
    return {"text": json_text(_obj(msg.get("text")).get("body"))}


def _media_content(msg: JSONObject, kind: str) -> _Content:
    obj = _obj(msg.get(kind))
    media = Media(
        id=json_text(obj.get("id")),
        link=json_text(obj.get("url")) or json_text(obj.get("link")),
        mime_type=json_text(obj.get("mime_type")),
        sha256=json_text(obj.get("sha256")),
        caption=json_text(obj.get("caption")),
        filename=json_text(obj.get("filename")),
        animated=_bool(obj.get("animated")),
        voice=_bool(obj.get("voice")),
    )
    return {"media": media, "text": media.caption or media.filename}


def _location_content(msg: JSONObject, kind: str) -> _Content:
    obj = _obj(msg.get("location"))
    latitude, longitude = finite_number(obj.get("latitude")), finite_number(obj.get("longitude"))
    if latitude is None or longitude is None:
        return {}
    location = Location(
        latitude=latitude,
        longitude=longitude,
        name=json_text(obj.get("name")),
        address=json_text(obj.get("address")),
        url=json_text(obj.get("url")),
    )
    words = ", ".join(part for part in (location.name, location.address) if part)
    return {"location": location, "text": words or f"{latitude},{longitude}"}


def _contacts_content(msg: JSONObject, kind: str) -> _Content:
    contacts = tuple(_shared_contact(card) for card in _objects(msg.get("contacts")))
    return {"contacts": contacts, "text": ", ".join(c.name for c in contacts if c.name) or None}


def _shared_contact(card: JSONObject) -> SharedContact:
    name = _obj(card.get("name"))
    phones = _objects(card.get("phones"))
    numbers = tuple(n for p in phones if (n := json_text(p.get("phone"))))
    full = " ".join(p for key in ("first_name", "last_name") if (p := json_text(name.get(key))))
    return SharedContact(
        name=json_text(name.get("formatted_name")) or full or (numbers[0] if numbers else ""),
        phones=numbers,
        wa_ids=tuple(w for p in phones if (w := json_text(p.get("wa_id")))),
        raw=card,
    )


def _interactive_content(msg: JSONObject, kind: str) -> _Content:
    """button_reply, list_reply, nfm_reply (a Flow's answer) and any later subtype with id/title."""
    obj = _obj(msg.get("interactive"))
    subtype = json_text(obj.get("type"))
    if subtype is None:
        return {}
    answer = _obj(obj.get(subtype))
    reply = Reply(
        kind=subtype,
        id=json_text(answer.get("id")),
        title=json_text(answer.get("title")) or json_text(answer.get("body")),
        description=json_text(answer.get("description")),
        response_json=json_text(answer.get("response_json")),
    )
    return {"reply": reply, "text": reply.title}


def _button_content(msg: JSONObject, kind: str) -> _Content:
    """A template's quick-reply button: `payload` is what the template set, `text` what the user saw."""
    obj = _obj(msg.get("button"))
    reply = Reply(kind="button", id=json_text(obj.get("payload")), title=json_text(obj.get("text")))
    return {"reply": reply, "text": reply.title}


def _reaction_content(msg: JSONObject, kind: str) -> _Content:
    obj = _obj(msg.get("reaction"))
    target = json_text(obj.get("message_id"))
    if target is None:
        return {}
    emoji = json_text(obj.get("emoji")) or None  # absent or "" removes the reaction
    return {"reaction": Reaction(message_id=target, emoji=emoji), "text": emoji}


def _order_content(msg: JSONObject, kind: str) -> _Content:
    obj = _obj(msg.get("order"))
    items = tuple(item for raw in _objects(obj.get("product_items")) if (item := _order_item(raw)))
    order = Order(
        catalog_id=json_text(obj.get("catalog_id")), text=json_text(obj.get("text")) or None, items=items
    )
    summary = ", ".join(f"{i.quantity} × {i.product_retailer_id}" for i in items)
    return {"order": order, "text": order.text or summary or None}


def _order_item(raw: JSONObject) -> OrderItem | None:
    retailer_id, quantity = json_text(raw.get("product_retailer_id")), raw.get("quantity")
    if retailer_id is None or not isinstance(quantity, int) or isinstance(quantity, bool):
        return None
    price, currency = finite_number(raw.get("item_price")), json_text(raw.get("currency"))
    return OrderItem(product_retailer_id=retailer_id, quantity=quantity, item_price=price, currency=currency)


def _system_content(msg: JSONObject, kind: str) -> _Content:
    """Number or identity changes; the dict is kept whole because its keys vary by `system.type`."""
    obj = msg.get("system")
    system = obj if isinstance(obj, dict) else None
    return {"system": system, "text": json_text(_obj(system).get("body"))}


def _other_content(msg: JSONObject, kind: str) -> _Content:
    """`unsupported` and types Meta adds later: kept as they are, with any words they carry as text."""
    obj = _obj(msg.get(kind))
    for key in ("body", "text", "caption"):
        if text := json_text(obj.get(key)):
            return {"text": text}
    return {}


_CONTENT: dict[str, Callable[[JSONObject, str], _Content]] = {
    "text": _text_content,
    **{media: _media_content for media in _MEDIA_TYPES},
    "location": _location_content,
    "contacts": _contacts_content,
    "interactive": _interactive_content,
    "button": _button_content,
    "reaction": _reaction_content,
    "order": _order_content,
    "system": _system_content,
}


# --- parts shared by every message ------------------------------------------------------------------


def _context(value: Any) -> ReplyContext | None:
    """What the message answers (`id`, `from`), whether it was forwarded, or the product it asks about."""
    if not isinstance(value, dict):
        return None
    quoted = json_text(value.get("id"))
    return ReplyContext(
        # An over-long id quotes nothing Frontdesk can have stored: drop it, keep the message.
        message_id=quoted if quoted and len(quoted) <= MAX_MESSAGE_ID else None,
        sender=json_text(value.get("from")),
        forwarded=value.get("forwarded") is True,
        frequently_forwarded=value.get("frequently_forwarded") is True,
        product_id=json_text(_obj(value.get("referred_product")).get("product_retailer_id")),
    )


def _referral(value: Any) -> Referral | None:
    if not isinstance(value, dict):
        return None
    keys = ("source_url", "source_type", "source_id", "headline", "body", "ctwa_clid")
    return Referral(**{key: json_text(value.get(key)) for key in keys}, raw=value)


def _errors(value: Any) -> tuple[ChannelErrorInfo, ...]:
    return tuple(
        ChannelErrorInfo(
            code=(json_text(error.get("code")) or "")[:MAX_ERROR_CODE] or None,
            title=json_text(error.get("title")),
            message=json_text(error.get("message")),
            # error_data.details in current payloads; a flat `details` in older documented examples
            details=json_text(_obj(error.get("error_data")).get("details"))
            or json_text(error.get("details")),
        )
        for error in _objects(value)
    )


# --- JSON coercion -----------------------------------------------------------------------------------


def _obj(value: Any) -> JSONObject:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[JSONObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
