"""`SqlContactDirectory`: contacts with when they last wrote (`ContactDirectory`).

"Last seen" is the latest `last_inbound_at` over the contact's conversations (kept by ingest on each
inbound message), read with a correlated subquery on the conversations' contact index. Pages are
keyset-paged like the inbox lists: by id, or by (last seen, id) with never-seen contacts last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from frontdesk.adapters.db.inbox import contact_view
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import contacts, conversations
from frontdesk.domain.contacts import ContactSeen, ContactSort
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.inbox import InvalidCursor, Page, decode_cursor, encode_cursor

_BAD = "cursor: not a cursor this list gave out"

_last_seen = (
    select(func.max(conversations.c.last_inbound_at))
    .where(conversations.c.contact_id == contacts.c.id)
    .correlate(contacts)
    .scalar_subquery()
    .label("last_seen_at")
)


def _seen(r: Any) -> ContactSeen:
    return ContactSeen(**contact_view(r).model_dump(), last_seen_at=r.last_seen_at)


def _search(q: str) -> Any:
    needle = q.lower()
    return or_(
        func.lower(contacts.c.name).contains(needle, autoescape=True),
        contacts.c.wa_id.contains(needle, autoescape=True),
        func.lower(contacts.c.email).contains(needle, autoescape=True),
    )


def _after_seen(seen: Any, ids: Any, cursor: str) -> Any:
    """Rows after the cursor's in (last seen desc, never seen last, id desc) order."""
    at, last_id = decode_cursor(cursor, size=2)
    if not isinstance(last_id, int) or not (at is None or isinstance(at, str)):
        raise InvalidCursor(_BAD)
    if at is None:
        return and_(seen.is_(None), ids < last_id)
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise InvalidCursor(_BAD) from None
    if when.tzinfo is None:
        raise InvalidCursor(_BAD)
    return or_(seen < when, and_(seen == when, ids < last_id), seen.is_(None))


def _after_id(ids: Any, cursor: str) -> Any:
    (last_id,) = decode_cursor(cursor, size=1)
    if not isinstance(last_id, int):
        raise InvalidCursor(_BAD)
    return ids < last_id


class SqlContactDirectory:
    def __init__(self, store: SqlStore):
        self._store = store

    async def contacts(
        self, tenant_id: int, *, q: str | None, sort: ContactSort, limit: int, cursor: str | None
    ) -> Page[ContactSeen]:
        inner = select(contacts, _last_seen).where(contacts.c.tenant_id == tenant_id)
        if q:
            inner = inner.where(_search(q))
        # Sorting and paging on the subquery's column keeps the "last seen" expression in one place.
        rows = inner.subquery()
        seen = rows.c.last_seen_at
        stmt = select(rows)
        if sort is ContactSort.LAST_SEEN:
            if cursor is not None:
                stmt = stmt.where(_after_seen(seen, rows.c.id, cursor))
            stmt = stmt.order_by(seen.desc().nulls_last(), rows.c.id.desc())
        else:
            if cursor is not None:
                stmt = stmt.where(_after_id(rows.c.id, cursor))
            stmt = stmt.order_by(rows.c.id.desc())
        async with self._store.read() as conn:
            found = (await conn.execute(stmt.limit(limit + 1))).all()
        items = [_seen(r) for r in found[:limit]]
        if len(found) <= limit or not items:
            return Page(items=items, next_cursor=None)
        last = items[-1]
        if sort is ContactSort.LAST_SEEN:
            seen_at = last.last_seen_at.isoformat() if last.last_seen_at else None
            return Page(items=items, next_cursor=encode_cursor(seen_at, last.id))
        return Page(items=items, next_cursor=encode_cursor(last.id))

    async def contact(self, tenant_id: int, contact_id: int) -> ContactSeen:
        stmt = select(contacts, _last_seen).where(
            contacts.c.tenant_id == tenant_id, contacts.c.id == contact_id
        )
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        if row is None:
            raise NotFoundError("contact not found")
        return _seen(row)
