"""The audit log: who did what, when, to what. Entries are only ever added."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One thing someone did. `tenant_id` is None for what belongs to no tenant (a login attempt for an
    unknown e-mail). `actor` is an e-mail, or `system`/`cli` for what no signed-in person did."""

    tenant_id: int | None
    actor: str
    action: str
    at: datetime
    target_type: str | None = None
    target_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AuditQuery:
    """Which entries of a tenant to list, newest first; `cursor` is a page's `next_cursor`."""

    tenant_id: int
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class AuditPage:
    """One page, newest first; `next_cursor` fetches the older entries (None on the last page)."""

    items: list[AuditEntry]
    next_cursor: str | None = None


class AuditTx(Protocol):
    """A transaction that can record an audit entry, so the entry commits with the change it describes."""

    async def add_audit(self, entry: AuditEntry) -> None: ...


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def page(self, query: AuditQuery) -> AuditPage: ...
