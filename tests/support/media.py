"""Received media in tests: a file on the fake Graph, the customer's webhook that refers to it, and the
message once its `media` job recorded an outcome."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.support.harness import Running
from tests.support.payloads import AMELIA, DEMO_NUMBER, envelope


def serve_media(fd: Running, data: bytes, mime_type: str, *, number: str = DEMO_NUMBER) -> str:
    """A file `number` received, on the fake Graph; its media id."""
    media_id = str(uuid.uuid4().int)[:16]
    fd.client.put(
        f"{fd.graph_url}/_fake/media/{media_id}",
        content=data,
        headers={"content-type": mime_type},
        params={"phone_number_id": number},
    ).raise_for_status()
    return media_id


def send_media(
    fd: Running,
    media_id: str,
    *,
    kind: str = "image",
    mime_type: str = "image/jpeg",
    sender: str = AMELIA,
    number: str = DEMO_NUMBER,
    **extra: str,
) -> str:
    """The customer sends a file to `number` (no caption unless given); its wamid."""
    wamid = f"wamid.MEDIA{uuid.uuid4().hex}"
    body = {"id": media_id, "mime_type": mime_type, "sha256": "c2hh", **extra}
    message = {"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": kind, kind: body}
    payload = envelope(number, messages=[message], contacts=[(sender, "Customer " + sender[-3:])])
    fd.post_webhook(payload).raise_for_status()
    return wamid


def as_json(value: Any) -> Any:
    """A JSON column read with raw SQL: text on SQLite, decoded already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def stored(fd: Running, wamid: str) -> Any:
    """The message (id, tenant_id, conversation_id, content) once its media job recorded an outcome
    (`content.media.file` or `.error`)."""

    def outcome() -> Any:
        sql = "select id, tenant_id, conversation_id, content from messages where channel_message_id = :w"
        rows = fd.query(sql, w=wamid)
        if not rows:
            return None
        media = as_json(rows[0].content).get("media", {})
        return rows[0] if ("file" in media or "error" in media) else None

    return fd.wait_for(outcome, what=f"the media outcome of {wamid}")
