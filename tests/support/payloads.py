"""WhatsApp webhook payloads and signatures for tests (shapes as in tests/data/whatsapp)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
DEMO_NUMBER = "109876543210001"
AMELIA = "447700900101"
APP_SECRET = "test-app-secret"


def recorded(name: str) -> dict[str, Any]:
    """A recorded payload from tests/data/whatsapp."""
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return data


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def text_message(
    wamid: str, text: str, *, sender: str = AMELIA, ts: int | None = None, number: str = DEMO_NUMBER
) -> dict[str, Any]:
    """A one-message text webhook, sent now unless `ts` (unix seconds) says otherwise."""
    ts = int(time.time()) if ts is None else ts
    return envelope(
        number,
        messages=[
            {"from": sender, "id": wamid, "timestamp": str(ts), "type": "text", "text": {"body": text}}
        ],
        contacts=[(sender, "Customer " + sender[-3:])],
    )


def status(
    wamid: str,
    state: str,
    *,
    ts: int | None = None,
    recipient: str = AMELIA,
    errors: list[dict[str, Any]] | None = None,
    number: str = DEMO_NUMBER,
) -> dict[str, Any]:
    """A one-status webhook."""
    ts = int(time.time()) if ts is None else ts
    item: dict[str, Any] = {"id": wamid, "status": state, "timestamp": str(ts), "recipient_id": recipient}
    if errors:
        item["errors"] = errors
    return envelope(number, statuses=[item])


def envelope(
    number: str,
    *,
    messages: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    contacts: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "442079460321", "phone_number_id": number},
    }
    if contacts:
        value["contacts"] = [{"profile": {"name": n}, "wa_id": w} for w, n in contacts]
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "209876543210001", "changes": [{"field": "messages", "value": value}]}],
    }
