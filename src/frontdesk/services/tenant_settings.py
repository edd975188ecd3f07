"""A tenant's own settings: its name, time zone, opening hours and retention period (owners only, checked
at the edge)."""

from __future__ import annotations

from frontdesk.domain.admin import AdminStore, TenantChanges, TenantSettings
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import audit


class TenantSettingsService:
    def __init__(self, *, store: AdminStore, clock: Clock):
        self._store = store
        self._clock = clock

    async def get(self, *, tenant: Tenant) -> TenantSettings:
        """The tenant's settings."""
        async with self._store.read() as tx:
            return await tx.tenant_settings(tenant.id)

    async def update(self, *, staff: Staff, changes: TenantChanges) -> TenantSettings:
        """Apply `changes` to the caller's tenant and audit which fields changed."""
        async with self._store.transaction() as tx:
            before = await tx.tenant_settings(staff.tenant.id)
            after = await tx.update_tenant(staff.tenant.id, changes)
            fields = [
                f
                for f in ("name", "timezone", "opening_hours", "retention_days")
                if getattr(before, f) != getattr(after, f)
            ]
            if fields:
                details: dict[str, object] = {"fields": fields}
                if "retention_days" in fields:  # what is erased changes: say from what to what
                    details["retention_days"] = {"from": before.retention_days, "to": after.retention_days}
                await audit(
                    tx,
                    staff,
                    "tenant.update",
                    target_type="tenant",
                    target_id=after.id,
                    now=self._clock.now(),
                    details=details,
                )
            return after
