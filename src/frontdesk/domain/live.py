"""Live events staff see (the admin API's WebSocket): their types and payloads.

An event is written in the same transaction as the change it reports (table `events`), so a client
never hears of a message that was rolled back, and never misses one that was committed.
"""

from __future__ import annotations

from typing import Any

from frontdesk.domain.models import Message

MESSAGE_CREATED = "message.created"
MESSAGE_STATUS = "message.status"
CONVERSATION_UPDATED = "conversation.updated"
CHANNEL_STATUS = "channel.status"
JOB_FAILED = "job.failed"
MESSAGE_MEDIA = "message.media"

TYPES = (MESSAGE_CREATED, MESSAGE_STATUS, CONVERSATION_UPDATED, CHANNEL_STATUS, JOB_FAILED, MESSAGE_MEDIA)


def message_created(message: Message) -> dict[str, Any]:
    """The payload of `message.created`: enough for an inbox to show the message without a fetch."""
    return {
        "conversation_id": message.conversation_id,
        "message": {
            "id": message.id,
            "direction": message.direction.value,
            "type": message.type,
            "text": message.text,
            "status": message.status.value,
            "agent": message.agent,
            "reply_to": message.reply_to,
            "created_at": message.created_at.isoformat(),
        },
    }


def message_media(message: Message, media: dict[str, Any]) -> dict[str, Any]:
    """The payload of `message.media`: a received message's file was stored (`media.file`: size and
    type) or could not be fetched (`media.error`: code and message); the file's key stays inside."""
    file, error = media.get("file"), media.get("error")
    shown: dict[str, Any] = {}
    if isinstance(file, dict):
        shown["file"] = {"size": file.get("size"), "mime_type": file.get("mime_type")}
    if isinstance(error, dict):
        shown["error"] = error
    return {"conversation_id": message.conversation_id, "message_id": message.id, "media": shown}


def message_status(message: Message) -> dict[str, Any]:
    """The payload of `message.status`: the message's new status and, when it failed, why."""
    return {
        "conversation_id": message.conversation_id,
        "message_id": message.id,
        "status": message.status.value,
        "error_code": message.error_code,
        "error_message": message.error_message,
    }
