"""Files Frontdesk keeps outside the database rows: received media (and, later, knowledge originals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaFile:
    """A received message's file as its channel gave it: the bytes and the type the channel declared."""

    data: bytes
    mime_type: str | None = None
