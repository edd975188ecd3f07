"""The contacts list as staff see it: each contact with when they last wrote, sortable by either."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from frontdesk.domain.inbox import ContactView, Page


class ContactSort(StrEnum):
    NEWEST = "newest"
    """Most recently added first."""
    LAST_SEEN = "last_seen"
    """Most recently heard from first; contacts who never wrote last."""


class ContactSeen(ContactView):
    last_seen_at: datetime | None = None
    """Their latest inbound message over all their conversations; None if they never wrote."""


class ContactDirectory(Protocol):
    async def contacts(
        self, tenant_id: int, *, q: str | None, sort: ContactSort, limit: int, cursor: str | None
    ) -> Page[ContactSeen]:
        """A page of the tenant's contacts in `sort` order; `q` matches name, number or e-mail."""
        ...

    async def contact(self, tenant_id: int, contact_id: int) -> ContactSeen:
        """One contact of the tenant, or `NotFoundError`."""
        ...
