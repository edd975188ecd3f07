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
    """Which entries of a tenant to list, newest first."""

    tenant_id: int
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, kw_only=True)
class AuditPage:
    items: list[AuditEntry]
    total: int


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...
    async def page(self, query: AuditQuery) -> AuditPage: ...
