"""Recording and reading the audit log. What is recorded never blocks or undoes the action it describes.

A change made in a transaction records what staff did in that transaction (`audit`, through the
transaction's `add_audit`), so the entry commits with the change; what stands alone (a login, a password
change) goes through `AuditService.record`. The actor of what staff did is their e-mail, the value the
audit list filters on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontdesk.domain.audit import AuditEntry, AuditLog, AuditPage, AuditQuery, AuditTx
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff


def staff_entry(
    staff: Staff,
    action: str,
    *,
    target_type: str,
    target_id: int | str | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry for `action` (e.g. `channel.update`) by `staff` on `target_type` `target_id`. Details
    name what changed; they never hold a credential's value."""
    return AuditEntry(
        tenant_id=staff.tenant.id,
        actor=staff.email,
        action=action,
        at=now,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details or {},
    )


async def audit(
    tx: AuditTx,
    staff: Staff,
    action: str,
    *,
    target_type: str,
    target_id: int | str | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Record `action` by `staff` in `tx` (see `staff_entry`)."""
    entry = staff_entry(staff, action, target_type=target_type, target_id=target_id, now=now, details=details)
    await tx.add_audit(entry)


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
                actor=actor,
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
