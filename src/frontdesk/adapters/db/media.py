"""`SqlMedia`: the media job's reads and writes of a message, and the staff route's lookup of its file
(implements `frontdesk.domain.media.MediaStore`).

The outcome is merged into `messages.content["media"]` only while the message is not erased
(`erased_at IS NULL` in the UPDATE itself: on PostgreSQL an erasure committed meanwhile is seen when the
row is re-checked under its lock), so an erasure racing a fetch never gets its content back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, conversations, messages
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain import live
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.media import FILE, ReceivedMedia, StoredMedia, media_outcome, media_reference

_SOURCE = (
    select(messages, channels.c.id.label("the_channel_id"))
    .join(conversations, conversations.c.id == messages.c.conversation_id)
    .join(channels, channels.c.id == conversations.c.channel_id)
)


class SqlMedia:
    def __init__(self, store: SqlStore):
        self._store = store

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlMediaTx]:
        async with self._store.begin() as conn:
            yield SqlMediaTx(conn, self._store.secrets)

    async def stored_media(self, tenant_id: int, conversation_id: int, message_id: int) -> StoredMedia:
        stmt = select(messages.c.type, messages.c.content).where(
            messages.c.id == message_id,
            messages.c.tenant_id == tenant_id,
            messages.c.conversation_id == conversation_id,
            messages.c.erased_at.is_(None),
        )
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        content: dict[str, Any] = (row.content or {}) if row is not None else {}
        if row is None or media_outcome(content) != FILE:
            raise NotFoundError("no stored file for this message")
        media, file = content["media"], content["media"][FILE]
        return StoredMedia(
            key=str(file.get("key")),
            mime_type=_str_or_none(file.get("mime_type")),
            filename=_str_or_none(media.get("filename")),
            message_type=row.type,
        )


class SqlMediaTx(SqlTx):
    """`SqlTx` plus the message's media: the job finishes in the same transaction as its outcome."""

    async def received_media(self, message_id: int) -> ReceivedMedia | None:
        row = (await self.conn.execute(_SOURCE.where(messages.c.id == message_id))).first()
        if row is None or row.erased_at is not None:
            return None
        message = rows.message(row)
        reference = media_reference(message.content)
        if reference is None or media_outcome(message.content) is not None:
            return None
        found = (await self.conn.execute(select(channels).where(channels.c.id == row.the_channel_id))).one()
        return ReceivedMedia(message=message, channel=rows.channel(found, self.secrets), media=reference)

    async def record_media(self, message_id: int, outcome: dict[str, Any], *, now: datetime) -> bool:
        live_row = messages.c.id == message_id, messages.c.erased_at.is_(None)
        row = (await self.conn.execute(select(messages).where(*live_row))).first()
        if row is None:
            return False
        message = rows.message(row)
        content = dict(message.content)
        content["media"] = {**(content.get("media") or {}), **outcome}
        written = await self.conn.execute(update(messages).where(*live_row).values(content=content))
        if written.rowcount != 1:
            return False
        payload = live.message_media(message, content["media"])
        await self.add_event(tenant_id=message.tenant_id, type=live.MESSAGE_MEDIA, payload=payload, now=now)
        return True


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None
