"""`SqlInboxTx`: a transaction with the inbox's writes (implements `frontdesk.domain.inbox.InboxTx`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import column, select, table, update

from frontdesk.adapters.db import contact_data, rows
from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.tables import contacts, conversations
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.models import Contact, Conversation

# Staff memberships belong to the accounts adapter (migration 0005); this names just what is needed here.
_memberships = table("staff_memberships", column("user_id"), column("tenant_id"), column("disabled_at"))


class SqlInboxTx(SqlTx):
    """The pipeline's repositories (`SqlTx`) plus the inbox's, on one open transaction."""

    async def conversation_of(self, tenant_id: int, conversation_id: int) -> Conversation:
        stmt = (
            select(conversations)
            .where(conversations.c.id == conversation_id, conversations.c.tenant_id == tenant_id)
            .with_for_update()
        )
        return rows.conversation(await self._one(stmt, "conversation"))

    async def contact_of(self, tenant_id: int, contact_id: int) -> Contact:
        stmt = (
            select(contacts)
            .where(contacts.c.id == contact_id, contacts.c.tenant_id == tenant_id)
            .with_for_update()
        )
        return rows.contact(await self._one(stmt, "contact"))

    async def update_conversation(
        self, conversation_id: int, *, values: dict[str, Any], now: datetime
    ) -> None:
        await self.conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(**values, updated_at=now)
        )

    async def update_contact(self, contact_id: int, *, values: dict[str, Any]) -> None:
        if values:
            await self.conn.execute(update(contacts).where(contacts.c.id == contact_id).values(**values))

    async def erase_contact(self, tenant_id: int, contact_id: int, *, now: datetime) -> list[int]:
        if (await self.conn.execute(_owned_contact(tenant_id, contact_id))).first() is None:
            raise NotFoundError("contact not found")
        return await contact_data.erase(self.conn, tenant_id, contact_id, now=now)

    async def is_staff_member(self, tenant_id: int, user_id: int) -> bool:
        stmt = select(_memberships.c.user_id).where(
            _memberships.c.user_id == user_id,
            _memberships.c.tenant_id == tenant_id,
            _memberships.c.disabled_at.is_(None),
        )
        return (await self.conn.execute(stmt)).first() is not None

    async def add_audit(self, entry: AuditEntry) -> None:
        await insert_audit(self.conn, entry)


def _owned_contact(tenant_id: int, contact_id: int) -> Any:
    return select(contacts.c.id).where(contacts.c.id == contact_id, contacts.c.tenant_id == tenant_id)
