"""Contacts as staff see them: list and search, edit, marketing opt-out, export and erasure.

Exports and erasures are written to the audit log; an erasure keeps its audit entry (it names the
contact by id only) while everything that identified the person is gone, the files they sent included
(deleted before the erasure commits: if that fails, nothing is erased and staff can try again).
"""

from __future__ import annotations

from typing import Any

from frontdesk.domain.contacts import ContactDirectory, ContactSeen, ContactSort
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.files import FileStore, media_key
from frontdesk.domain.inbox import (
    ERASED_PREFIX,
    ContactChanges,
    ConversationFilter,
    ConversationView,
    InboxStore,
    InboxTx,
    MessageView,
    Page,
)
from frontdesk.domain.models import Frozen
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import audit

PAGE = 200
EXPORT_FORMAT = "frontdesk.contact-export/1"


class ContactDetail(Frozen):
    contact: ContactSeen
    conversations: list[ConversationView]


class ConversationExport(Frozen):
    conversation: ConversationView
    messages: list[MessageView]


class ContactExport(Frozen):
    format: str = EXPORT_FORMAT
    contact: ContactSeen
    conversations: list[ConversationExport]
    records: dict[str, list[dict[str, Any]]]
    """The business's records about the contact: orders, appointments, returns, staff tasks."""


class ErasureResult(Frozen):
    contact_id: int
    messages_redacted: int


class ContactService:
    def __init__(self, *, store: InboxStore, directory: ContactDirectory, files: FileStore, clock: Clock):
        self._store = store
        self._directory = directory
        self._files = files
        self._clock = clock

    async def contacts(
        self,
        staff: Staff,
        *,
        q: str | None,
        limit: int,
        cursor: str | None,
        sort: ContactSort = ContactSort.NEWEST,
    ) -> Page[ContactSeen]:
        """The tenant's contacts, newest or most recently heard from first; `q` matches name, number or
        e-mail."""
        return await self._directory.contacts(staff.tenant.id, q=q, sort=sort, limit=limit, cursor=cursor)

    async def contact(self, staff: Staff, contact_id: int) -> ContactDetail:
        """A contact with their conversations (most recent first)."""
        contact = await self._directory.contact(staff.tenant.id, contact_id)
        return ContactDetail(contact=contact, conversations=await self._conversations(staff, contact_id))

    async def update(self, staff: Staff, contact_id: int, changes: ContactChanges) -> ContactSeen:
        """Edit a contact's profile (audited); an erased contact cannot be edited (409)."""
        await self._write(staff, contact_id, "contact.update", changes.values())
        return await self._directory.contact(staff.tenant.id, contact_id)

    async def set_marketing(self, staff: Staff, contact_id: int, *, opt_in: bool) -> ContactSeen:
        """Opt the contact out of marketing (stops templates to them too), or back in."""
        now = self._clock.now()
        current = await self._store.contact(staff.tenant.id, contact_id)
        stopped = None if opt_in else (current.opted_out_at or now)
        values: dict[str, Any] = {"marketing_opt_in": opt_in, "opted_out_at": stopped}
        action = "contact.opt_in" if opt_in else "contact.opt_out"
        await self._write(staff, contact_id, action, values)
        return await self._directory.contact(staff.tenant.id, contact_id)

    async def export(self, staff: Staff, contact_id: int) -> ContactExport:
        """Everything stored about the contact, for a data-access request. Audited."""
        contact = await self._directory.contact(staff.tenant.id, contact_id)
        threads = [
            ConversationExport(conversation=c, messages=await self._all_messages(staff, c.id))
            for c in await self._conversations(staff, contact_id)
        ]
        records = await self._store.export_contact(staff.tenant.id, contact_id)
        async with self._store.transaction() as tx:
            await self._audit(tx, staff, contact_id, "contact.export", {"conversations": len(threads)})
        return ContactExport(contact=contact, conversations=threads, records=records)

    async def erase(self, staff: Staff, contact_id: int) -> ErasureResult:
        """Redact the contact's messages and anonymise them, keeping an audit entry."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            await tx.contact_of(staff.tenant.id, contact_id)
            erased = await tx.erase_contact(staff.tenant.id, contact_id, now=now)
            await self._files.delete_many(media_key(staff.tenant.id, m) for m in erased)
            count = len(erased)
            await self._audit(tx, staff, contact_id, "contact.erase", {"messages_redacted": count})
        return ErasureResult(contact_id=contact_id, messages_redacted=count)

    async def _write(self, staff: Staff, contact_id: int, action: str, values: dict[str, Any]) -> None:
        async with self._store.transaction() as tx:
            contact = await tx.contact_of(staff.tenant.id, contact_id)
            if contact.wa_id.startswith(ERASED_PREFIX):
                raise ConflictError("the contact was erased")
            await tx.update_contact(contact_id, values=values)
            await self._audit(tx, staff, contact_id, action, {"fields": sorted(values)})

    async def _audit(
        self, tx: InboxTx, staff: Staff, contact_id: int, action: str, details: dict[str, Any]
    ) -> None:
        now = self._clock.now()
        await audit(tx, staff, action, target_type="contact", target_id=contact_id, details=details, now=now)

    async def _conversations(self, staff: Staff, contact_id: int) -> list[ConversationView]:
        where = ConversationFilter(contact_id=contact_id)
        found: list[ConversationView] = []
        cursor: str | None = None
        while True:
            page = await self._store.conversations(staff.tenant.id, where, limit=PAGE, cursor=cursor)
            found += page.items
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    async def _all_messages(self, staff: Staff, conversation_id: int) -> list[MessageView]:
        pages: list[list[MessageView]] = []
        cursor: str | None = None
        while True:
            page = await self._store.messages(staff.tenant.id, conversation_id, limit=PAGE, cursor=cursor)
            pages.append(page.items)
            if page.next_cursor is None:
                return [m for chunk in reversed(pages) for m in chunk]
            cursor = page.next_cursor
