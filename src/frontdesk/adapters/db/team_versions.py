"""`SqlTeamStore`: saved versions of tenants' agent teams in `team_versions` (implements `TeamStore`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, contacts, team_versions
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.models import Contact
from frontdesk.domain.team_versions import FILE_VERSION, ChannelTeam, StaleTeamError, TeamVersion


def _version(r: Any) -> TeamVersion:
    return TeamVersion(
        tenant_id=r.tenant_id, version=r.version, yaml=r.yaml, saved_by=r.saved_by, saved_at=r.saved_at
    )


class SqlTeamStore:
    def __init__(self, store: SqlStore):
        self._store = store

    async def current_version(self, tenant_id: int) -> int:
        # One index lookup (the unique (tenant_id, version) index): cheap enough to ask often.
        stmt = select(func.max(team_versions.c.version)).where(team_versions.c.tenant_id == tenant_id)
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).scalar()
        return int(found) if found is not None else FILE_VERSION

    async def latest(self, tenant_id: int) -> TeamVersion | None:
        stmt = (
            select(team_versions)
            .where(team_versions.c.tenant_id == tenant_id)
            .order_by(team_versions.c.version.desc())
            .limit(1)
        )
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        return _version(row) if row else None

    async def saved(self, tenant_id: int, version: int) -> TeamVersion | None:
        stmt = select(team_versions).where(
            team_versions.c.tenant_id == tenant_id, team_versions.c.version == version
        )
        async with self._store.read() as conn:
            row = (await conn.execute(stmt)).first()
        return _version(row) if row else None

    async def channel_teams(self, tenant_id: int) -> list[ChannelTeam]:
        c = channels.c
        stmt = (
            select(c.id, c.name, c.kind, c.display_phone_number, c.enabled, c.team_version)
            .where(c.tenant_id == tenant_id)
            .order_by(c.id)
        )
        async with self._store.read() as conn:
            found = (await conn.execute(stmt)).all()
        return [
            ChannelTeam(
                id=r.id,
                name=r.name,
                kind=ChannelKind(r.kind),
                display_phone_number=r.display_phone_number,
                enabled=r.enabled,
                team_version=r.team_version,
            )
            for r in found
        ]

    async def append(self, version: TeamVersion, *, audit: AuditEntry) -> TeamVersion:
        values = dict(
            tenant_id=version.tenant_id,
            version=version.version,
            yaml=version.yaml,
            saved_by=version.saved_by[:200],
            saved_at=version.saved_at,
        )
        try:
            async with self._store.begin() as conn:
                current = (
                    await conn.execute(
                        select(func.max(team_versions.c.version)).where(
                            team_versions.c.tenant_id == version.tenant_id
                        )
                    )
                ).scalar() or FILE_VERSION
                if current != version.version - 1:
                    raise StaleTeamError(base_version=version.version - 1, current=int(current))
                await conn.execute(insert(team_versions).values(**values))
                await insert_audit(conn, audit)
        except IntegrityError:  # a concurrent save took the number between our read and insert
            current = await self.current_version(version.tenant_id)
            raise StaleTeamError(base_version=version.version - 1, current=current) from None
        return version

    async def contact(self, tenant_id: int, wa_id: str | None) -> Contact | None:
        stmt = select(contacts).where(contacts.c.tenant_id == tenant_id)
        stmt = stmt.where(contacts.c.wa_id == wa_id) if wa_id is not None else stmt
        async with self._store.read() as conn:
            row = (await conn.execute(stmt.order_by(contacts.c.id).limit(1))).first()
        return rows.contact(row) if row else None
