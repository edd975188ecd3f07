"""Received media: what a message's file job reads and writes, and what staff are served.

A customer's image, voice note, video, document or sticker arrives as a reference (`events.Media`, kept
in the message's `content["media"]`). The `media` job fetches it through the channel it came by, keeps
it in the file store (`files.media_key`) and records the outcome in the same place:

- `content["media"]["file"]`: `{"key", "size", "mime_type"}`, the file is stored;
- `content["media"]["error"]`: `{"code", "message"}`, it could not be fetched and will not be (a
  permanent refusal, a file over `FRONTDESK_MEDIA_MAX_BYTES`, or transient failures until the job's
  last attempt). The turn runs either way.

An erased message (GDPR erasure, retention) loses its content and its file; a file fetched while its
message was being erased is deleted again, never recorded.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from frontdesk.domain import events
from frontdesk.domain.files import MediaFile
from frontdesk.domain.models import Channel, Message
from frontdesk.domain.ports import Tx

FILE = "file"
ERROR = "error"


@dataclass(frozen=True, kw_only=True)
class ReceivedMedia:
    """A message whose file is to be fetched: the message, the number it came to, its media reference."""

    message: Message
    channel: Channel
    media: events.Media


@dataclass(frozen=True, kw_only=True)
class StoredMedia:
    """A message's stored file, as staff are served it: where it is, its type and a name for it."""

    key: str
    mime_type: str | None
    filename: str | None
    message_type: str


def media_reference(content: dict[str, Any]) -> events.Media | None:
    """The channel's reference to a message's file, from its stored `content`, or None (none, or no id
    or link to fetch it by)."""
    stored = content.get("media")
    if not isinstance(stored, dict):
        return None
    fields = {k: v for k, v in stored.items() if k in events.Media.model_fields}
    try:
        media = events.Media.model_validate(fields)
    except ValueError:
        return None
    return media if media.id or media.link else None


def media_outcome(content: dict[str, Any]) -> str | None:
    """`FILE` or `ERROR` once the message's media job has recorded its outcome; None before."""
    stored = content.get("media")
    if isinstance(stored, dict):
        for outcome in (FILE, ERROR):
            if isinstance(stored.get(outcome), dict):
                return outcome
    return None


class MediaTx(Tx, Protocol):
    """A transaction of the media job: `Tx` (so the job finishes in it) and the message's media."""

    async def received_media(self, message_id: int) -> ReceivedMedia | None:
        """The message, its number and its file reference; None when it has nothing left to fetch (no
        media, already recorded, or erased)."""
        ...

    async def record_media(self, message_id: int, outcome: dict[str, Any], *, now: datetime) -> bool:
        """Merge `outcome` (`{"file": ...}` or `{"error": ...}`) into the message's `content["media"]`
        with a `message.media` live event; False (and nothing written) when the message was erased."""
        ...


class MediaStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[MediaTx]: ...

    async def stored_media(self, tenant_id: int, conversation_id: int, message_id: int) -> StoredMedia:
        """The stored file of the tenant's message in that conversation; `NotFoundError` when there is no
        such message there, or it has no stored file (not fetched yet, failed, or erased)."""
        ...


class MediaFetcher(Protocol):
    """Fetches a received file through the channel it came by (`ChannelsByKind` in the wiring).

    Raises `ChannelError`: `transient` when a retry may succeed; `media_too_large` for a file over
    `max_bytes` (refused before or while reading it)."""

    async def media(self, *, channel: Channel, media: events.Media, max_bytes: int) -> MediaFile: ...


def as_read(message: Message) -> Message:
    """The message as the agents read it: a file sent without words reads as its type in brackets
    (`[image]`, `[audio]`, `[sticker]`), so a turn sees that something was sent rather than an empty
    message (which reads as a bare greeting). A caption or a document's name is the text already."""
    if (message.text or "").strip() or not isinstance(message.content.get("media"), dict):
        return message
    return message.model_copy(update={"text": f"[{message.type}]"})
