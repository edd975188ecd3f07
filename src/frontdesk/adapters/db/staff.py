"""`SqlAccounts`: staff accounts, memberships and sessions on the Frontdesk database (`AccountStore`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, false, func, insert, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import tenants
from frontdesk.adapters.db.tables_staff import StaffMembershipRow, StaffSessionRow, StaffUserRow
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import (
    Account,
    Member,
    MemberPage,
    Membership,
    NewSession,
    Role,
    Staff,
    StoredSession,
)

users: Table = StaffUserRow.__table__  # type: ignore[assignment]
memberships: Table = StaffMembershipRow.__table__  # type: ignore[assignment]
sessions: Table = StaffSessionRow.__table__  # type: ignore[assignment]

_ID_BATCH = 500
"""Session ids per `IN (…)`: far below SQLite's and asyncpg's limits on bound parameters."""

_MEMBER_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.name,
    memberships.c.role,
    memberships.c.disabled_at,
    memberships.c.created_at,
    users.c.last_login_at,
    users.c.operator,
)


def _account(r: Any) -> Account:
    return Account(
        id=r.id,
        email=r.email,
        name=r.name,
        password_hash=r.password_hash,
        last_login_at=r.last_login_at,
        operator=r.operator,
    )


def _member(r: Any) -> Member:
    return Member(
        user_id=r.id,
        email=r.email,
        name=r.name,
        role=Role(r.role),
        disabled=r.disabled_at is not None,
        created_at=r.created_at,
        last_login_at=r.last_login_at,
        operator=r.operator,
    )


def _usable_here() -> Any:
    """Whether a session's account may act in its tenant: an operator always (as an owner); anyone else
    while a member there, not disabled, of a business that is not disabled."""
    return or_(
        users.c.operator == true(),
        and_(
            memberships.c.id.is_not(None),
            memberships.c.disabled_at.is_(None),
            tenants.c.disabled_at.is_(None),
        ),
    )


def _role(r: Any) -> Role:
    return Role.OWNER if r.operator else Role(r.role)


def _session_joins() -> Any:
    """Sessions with their account, tenant and (for an operator, perhaps missing) membership there."""
    return (
        sessions.join(users, users.c.id == sessions.c.user_id)
        .join(tenants, tenants.c.id == sessions.c.tenant_id)
        .outerjoin(
            memberships,
            and_(
                memberships.c.user_id == sessions.c.user_id,
                memberships.c.tenant_id == sessions.c.tenant_id,
            ),
        )
    )


class SqlAccounts:
    def __init__(self, store: SqlStore):
        self._store = store

    # -- accounts

    async def account_by_email(self, email: str) -> Account | None:
        async with self._store.read() as conn:
            row = (await conn.execute(select(users).where(users.c.email == email.lower()))).first()
        return _account(row) if row else None

    async def account(self, user_id: int) -> Account | None:
        async with self._store.read() as conn:
            row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
        return _account(row) if row else None

    async def create_account(self, *, email: str, name: str, password_hash: str, now: datetime) -> int:
        values = dict(
            email=email.lower(),
            name=name,
            password_hash=password_hash,
            failed_logins=0,
            password_changed_at=now,
            created_at=now,
        )
        try:
            async with self._store.begin() as conn:
                result = await conn.execute(insert(users).values(**values).returning(users.c.id))
                user_id: int = result.scalar_one()
        except IntegrityError:
            raise ConflictError(f"an account for {email} already exists") from None
        return user_id

    async def set_password(self, user_id: int, *, password_hash: str, now: datetime) -> None:
        async with self._store.begin() as conn:
            await conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(
                    password_hash=password_hash, password_changed_at=now, failed_logins=0, locked_until=None
                )
            )

    async def record_login(self, user_id: int, *, at: datetime) -> None:
        async with self._store.begin() as conn:
            await conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(failed_logins=0, locked_until=None, last_login_at=at)
            )

    async def remove_unused(self, user_id: int) -> bool:
        member = select(memberships.c.id).where(memberships.c.user_id == users.c.id).exists()
        async with self._store.begin() as conn:
            result = await conn.execute(
                # An operator belongs to no tenant by design: never "unused".
                delete(users).where(
                    users.c.id == user_id,
                    users.c.last_login_at.is_(None),
                    users.c.operator == false(),
                    ~member,
                )
            )
        return bool(result.rowcount)

    async def set_operator(self, user_id: int, *, operator: bool) -> None:
        async with self._store.begin() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(operator=operator))

    async def operators(self) -> list[Account]:
        async with self._store.read() as conn:
            query = select(users).where(users.c.operator == true()).order_by(users.c.email)
            return [_account(r) for r in await conn.execute(query)]

    # -- memberships

    async def memberships(self, user_id: int) -> list[Membership]:
        query = (
            # The membership's own disabled_at is labelled: the tenant's has the same name.
            select(memberships.c.role, memberships.c.disabled_at.label("member_disabled_at"), tenants)
            .join(tenants, tenants.c.id == memberships.c.tenant_id)
            .where(memberships.c.user_id == user_id)
            .order_by(tenants.c.slug)
        )
        async with self._store.read() as conn:
            found = (await conn.execute(query)).all()
        return [
            Membership(
                user_id=user_id,
                tenant=rows.tenant(r),
                role=Role(r.role),
                disabled=r.member_disabled_at is not None,
            )
            for r in found
        ]

    async def add_membership(self, *, user_id: int, tenant_id: int, role: Role, now: datetime) -> None:
        try:
            async with self._store.begin() as conn:
                await conn.execute(
                    insert(memberships).values(
                        user_id=user_id, tenant_id=tenant_id, role=role.value, created_at=now
                    )
                )
        except IntegrityError:
            raise ConflictError("that person is already a member of this tenant") from None

    async def members(self, tenant_id: int, *, limit: int, offset: int) -> MemberPage:
        where = memberships.c.tenant_id == tenant_id
        joined = memberships.join(users, users.c.id == memberships.c.user_id)
        async with self._store.read() as conn:
            total = (await conn.execute(select(func.count()).select_from(memberships).where(where))).scalar()
            found = await conn.execute(
                select(*_MEMBER_COLUMNS)
                .select_from(joined)
                .where(where)
                .order_by(users.c.email)
                .limit(limit)
                .offset(offset)
            )
            items = [_member(r) for r in found]
        return MemberPage(items=items, total=int(total or 0))

    async def member(self, tenant_id: int, user_id: int) -> Member | None:
        joined = memberships.join(users, users.c.id == memberships.c.user_id)
        query = (
            select(*_MEMBER_COLUMNS)
            .select_from(joined)
            .where(memberships.c.tenant_id == tenant_id, memberships.c.user_id == user_id)
        )
        async with self._store.read() as conn:
            row = (await conn.execute(query)).first()
        return _member(row) if row else None

    async def update_member(
        self, tenant_id: int, user_id: int, *, role: Role | None, disabled: bool | None, now: datetime
    ) -> None:
        values: dict[str, Any] = {}
        if role is not None:
            values["role"] = role.value
        if disabled is not None:
            values["disabled_at"] = now if disabled else None
        if not values:
            return
        async with self._store.begin() as conn:
            await conn.execute(
                update(memberships)
                .where(memberships.c.tenant_id == tenant_id, memberships.c.user_id == user_id)
                .values(**values)
            )

    async def tenants(self) -> list[Tenant]:
        """Every tenant, by slug (for the command line's default tenant)."""
        async with self._store.read() as conn:
            found = (await conn.execute(select(tenants).order_by(tenants.c.slug))).all()
        return [rows.tenant(r) for r in found]

    # -- sessions

    async def create_session(self, session: NewSession) -> None:
        async with self._store.begin() as conn:
            await conn.execute(
                insert(sessions).values(
                    id=session.id,
                    user_id=session.user_id,
                    tenant_id=session.tenant_id,
                    refresh_hash=session.refresh_hash,
                    created_at=session.created_at,
                    refreshed_at=session.created_at,
                    expires_at=session.expires_at,
                    user_agent=session.user_agent[:255],
                    ip=session.ip[:64],
                )
            )

    async def session_staff(self, session_id: str, *, now: datetime) -> Staff | None:
        query = (
            select(
                users.c.id,
                users.c.email,
                users.c.name,
                users.c.operator,
                memberships.c.role,
                tenants.c.id.label("tenant_id"),
                tenants.c.slug.label("tenant_slug"),
                tenants.c.name.label("tenant_name"),
                tenants.c.timezone.label("tenant_timezone"),
                tenants.c.currency.label("tenant_currency"),
                tenants.c.disabled_at.label("tenant_disabled_at"),
            )
            .select_from(_session_joins())
            .where(
                sessions.c.id == session_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > now,
                _usable_here(),
            )
        )
        async with self._store.read() as conn:
            r = (await conn.execute(query)).first()
        if r is None:
            return None
        tenant = Tenant(
            id=r.tenant_id,
            slug=r.tenant_slug,
            name=r.tenant_name,
            timezone=r.tenant_timezone,
            currency=r.tenant_currency,
            disabled=r.tenant_disabled_at is not None,
        )
        return Staff(
            tenant=tenant,
            user_id=r.id,
            email=r.email,
            name=r.name,
            role=_role(r),
            session_id=session_id,
            operator=r.operator,
        )

    async def live_roles(self, session_ids: Collection[str], *, now: datetime) -> dict[str, Role]:
        ids = list(session_ids)
        found: dict[str, Role] = {}
        for start in range(0, len(ids), _ID_BATCH):
            query = (
                select(sessions.c.id, memberships.c.role, users.c.operator)
                .select_from(_session_joins())
                .where(
                    sessions.c.id.in_(ids[start : start + _ID_BATCH]),
                    sessions.c.revoked_at.is_(None),
                    sessions.c.expires_at > now,
                    _usable_here(),
                )
            )
            async with self._store.read() as conn:
                found.update({r.id: _role(r) for r in await conn.execute(query)})
        return found

    async def session_by_refresh(self, refresh_hash: str) -> StoredSession | None:
        async with self._store.read() as conn:
            r = (await conn.execute(select(sessions).where(sessions.c.refresh_hash == refresh_hash))).first()
        if r is None:
            return None
        return StoredSession(
            id=r.id,
            user_id=r.user_id,
            tenant_id=r.tenant_id,
            expires_at=r.expires_at,
            revoked=r.revoked_at is not None,
        )

    async def rotate_refresh(
        self, session_id: str, *, old_hash: str, new_hash: str, now: datetime, expires_at: datetime
    ) -> bool:
        async with self._store.begin() as conn:
            result = await conn.execute(
                update(sessions)
                .where(
                    sessions.c.id == session_id,
                    sessions.c.refresh_hash == old_hash,
                    sessions.c.revoked_at.is_(None),
                )
                .values(
                    refresh_hash=new_hash, previous_hash=old_hash, refreshed_at=now, expires_at=expires_at
                )
            )
        return result.rowcount == 1

    async def revoke_replayed(self, previous_hash: str, *, now: datetime) -> str | None:
        async with self._store.begin() as conn:
            row = (
                await conn.execute(select(sessions.c.id).where(sessions.c.previous_hash == previous_hash))
            ).first()
            if row is None:
                return None
            await conn.execute(update(sessions).where(sessions.c.id == row.id).values(revoked_at=now))
        session_id: str = row.id
        return session_id

    async def revoke_sessions(
        self,
        *,
        now: datetime,
        session_id: str | None = None,
        user_id: int | None = None,
        tenant_id: int | None = None,
        keep: str | None = None,
    ) -> int:
        where: list[Any] = [sessions.c.revoked_at.is_(None)]
        if session_id is not None:
            where.append(sessions.c.id == session_id)
        if user_id is not None:
            where.append(sessions.c.user_id == user_id)
        if tenant_id is not None:
            where.append(sessions.c.tenant_id == tenant_id)
        if keep is not None:
            where.append(sessions.c.id != keep)
        if len(where) == 1:
            raise ValueError("revoke_sessions needs a session, a user or a tenant")
        async with self._store.begin() as conn:
            result = await conn.execute(update(sessions).where(*where).values(revoked_at=now))
        return int(result.rowcount)
