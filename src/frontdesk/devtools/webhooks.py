"""WhatsApp Cloud API deliveries as Meta sends them, for the dev tools and the benchmarks.

The phone simulator, the terminal chat, `frontdesk simulate` and `bench/webhooks.py` all play a
customer: they build a delivery here and sign it with the one signature function of the webhook's own
adapter, so what they post is exactly what the real webhook verifies.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from frontdesk.adapters.channels.whatsapp_cloud.webhook import SIGNATURE_HEADER, WEBHOOK_OBJECT, signature_of

_serial = itertools.count()


def envelope(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    """A delivery of one `messages` change to the business number `phone_number_id`."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "", "phone_number_id": phone_number_id},
    } | value
    change = {"field": "messages", "value": value}
    return {"object": WEBHOOK_OBJECT, "entry": [{"id": "0", "changes": [change]}]}


def customer_message(wa_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """A message from the customer `wa_id`, sent now, with a fresh id; `content` holds its type."""
    wamid = f"wamid.dev.{time.time_ns()}.{next(_serial)}"
    return {"from": wa_id, "id": wamid, "timestamp": str(int(time.time()))} | content


def from_customer(phone_number_id: str, name: str | None, message: dict[str, Any]) -> dict[str, Any]:
    """A delivery of one customer message to the business number, with the customer's profile name."""
    contact = {"profile": {"name": name or message["from"]}, "wa_id": message["from"]}
    return envelope(phone_number_id, {"contacts": [contact], "messages": [message]})


def text_content(body: str) -> dict[str, Any]:
    """A text message's content."""
    return {"type": "text", "text": {"body": body}}


def tap(*, kind: str, id: str, title: str, quoting: str, business: str) -> dict[str, Any]:
    """The content of a tap on a reply button or list row (`kind`) of the business's message `quoting`."""
    return {
        "type": "interactive",
        "context": {"from": business, "id": quoting},
        "interactive": {"type": kind, kind: {"id": id, "title": title}},
    }


def text_webhook(*, phone_number_id: str, sender: str, name: str | None, text: str) -> dict[str, Any]:
    """A delivery carrying one text message, as `frontdesk simulate` posts it."""
    return from_customer(phone_number_id, name, customer_message(sender, text_content(text)))


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    """The delivery's body and the headers Meta sends with it (JSON, and its signature)."""
    body = json.dumps(payload).encode()
    return body, {
        "content-type": "application/json",
        SIGNATURE_HEADER.lower(): signature_of(body, app_secret),
    }
