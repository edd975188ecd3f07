"""What `WS /api/v1/ws` sends: one JSON text frame per event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from frontdesk.domain.live_feed import LiveEvent


class LiveEventOut(BaseModel):
    """A live event. `id` only grows: reconnect with `?since=<the last id you saw>`. A `resync` event means
    what was missed is no longer kept: refetch what is on screen, then carry on from its `id`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1042,
                    "type": "message.created",
                    "created_at": "2026-11-22T09:14:05Z",
                    "payload": {
                        "conversation_id": 40,
                        "message": {
                            "id": 897,
                            "direction": "in",
                            "type": "text",
                            "text": "Where is my order?",
                            "status": "received",
                            "agent": None,
                            "reply_to": None,
                            "created_at": "2026-11-22T09:14:05Z",
                        },
                    },
                }
            ]
        }
    )

    id: int
    type: str
    created_at: datetime
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: LiveEvent) -> LiveEventOut:
        return cls(id=event.id, type=event.type, created_at=event.created_at, payload=event.payload)
