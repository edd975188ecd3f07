"""Reading the live-event log (table `events`) back: the records and the port the live hub polls."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from frontdesk.domain.models import Frozen

RESYNC = "resync"
"""Sent instead of a replay when the client's `since` is outside the retention window: refetch."""


class LiveEvent(Frozen):
    id: int
    tenant_id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime


class EventFeed(Protocol):
    """The stored live events of all tenants, by growing id."""

    async def latest_id(self) -> int:
        """The newest event's id (0 when there is none)."""
        ...

    async def after(self, after_id: int, *, limit: int) -> list[LiveEvent]:
        """Events of every tenant with an id above `after_id`, oldest first."""
        ...

    async def replay(self, tenant_id: int, *, after_id: int, up_to: int, limit: int) -> list[LiveEvent]:
        """The tenant's events with `after_id < id <= up_to`, oldest first."""
        ...

    async def first_id_since(self, at: datetime) -> int | None:
        """The smallest id of an event created at or after `at` (None when there is none)."""
        ...

    async def prune(self, *, before: datetime) -> int:
        """Delete events created before `before`, always keeping the newest one; how many went."""
        ...
