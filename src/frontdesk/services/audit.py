"""Recording and reading the audit log. Any service (or route, through its service) records through
`AuditService.record`; what is recorded never blocks or undoes the action it describes."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.audit import AuditEntry, AuditLog, AuditPage, AuditQuery
from frontdesk.domain.ports import Clock

MAX_ACTOR = 200


class AuditService:
    def __init__(self, *, log: AuditLog, clock: Clock):
        self._log = log
        self._clock = clock

    async def record(
        self,
        *,
        tenant_id: int | None,
        actor: str,
        action: str,
        target_type: str | None = None,
        target_id: str | int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add one entry, stamped with the clock's time (`action` like `user.role_changed`)."""
        await self._log.add(
            AuditEntry(
                tenant_id=tenant_id,
                actor=actor[:MAX_ACTOR],
                action=action,
                at=self._clock.now(),
                target_type=target_type,
                target_id=None if target_id is None else str(target_id),
                details=details or {},
            )
        )

    async def page(self, query: AuditQuery) -> AuditPage:
        """A tenant's entries, newest first, filtered by actor, action and time."""
        return await self._log.page(query)
