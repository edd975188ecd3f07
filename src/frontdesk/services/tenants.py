"""Looking tenants up."""

from __future__ import annotations

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Store


class TenantService:
    def __init__(self, *, store: Store):
        self._store = store

    async def by_slug(self, slug: str) -> Tenant:
        """The tenant called `slug`, or `NotFoundError`."""
        async with self._store.transaction() as tx:
            tenant = await tx.tenant_by_slug(slug)
        if tenant is None:
            raise NotFoundError(f"tenant {slug!r} not found")
        return tenant
