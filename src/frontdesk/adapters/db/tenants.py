"""`SqlTenants`: creating, listing and disabling tenants on the Frontdesk database (`TenantStore`).

Creating a tenant is one transaction: its row, its business pack's rows (`business_import.apply_pack`,
which also sets its profile and registers its WhatsApp number) and its first owner. A refused pack, a
taken slug or a taken number raises inside it, so nothing at all is left behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.business_import import apply_pack
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, contacts, tenants
from frontdesk.adapters.db.tables_staff import StaffMembershipRow, StaffSessionRow, StaffUserRow
from frontdesk.domain.business_pack import ImportReport, Pack, PackError
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.staff import Role
from frontdesk.domain.tenants import NewOwner, NewTenant, TenantCreated, TenantSummary

users: Table = StaffUserRow.__table__  # type: ignore[assignment]
memberships: Table = StaffMembershipRow.__table__  # type: ignore[assignment]
sessions: Table = StaffSessionRow.__table__  # type: ignore[assignment]


def _count(table: Table) -> Any:
    """How many rows of `table` belong to each listed tenant (a correlated subquery)."""
    return (
        select(func.count())
        .select_from(table)
        .where(table.c.tenant_id == tenants.c.id)
        .correlate(tenants)
        .scalar_subquery()
    )


_SUMMARY = select(
    tenants.c.id,
    tenants.c.slug,
    tenants.c.name,
    tenants.c.timezone,
    tenants.c.currency,
    tenants.c.disabled_at,
    tenants.c.created_at,
    _count(memberships).label("staff"),
    _count(channels).label("channels"),
    _count(contacts).label("contacts"),
)


def _summary(r: Any) -> TenantSummary:
    return TenantSummary(
        id=r.id,
        slug=r.slug,
        name=r.name,
        timezone=r.timezone,
        currency=r.currency,
        disabled=r.disabled_at is not None,
        created_at=r.created_at,
        staff=r.staff,
        channels=r.channels,
        contacts=r.contacts,
    )


class SqlTenants:
    def __init__(self, store: SqlStore):
        self._store = store

    async def create(
        self, new: NewTenant, *, owner: NewOwner | None, pack: Pack | None, now: datetime
    ) -> TenantCreated:
        owner_id: int | None = None
        created = False
        report: ImportReport | None = None
        try:
            async with self._store.begin() as conn:
                tenant_id = await self._insert_tenant(conn, new, now)
                if pack is not None:
                    report = await _apply(conn, tenant_id, pack, now, self._store)
                    # The pack set its own name, time zone and currency; the ones chosen (the caller's,
                    # else the pack's) win.
                    chosen = dict(name=new.name, timezone=new.timezone, currency=new.currency)
                    await conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(**chosen))
                if owner is not None:
                    owner_id, created = await _add_owner(conn, tenant_id, owner, now)
                found = (await conn.execute(_SUMMARY.where(tenants.c.id == tenant_id))).one()
        except IntegrityError:  # a slug or number taken meanwhile by another process
            raise ConflictError(f"tenant {new.slug!r} or its WhatsApp number already exists") from None
        return TenantCreated(tenant=_summary(found), owner_id=owner_id, owner_created=created, report=report)

    async def _insert_tenant(self, conn: AsyncConnection, new: NewTenant, now: datetime) -> int:
        taken = await conn.execute(select(tenants.c.id).where(tenants.c.slug == new.slug))
        if taken.first() is not None:
            raise ConflictError(f"a tenant called {new.slug!r} already exists")
        result = await conn.execute(
            insert(tenants)
            .values(
                slug=new.slug,
                name=new.name,
                timezone=new.timezone,
                currency=new.currency,
                profile={},
                created_at=now,
            )
            .returning(tenants.c.id)
        )
        tenant_id: int = result.scalar_one()
        return tenant_id

    async def all(self) -> list[TenantSummary]:
        async with self._store.read() as conn:
            found = await conn.execute(_SUMMARY.order_by(tenants.c.slug))
            return [_summary(r) for r in found]

    async def get(self, tenant_id: int) -> TenantSummary | None:
        async with self._store.read() as conn:
            r = (await conn.execute(_SUMMARY.where(tenants.c.id == tenant_id))).first()
        return _summary(r) if r else None

    async def by_slug(self, slug: str) -> TenantSummary | None:
        async with self._store.read() as conn:
            r = (await conn.execute(_SUMMARY.where(tenants.c.slug == slug))).first()
        return _summary(r) if r else None

    async def update(
        self, tenant_id: int, *, name: str | None, disabled: bool | None, now: datetime
    ) -> TenantSummary | None:
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = name
        if disabled is not None:
            # Disabling again keeps the first time it was disabled.
            values["disabled_at"] = func.coalesce(tenants.c.disabled_at, now) if disabled else None
        async with self._store.begin() as conn:
            if values:
                await conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(**values))
            if disabled:
                # Its staff's sessions end now (they would be refused anyway while it is disabled, but
                # enabling it again must not bring them back); an operator's stays.
                operators = select(users.c.id).where(users.c.operator == true())
                await conn.execute(
                    update(sessions)
                    .where(
                        sessions.c.tenant_id == tenant_id,
                        sessions.c.revoked_at.is_(None),
                        sessions.c.user_id.not_in(operators),
                    )
                    .values(revoked_at=now)
                )
            r = (await conn.execute(_SUMMARY.where(tenants.c.id == tenant_id))).first()
        return _summary(r) if r else None


async def _apply(
    conn: AsyncConnection, tenant_id: int, pack: Pack, now: datetime, store: SqlStore
) -> ImportReport:
    """Import the pack's rows into the new tenant, in this transaction; `PackError` if it is refused."""
    report = await apply_pack(conn, tenant_id, pack, now=now, secrets=store.secrets)
    if not report.ok:  # apply_pack raises on problems; a report with some must not commit either
        raise PackError(list(report.problems))
    return report


async def _add_owner(
    conn: AsyncConnection, tenant_id: int, owner: NewOwner, now: datetime
) -> tuple[int, bool]:
    """Make the owner a member (a new account unless the e-mail has one): (their id, new account?)."""
    email = owner.email.lower()
    found = (await conn.execute(select(users.c.id).where(users.c.email == email))).first()
    created = found is None
    if found is None:
        result = await conn.execute(
            insert(users)
            .values(
                email=email,
                name=owner.name,
                password_hash=owner.password_hash,
                failed_logins=0,
                password_changed_at=now,
                created_at=now,
            )
            .returning(users.c.id)
        )
        user_id: int = result.scalar_one()
    else:
        user_id = found.id
    await conn.execute(
        insert(memberships).values(
            user_id=user_id, tenant_id=tenant_id, role=Role.OWNER.value, created_at=now
        )
    )
    return user_id, created
