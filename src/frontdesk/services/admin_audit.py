"""The one way admin services write the audit log: an entry for what a staff member did, in the change's
transaction. Details name what changed; they never hold a credential's value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontdesk.domain.admin import AdminTx
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.staff import Staff


async def audit(
    tx: AdminTx,
    staff: Staff,
    action: str,
    *,
    target_type: str,
    target_id: int | str | None,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Record `action` (e.g. `channel.update`) by `staff` on `target_type` `target_id`."""
    await tx.add_audit(
        AuditEntry(
            tenant_id=staff.tenant.id,
            actor=staff.email[:200],
            action=action,
            at=now,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            details=details or {},
        )
    )
