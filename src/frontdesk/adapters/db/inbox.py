"""`SqlInbox`: the staff inbox's reads (pages of contacts, conversations, messages) and its transactions.

Lists use keyset pagination: a page is `limit` rows after the cursor's position in the list's order,
fetched with one row more to know whether another page follows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, column, exists, func, or_, select, table
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import contact_data
from frontdesk.adapters.db.inbox_tx import SqlInboxTx
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import contacts, conversations, messages
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.inbox import (
    ContactRef,
    ContactView,
    ConversationFilter,
    ConversationView,
    InboxTx,
    InvalidCursor,
    MessageView,
    Page,
    QuotedMessage,
    StaffMember,
    decode_cursor,
    encode_cursor,
)
from frontdesk.domain.models import ConversationStatus

T = TypeVar("T")

# Staff accounts belong to the accounts adapter (migration 0005); this names just what is needed here.
_users = table("staff_users", column("id"), column("email"), column("name"))
_memberships = table(
    "staff_memberships", column("user_id"), column("tenant_id"), column("role"), column("disabled_at")
)

_last_text = (
    select(messages.c.text)
    .where(messages.c.conversation_id == conversations.c.id)
    .order_by(messages.c.id.desc())
    .limit(1)
    .correlate(conversations)
    .scalar_subquery()
)


def _page(found: Sequence[Any], limit: int, item: Any, key: Any) -> Page[Any]:
    """The first `limit` rows as items; a cursor from the last one if there were more."""
    items = [item(r) for r in found[:limit]]
    cursor = encode_cursor(*key(found[limit - 1])) if len(found) > limit else None
    return Page(items=items, next_cursor=cursor)


def _int_cursor(cursor: str) -> int:
    (value,) = decode_cursor(cursor, size=1)
    if not isinstance(value, int):
        raise InvalidCursor("cursor: not a cursor this list gave out")
    return value


def contact_view(r: Any) -> ContactView:
    return ContactView(
        id=r.id,
        wa_id=r.wa_id,
        name=r.name,
        email=r.email,
        city=r.city,
        language=r.language,
        preferences=r.preferences or {},
        marketing_opt_in=r.marketing_opt_in,
        vip=r.vip,
        opted_out_at=r.opted_out_at,
        created_at=r.created_at,
    )


def _conversation_view(r: Any) -> ConversationView:
    return ConversationView(
        id=r.id,
        channel_id=r.channel_id,
        contact=ContactRef(id=r.contact_id, wa_id=r.wa_id, name=r.contact_name),
        status=ConversationStatus(r.status),
        assigned_agent=r.assigned_agent,
        assignee_user_id=r.assignee_user_id,
        last_inbound_at=r.last_inbound_at,
        last_message_at=r.last_message_at,
        last_message_text=r.last_text,
        unread_count=r.unread_count,
        summary=r.summary,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def message_view(r: Any) -> MessageView:
    columns = MessageView.model_fields.keys() - {"reply_to_message"}
    return MessageView.model_validate(
        {k: getattr(r, k) for k in columns} | {"content": r.content or {}, "tools": r.tools or []}
    )


async def _with_quotes(
    conn: AsyncConnection, conversation_id: int, items: list[MessageView]
) -> list[MessageView]:
    """`items` with `reply_to_message` set where the message they answer is in this conversation."""
    wanted = {m.reply_to for m in items if m.reply_to}
    if not wanted:
        return items
    stmt = select(
        messages.c.id, messages.c.direction, messages.c.type, messages.c.text, messages.c.channel_message_id
    ).where(messages.c.conversation_id == conversation_id, messages.c.channel_message_id.in_(wanted))
    quotes = {
        r.channel_message_id: QuotedMessage(id=r.id, direction=r.direction, type=r.type, text=r.text)
        for r in (await conn.execute(stmt)).all()
    }
    return [
        m.model_copy(update={"reply_to_message": quotes[m.reply_to]}) if m.reply_to in quotes else m
        for m in items
    ]


def _conversation_select(tenant_id: int) -> Select[Any]:
    return (
        select(
            conversations,
            contacts.c.wa_id,
            contacts.c.name.label("contact_name"),
            _last_text.label("last_text"),
        )
        .join(contacts, contacts.c.id == conversations.c.contact_id)
        .where(conversations.c.tenant_id == tenant_id)
    )


def _conversation_filters(where: ConversationFilter) -> list[ColumnElement[bool]]:
    c = conversations.c
    found: list[ColumnElement[bool]] = []
    if where.status is not None:
        found.append(c.status == where.status.value)
    if where.agent is not None:
        found.append(c.assigned_agent == where.agent)
    if where.assignee_user_id is not None:
        found.append(c.assignee_user_id == where.assignee_user_id)
    if where.unassigned is not None:
        found.append(c.assignee_user_id.is_(None) if where.unassigned else c.assignee_user_id.is_not(None))
    if where.unread is not None:
        found.append(c.unread_count > 0 if where.unread else c.unread_count == 0)
    if where.updated_since is not None:
        found.append(c.updated_at >= where.updated_since)
    if where.contact_id is not None:
        found.append(c.contact_id == where.contact_id)
    if where.q:
        needle = where.q.lower()
        said = exists().where(
            messages.c.conversation_id == c.id, func.lower(messages.c.text).contains(needle, autoescape=True)
        )
        found.append(
            or_(
                func.lower(contacts.c.name).contains(needle, autoescape=True),
                contacts.c.wa_id.contains(needle, autoescape=True),
                said,
            )
        )
    return found


class SqlInbox:
    """The database behind `frontdesk.domain.inbox.InboxStore`."""

    def __init__(self, store: SqlStore):
        self._store = store

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[InboxTx]:
        async with self._store.begin() as conn:
            yield SqlInboxTx(conn, self._store.secrets)

    async def contacts(
        self, tenant_id: int, *, q: str | None, limit: int, cursor: str | None
    ) -> Page[ContactView]:
        stmt = select(contacts).where(contacts.c.tenant_id == tenant_id)
        if q:
            needle = q.lower()
            stmt = stmt.where(
                or_(
                    func.lower(contacts.c.name).contains(needle, autoescape=True),
                    contacts.c.wa_id.contains(needle, autoescape=True),
                    func.lower(contacts.c.email).contains(needle, autoescape=True),
                )
            )
        if cursor is not None:
            stmt = stmt.where(contacts.c.id < _int_cursor(cursor))
        async with self._store.read() as conn:
            found = (await conn.execute(stmt.order_by(contacts.c.id.desc()).limit(limit + 1))).all()
        return _page(found, limit, contact_view, lambda r: (r.id,))

    async def contact(self, tenant_id: int, contact_id: int) -> ContactView:
        stmt = select(contacts).where(contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id)
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise NotFoundError("contact not found")
        return contact_view(row)

    async def conversations(
        self, tenant_id: int, where: ConversationFilter, *, limit: int, cursor: str | None
    ) -> Page[ConversationView]:
        c = conversations.c
        stmt = _conversation_select(tenant_id).where(*_conversation_filters(where))
        if cursor is not None:
            at, last_id = decode_cursor(cursor, size=2)
            try:
                updated = datetime.fromisoformat(at)
            except (TypeError, ValueError):
                raise InvalidCursor("cursor: not a cursor this list gave out") from None
            if not isinstance(last_id, int) or updated.tzinfo is None:
                raise InvalidCursor("cursor: not a cursor this list gave out")
            stmt = stmt.where(or_(c.updated_at < updated, and_(c.updated_at == updated, c.id < last_id)))
        stmt = stmt.order_by(c.updated_at.desc(), c.id.desc()).limit(limit + 1)
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).all()
        return _page(found, limit, _conversation_view, lambda r: (r.updated_at.isoformat(), r.id))

    async def conversation(self, tenant_id: int, conversation_id: int) -> ConversationView:
        stmt = _conversation_select(tenant_id).where(conversations.c.id == conversation_id)
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise NotFoundError("conversation not found")
        return _conversation_view(row)

    async def messages(
        self, tenant_id: int, conversation_id: int, *, limit: int, cursor: str | None
    ) -> Page[MessageView]:
        owned = select(conversations.c.id).where(
            conversations.c.id == conversation_id, conversations.c.tenant_id == tenant_id
        )
        stmt = select(messages).where(messages.c.conversation_id == conversation_id)
        if cursor is not None:
            stmt = stmt.where(messages.c.id < _int_cursor(cursor))
        async with self._store.read() as conn:
            if (await conn.execute(owned)).first() is None:
                raise NotFoundError("conversation not found")
            found = (await conn.execute(stmt.order_by(messages.c.id.desc()).limit(limit + 1))).all()
            page = _page(found, limit, message_view, lambda r: (r.id,))
            items = await _with_quotes(conn, conversation_id, list(reversed(page.items)))
        return Page(items=items, next_cursor=page.next_cursor)

    async def staff(self, tenant_id: int) -> list[StaffMember]:
        stmt = (
            select(_users.c.id, _users.c.email, _users.c.name, _memberships.c.role)
            .join(_memberships, _memberships.c.user_id == _users.c.id)
            .where(_memberships.c.tenant_id == tenant_id, _memberships.c.disabled_at.is_(None))
            .order_by(func.lower(func.coalesce(func.nullif(_users.c.name, ""), _users.c.email)), _users.c.id)
        )
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).all()
        return [StaffMember(id=r.id, email=r.email, name=r.name or "", role=r.role) for r in found]

    async def export_contact(self, tenant_id: int, contact_id: int) -> dict[str, Any]:
        async with self._store.read() as conn:
            return await contact_data.records_of(conn, tenant_id, contact_id)
