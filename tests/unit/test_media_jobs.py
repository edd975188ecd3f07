"""The media job at ingest (SQLite and PostgreSQL): queued just before its message's turn under the same
key, still five statements for a whole batch; and how a file without words reads to the agents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text

from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.events import InboundMessage, Media
from frontdesk.domain.media import as_read, media_outcome, media_reference
from frontdesk.domain.models import Direction, Message, MessageStatus
from frontdesk.domain.ports import turn_key
from frontdesk.services.ingest import MEDIA, TURN, IngestService
from frontdesk.services.media import clean_type
from tests.support.demo_store import demo_store

NUMBER = "109876543210001"  # the demo business's WhatsApp number
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    async with demo_store(database_url, now=NOW) as store:
        yield store


def inbound(wamid: str, sender: str, **kw: Any) -> InboundMessage:
    values: dict[str, Any] = {"type": "text", "text": "hi"} | kw
    return InboundMessage(channel_key=NUMBER, message_id=wamid, sender=sender, timestamp=NOW, **values)


def image(wamid: str, sender: str, media: Media) -> InboundMessage:
    return inbound(wamid, sender, type="image", text=None, media=media)


async def test_a_file_gets_a_media_job_just_before_its_turn_in_five_statements(store: SqlStore) -> None:
    ingest = IngestService(store=store, clock=Clock(), max_attempts=3)
    senders = ["447700900101", "447700900102", "447700900103"]
    await ingest.ingest(
        [inbound(f"wamid.warm{n}", sender) for n, sender in enumerate(senders)],
        kind=ChannelKind.WHATSAPP_CLOUD,
    )
    batch = [
        image("wamid.i1", senders[0], Media(id="1001", mime_type="image/jpeg")),
        inbound("wamid.t1", senders[1]),
        image("wamid.i2", senders[1], Media(link="/sessions/fd-x/media/ABC")),
        image("wamid.i3", senders[2], Media(mime_type="image/jpeg")),  # nothing to fetch it by
        inbound("wamid.r1", senders[0], type="reaction", text=None),  # no turn, no file
    ]
    statements: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements.append(sql)

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await ingest.ingest(batch, kind=ChannelKind.WHATSAPP_CLOUD)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", count)
    assert result.stored == 5
    # The number's lookup, then store_inbound's five: senders, messages, conversations, jobs, events.
    assert len(statements) == 6, statements
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT INTO JOBS")]) == 1

    async with store.engine.connect() as conn:
        ids = {r.channel_message_id: r for r in await conn.execute(text("select * from messages"))}
        jobs = list(await conn.execute(text("select kind, key, payload from jobs order by id")))
    payloads = [json.loads(j.payload) if isinstance(j.payload, str) else j.payload for j in jobs[-6:]]
    queued = [(j.kind, p["message_id"]) for j, p in zip(jobs[-6:], payloads, strict=True)]
    i1, t1, i2, i3 = (ids[w].id for w in ("wamid.i1", "wamid.t1", "wamid.i2", "wamid.i3"))
    assert queued == [(MEDIA, i1), (TURN, i1), (TURN, t1), (MEDIA, i2), (TURN, i2), (TURN, i3)]
    assert jobs[-6].key == jobs[-5].key == turn_key(ids["wamid.i1"].conversation_id)


def message(**kw: Any) -> Message:
    values: dict[str, Any] = dict(
        id=1,
        tenant_id=1,
        conversation_id=1,
        direction=Direction.IN,
        type="image",
        text=None,
        status=MessageStatus.RECEIVED,
        created_at=NOW,
    )
    return Message(**(values | kw))


def test_a_file_without_words_reads_as_its_type() -> None:
    assert as_read(message(content={"media": {"id": "1"}})).text == "[image]"
    assert (
        as_read(message(type="audio", text="  ", content={"media": {"id": "1", "voice": True}})).text
        == "[audio]"
    )
    assert as_read(message(text="my receipt", content={"media": {"id": "1"}})).text == "my receipt"
    assert as_read(message(type="text", text=None, content={})).text is None
    assert as_read(message(content={"redacted": True})).text is None


def test_a_reference_and_an_outcome_are_read_from_content() -> None:
    assert media_reference({"media": {"id": "1", "file": {"key": "k"}}}) == Media(id="1")
    assert media_reference({"media": {"mime_type": "image/png"}}) is None
    assert media_reference({"redacted": True}) is None
    assert media_outcome({"media": {"id": "1"}}) is None
    assert media_outcome({"media": {"id": "1", "error": {"code": "100"}}}) == "error"


@pytest.mark.parametrize(
    ("declared", "cleaned"),
    [
        ("image/JPEG", "image/jpeg"),
        ("audio/ogg; codecs=opus", "audio/ogg; codecs=opus"),
        ("text/html\r\nX-Evil: 1", None),
        ("not a type", None),
        ("", None),
        (None, None),
    ],
)
def test_a_declared_type_is_kept_only_when_it_is_one(declared: str | None, cleaned: str | None) -> None:
    assert clean_type(declared) == cleaned
