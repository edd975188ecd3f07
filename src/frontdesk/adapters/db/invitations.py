"""`SqlInvitations` (`InvitationStore`) and `SqlLoginFailures` (`LoginFailures`) on the Frontdesk
database."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import tenants
from frontdesk.adapters.db.tables_staff import StaffInvitationRow, StaffLoginFailureRow, StaffMembershipRow
from frontdesk.adapters.db.transaction import upsert_insert
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.invitations import MAX_CODE_FAILURES, CodeCheck, Invitation, NewInvitation
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import Role

invitations: Table = StaffInvitationRow.__table__  # type: ignore[assignment]
failures: Table = StaffLoginFailureRow.__table__  # type: ignore[assignment]
memberships: Table = StaffMembershipRow.__table__  # type: ignore[assignment]

_WITH_TENANT = select(
    invitations,
    tenants.c.slug.label("tenant_slug"),
    tenants.c.name.label("tenant_name"),
    tenants.c.timezone.label("tenant_timezone"),
).join(tenants, tenants.c.id == invitations.c.tenant_id)


def _invitation(r: Any, now: datetime | None = None) -> Invitation:
    return Invitation(
        id=r.id,
        tenant=Tenant(id=r.tenant_id, slug=r.tenant_slug, name=r.tenant_name, timezone=r.tenant_timezone),
        email=r.email,
        role=Role(r.role),
        invited_by=r.invited_by,
        created_at=r.created_at,
        expires_at=r.expires_at,
        expired=now is not None and r.expires_at <= now,
    )


async def _one(conn: AsyncConnection, *where: Any) -> Invitation | None:
    row = (await conn.execute(_WITH_TENANT.where(*where))).first()
    return _invitation(row) if row else None


class SqlInvitations:
    def __init__(self, store: SqlStore):
        self._store = store

    async def create(self, new: NewInvitation) -> Invitation:
        same = (invitations.c.tenant_id == new.tenant_id, invitations.c.email == new.email)
        try:
            async with self._store.begin() as conn:
                # An expired invitation only blocks the unique key: the new one takes its place.
                await conn.execute(
                    delete(invitations).where(*same, invitations.c.expires_at <= new.created_at)
                )
                result = await conn.execute(
                    insert(invitations)
                    .values(
                        tenant_id=new.tenant_id,
                        email=new.email,
                        role=new.role.value,
                        invited_by=new.invited_by,
                        creates_account=new.creates_account,
                        code_digest=new.code_digest,
                        code_failures=0,
                        created_at=new.created_at,
                        expires_at=new.expires_at,
                    )
                    .returning(invitations.c.id)
                )
                found = await _one(conn, invitations.c.id == result.scalar_one())
        except IntegrityError:
            raise ConflictError(f"{new.email} is already invited; cancel that invitation first") from None
        assert found is not None
        return found

    async def of_tenant(self, tenant_id: int, *, now: datetime) -> list[Invitation]:
        query = _WITH_TENANT.where(invitations.c.tenant_id == tenant_id).order_by(invitations.c.id.desc())
        async with self._store.read() as conn:
            return [_invitation(r, now) for r in await conn.execute(query)]

    async def of_email(self, email: str, *, now: datetime) -> list[Invitation]:
        query = _WITH_TENANT.where(invitations.c.email == email, invitations.c.expires_at > now).order_by(
            invitations.c.id
        )
        async with self._store.read() as conn:
            return [_invitation(r) for r in await conn.execute(query)]

    async def made_account(self, email: str, *, now: datetime) -> Invitation | None:
        async with self._store.read() as conn:
            return await _one(
                conn,
                invitations.c.email == email,
                invitations.c.creates_account.is_(True),
                invitations.c.expires_at > now,
            )

    async def accept(
        self, invitation_id: int, *, email: str, user_id: int, now: datetime, code_digest: str | None
    ) -> tuple[CodeCheck, Invitation | None]:
        live = (
            invitations.c.id == invitation_id,
            invitations.c.email == email,
            invitations.c.expires_at > now,
        )
        try:
            async with self._store.begin() as conn:
                row = (await conn.execute(_WITH_TENANT.where(*live))).first()
                if row is None:
                    return CodeCheck.NOT_FOUND, None
                found = _invitation(row)
                if code_digest is not None and not hmac.compare_digest(row.code_digest, code_digest):
                    return await self._wrong_code(conn, found), found
                # Deleted first: of two acceptances racing, only the one that deletes the row goes on.
                gone = await conn.execute(delete(invitations).where(invitations.c.id == invitation_id))
                if gone.rowcount != 1:
                    return CodeCheck.NOT_FOUND, None
                await conn.execute(
                    insert(memberships).values(
                        user_id=user_id, tenant_id=found.tenant.id, role=found.role.value, created_at=now
                    )
                )
        except IntegrityError:
            raise ConflictError("you are already a member of that tenant") from None
        return CodeCheck.ACCEPTED, found

    @staticmethod
    async def _wrong_code(conn: AsyncConnection, found: Invitation) -> CodeCheck:
        # Counted in the database (racing guesses each add one), and the last allowed guess deletes it.
        failures = (
            await conn.execute(
                update(invitations)
                .where(invitations.c.id == found.id)
                .values(code_failures=invitations.c.code_failures + 1)
                .returning(invitations.c.code_failures)
            )
        ).scalar()
        if failures is None:  # deleted by a racing request since it was read
            return CodeCheck.NOT_FOUND
        if failures < MAX_CODE_FAILURES:
            return CodeCheck.WRONG
        gone = await conn.execute(delete(invitations).where(invitations.c.id == found.id))
        return CodeCheck.CANCELLED if gone.rowcount == 1 else CodeCheck.NOT_FOUND

    async def remove(
        self,
        invitation_id: int,
        *,
        email: str | None = None,
        tenant_id: int | None = None,
        live_at: datetime | None = None,
    ) -> Invitation | None:
        where = [invitations.c.id == invitation_id]
        if live_at is not None:
            where.append(invitations.c.expires_at > live_at)
        if email is not None:
            where.append(invitations.c.email == email)
        if tenant_id is not None:
            where.append(invitations.c.tenant_id == tenant_id)
        async with self._store.begin() as conn:
            found = await _one(conn, *where)
            if found is not None:
                await conn.execute(delete(invitations).where(invitations.c.id == invitation_id))
        return found


class SqlLoginFailures:
    def __init__(self, store: SqlStore):
        self._store = store

    async def locked(self, email: str, ip: str, *, now: datetime) -> bool:
        query = select(failures.c.locked_until).where(failures.c.email == email, failures.c.ip == ip[:64])
        async with self._store.read() as conn:
            until = (await conn.execute(query)).scalar()
        return until is not None and until > now

    async def fail(
        self, email: str, ip: str, *, now: datetime, max_failures: int, lockout: timedelta
    ) -> bool:
        ip = ip[:64]
        forget = now - lockout
        active = failures.c.locked_until > now  # a lock set by a request racing this one stays
        stale = (failures.c.last_failed_at <= forget) | failures.c.locked_until.is_not(None)
        async with self._store.begin() as conn:
            first = upsert_insert(conn, failures).values(
                email=email, ip=ip, failures=1, last_failed_at=now, locked_until=None
            )
            row = (
                await conn.execute(
                    first.on_conflict_do_update(
                        index_elements=["email", "ip"],
                        set_={
                            "failures": case(
                                (active, failures.c.failures), (stale, 1), else_=failures.c.failures + 1
                            ),
                            "locked_until": case((active, failures.c.locked_until), else_=None),
                            "last_failed_at": now,
                        },
                    ).returning(failures.c.failures, failures.c.locked_until)
                )
            ).one()
            locked = row.locked_until is not None or row.failures >= max_failures
            if row.locked_until is None and locked:
                await conn.execute(
                    update(failures)
                    .where(failures.c.email == email, failures.c.ip == ip)
                    .values(failures=0, locked_until=now + lockout)
                )
            # Rows older than the lockout period hold nothing that still counts.
            await conn.execute(delete(failures).where(failures.c.last_failed_at < forget))
        return locked

    async def clear(self, email: str, ip: str) -> None:
        async with self._store.begin() as conn:
            await conn.execute(delete(failures).where(failures.c.email == email, failures.c.ip == ip[:64]))
