"""The admin API's repositories: tenant settings, channels and dead letters, always filtered by tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.audit import insert_audit
from frontdesk.adapters.db.contact_data import REDACTED
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, conversations, jobs, messages, outbox, tenants
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain.admin import (
    ChannelChanges,
    ChannelDetails,
    ChannelTestRecord,
    DeadLetter,
    DeadLetterKind,
    LinkState,
    NewChannel,
    Page,
    TenantChanges,
    TenantSettings,
    WeekHours,
    weekdays,
)
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.channel_kinds import ChannelKind, ChannelStatus
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.models import Channel, JobStatus, MessageStatus, OutboxStatus, UncertainSends


class SqlAdminStore:
    """`AdminStore` on the shared `SqlStore`."""

    def __init__(self, store: SqlStore):
        self._store = store

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlAdminTx]:
        async with self._store.begin() as conn:
            yield SqlAdminTx(conn, self._store.secrets)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlAdminTx]:
        async with self._store.read() as conn:
            yield SqlAdminTx(conn, self._store.secrets)


def _hours_out(stored: Any) -> WeekHours:
    """Stored `{"mon": ["09:00", "18:00"], "sun": []}` as `WeekHours`."""
    data = stored if isinstance(stored, dict) else {}
    out: WeekHours = {}
    for day, span in data.items():
        out[day] = (str(span[0]), str(span[1])) if isinstance(span, list) and len(span) == 2 else None
    return weekdays(out)


def _channel_details(r: Any) -> ChannelDetails:
    return ChannelDetails(
        id=r.id,
        tenant_id=r.tenant_id,
        kind=ChannelKind(r.kind),
        phone_number_id=r.phone_number_id,
        waba_id=r.waba_id or None,
        display_phone_number=r.display_phone_number,
        name=r.name,
        enabled=r.enabled,
        access_token_set=bool(r.access_token),
        created_at=r.created_at,
        uncertain_sends=UncertainSends(r.uncertain_sends),
        last_test=None
        if r.last_test_at is None
        else ChannelTestRecord(at=r.last_test_at, ok=bool(r.last_test_ok), error=r.last_test_error),
        aws_phone_number_id=r.aws_phone_number_id,
        region=r.region,
        groups=r.groups,
        team_version=r.team_version,
        status=None if r.status is None else ChannelStatus(r.status),
        status_detail=r.status_detail,
        status_at=r.status_at,
        profile_name=r.profile_name,
    )


class SqlAdminTx(SqlTx):
    """`AdminTx`: the shared transaction's repositories plus the admin ones."""

    async def add_audit(self, entry: AuditEntry) -> None:
        await insert_audit(self.conn, entry)

    # -- tenant settings

    async def tenant_settings(self, tenant_id: int) -> TenantSettings:
        r = await self._one(select(tenants).where(tenants.c.id == tenant_id), "tenant")
        profile = r.profile or {}
        return TenantSettings(
            id=r.id,
            slug=r.slug,
            name=r.name,
            timezone=r.timezone,
            opening_hours=_hours_out(profile.get("opening_hours")),
            retention_days=r.retention_days,
        )

    async def update_tenant(self, tenant_id: int, changes: TenantChanges) -> TenantSettings:
        r = await self._one(select(tenants).where(tenants.c.id == tenant_id), "tenant")
        values: dict[str, Any] = {}
        if changes.name is not None:
            values["name"] = changes.name
        if changes.timezone is not None:
            values["timezone"] = changes.timezone
        if changes.opening_hours is not None:
            stored = {
                day: list(span) if span else [] for day, span in weekdays(changes.opening_hours).items()
            }
            values["profile"] = {**(r.profile or {}), "opening_hours": stored}
        if "retention_days" in changes.model_fields_set:
            values["retention_days"] = changes.retention_days
        if values:
            await self.conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(**values))
        return await self.tenant_settings(tenant_id)

    # -- channels

    async def channels(self, tenant_id: int, *, limit: int, offset: int) -> Page[ChannelDetails]:
        where = channels.c.tenant_id == tenant_id
        total = (
            await self.conn.execute(select(func.count()).select_from(channels).where(where))
        ).scalar_one()
        stmt = select(channels).where(where).order_by(channels.c.id).limit(limit).offset(offset)
        items = [_channel_details(r) for r in (await self.conn.execute(stmt)).all()]
        return Page(items=items, total=total)

    async def _channel_row(self, tenant_id: int, channel_id: int) -> Any:
        where = and_(channels.c.id == channel_id, channels.c.tenant_id == tenant_id)
        return await self._one(select(channels).where(where), "channel")

    async def channel(self, tenant_id: int, channel_id: int) -> ChannelDetails:
        return _channel_details(await self._channel_row(tenant_id, channel_id))

    async def channel_record(self, tenant_id: int, channel_id: int) -> Channel:
        return rows.channel(await self._channel_row(tenant_id, channel_id), self.secrets)

    async def add_channel(
        self, tenant_id: int, new: NewChannel, *, now: datetime, status: ChannelStatus | None = None
    ) -> ChannelDetails:
        taken = select(channels.c.id).where(channels.c.phone_number_id == new.phone_number_id)
        if (await self.conn.execute(taken)).first() is not None:
            raise ConflictError(f"phone_number_id {new.phone_number_id} is already registered")
        try:
            row = (
                await self.conn.execute(
                    channels.insert()
                    .values(
                        tenant_id=tenant_id,
                        created_at=now,
                        **new.model_dump(exclude={"access_token"}),
                        access_token=self.secrets.seal(new.access_token),
                        status=status,
                        status_at=None if status is None else now,
                    )
                    .returning(*channels.c)
                )
            ).one()
        except IntegrityError:  # registered by a concurrent request between the check and the insert
            raise ConflictError(f"phone_number_id {new.phone_number_id} is already registered") from None
        return _channel_details(row)

    async def update_channel(
        self, tenant_id: int, channel_id: int, changes: ChannelChanges
    ) -> ChannelDetails:
        await self._channel_row(tenant_id, channel_id)
        values = changes.values()
        if "access_token" in values:
            values["access_token"] = self.secrets.seal(values["access_token"])
        if values:
            await self.conn.execute(update(channels).where(channels.c.id == channel_id).values(**values))
        return await self.channel(tenant_id, channel_id)

    async def record_test(self, tenant_id: int, channel_id: int, test: ChannelTestRecord) -> ChannelDetails:
        await self._channel_row(tenant_id, channel_id)
        values = {"last_test_at": test.at, "last_test_ok": test.ok, "last_test_error": test.error}
        await self.conn.execute(update(channels).where(channels.c.id == channel_id).values(**values))
        return await self.channel(tenant_id, channel_id)

    async def bridge_channel(self, session_id: str) -> ChannelDetails | None:
        where = and_(channels.c.phone_number_id == session_id, channels.c.kind == ChannelKind.WA_BRIDGE)
        row = (await self.conn.execute(select(channels).where(where))).first()
        return None if row is None else _channel_details(row)

    async def set_link(
        self,
        channel_id: int,
        link: LinkState,
        *,
        expected: ChannelStatus | None = None,
        in_order: bool = False,
    ) -> ChannelDetails | None:
        where = [channels.c.id == channel_id]
        if expected is not None:
            where.append(channels.c.status == expected)
        if in_order:
            where.append(or_(channels.c.status_at.is_(None), channels.c.status_at <= link.at))
        values: dict[str, Any] = {"status": link.status, "status_detail": link.detail, "status_at": link.at}
        if link.display_phone_number is not None:
            values["display_phone_number"] = link.display_phone_number
        if link.profile_name is not None:
            values["profile_name"] = link.profile_name
        row = (
            await self.conn.execute(update(channels).where(*where).values(**values).returning(*channels.c))
        ).first()
        return None if row is None else _channel_details(row)

    async def relink(
        self, channel_id: int, link: LinkState, *, old_session_id: str, new_session_id: str
    ) -> ChannelDetails | None:
        values = {
            "phone_number_id": new_session_id,
            "status": link.status,
            "status_detail": link.detail,
            "status_at": link.at,
            "display_phone_number": link.display_phone_number,
            "profile_name": link.profile_name,
        }
        where = and_(channels.c.id == channel_id, channels.c.phone_number_id == old_session_id)
        stmt = update(channels).where(where).values(**values).returning(*channels.c)
        row = (await self.conn.execute(stmt)).first()
        return None if row is None else _channel_details(row)

    async def count_conversations(self, channel_id: int) -> int:
        stmt = select(func.count()).select_from(conversations).where(conversations.c.channel_id == channel_id)
        return int((await self.conn.execute(stmt)).scalar_one())

    async def delete_channel(self, tenant_id: int, channel_id: int) -> int:
        # The channel row is locked before counting: on PostgreSQL a customer's first message inserting a
        # conversation holds a key-share lock on it, so the count waits for that to commit (and sees it)
        # and a conversation inserted later waits for this delete; without the lock one inserted between
        # the count and the delete would be cascade-deleted with the number. SQLite renders no FOR UPDATE:
        # its write transaction is exclusive already.
        where = and_(channels.c.id == channel_id, channels.c.tenant_id == tenant_id)
        await self._one(select(channels.c.id).where(where).with_for_update(), "channel")
        held = await self.count_conversations(channel_id)
        if not held:
            await self.conn.execute(delete(channels).where(channels.c.id == channel_id))
        return held

    # -- dead letters

    async def dead_letters(
        self, tenant_id: int, *, kind: DeadLetterKind | None, limit: int, offset: int
    ) -> Page[DeadLetter]:
        kinds = [kind] if kind else list(DeadLetterKind)
        items: list[DeadLetter] = []
        total = 0
        for k in kinds:
            stmt = _dead_turns(tenant_id) if k is DeadLetterKind.TURN else _failed_sends(tenant_id)
            total += (await self.conn.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
            page = stmt.order_by(stmt.selected_columns.id.desc()).limit(offset + limit)
            items += [_dead_letter(k, r) for r in (await self.conn.execute(page)).all()]
        items.sort(key=lambda d: (d.failed_at or d.created_at, d.id), reverse=True)
        return Page(items=items[offset : offset + limit], total=total)

    async def _dead_letter(self, tenant_id: int, kind: DeadLetterKind, item_id: int) -> DeadLetter:
        stmt = _dead_turns(tenant_id) if kind is DeadLetterKind.TURN else _failed_sends(tenant_id)
        row = (await self.conn.execute(stmt.where(stmt.selected_columns.id == item_id))).first()
        if row is None:
            raise NotFoundError(f"no dead-lettered {kind} {item_id}")
        return _dead_letter(kind, row)

    async def retry_dead_letter(
        self, tenant_id: int, kind: DeadLetterKind, item_id: int, *, now: datetime
    ) -> DeadLetter:
        item = await self._dead_letter(tenant_id, kind, item_id)
        if kind is DeadLetterKind.TURN:
            await self.conn.execute(
                update(jobs)
                .where(jobs.c.id == item_id, jobs.c.status == JobStatus.DEAD)
                .values(status=JobStatus.QUEUED, attempts=0, run_at=now, finished_at=None, locked_by=None)
            )
            return item
        payload = (await self.conn.execute(select(outbox.c.payload).where(outbox.c.id == item_id))).scalar()
        if payload == REDACTED:
            # Erased by retention or the contact's erasure: there is nothing left to send.
            raise ConflictError(
                f"send {item_id} cannot be retried: its content was erased (retention or the contact's "
                "erasure); discard it instead"
            )
        await self.conn.execute(
            update(outbox)
            .where(outbox.c.id == item_id, outbox.c.status.in_(_STAFF_SENDS))
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, locked_until=None)
        )
        await self.conn.execute(
            update(messages)
            .where(messages.c.id == item.message_id)
            .values(status=MessageStatus.PENDING, error_code=None, error_message=None, status_at=now)
        )
        return item

    async def discard_dead_letter(self, tenant_id: int, kind: DeadLetterKind, item_id: int) -> DeadLetter:
        item = await self._dead_letter(tenant_id, kind, item_id)
        table = jobs if kind is DeadLetterKind.TURN else outbox
        await self.conn.execute(delete(table).where(table.c.id == item_id))
        return item


async def count_dead_letters(conn: AsyncConnection, tenant_id: int) -> int:
    """How many dead letters (both kinds) the tenant has, in one query (the dashboard's counter)."""
    turns = select(func.count()).select_from(_dead_turns(tenant_id).subquery()).scalar_subquery()
    sends = select(func.count()).select_from(_failed_sends(tenant_id).subquery()).scalar_subquery()
    return int((await conn.execute(select(turns + sends))).scalar_one())


def _dead_turns(tenant_id: int) -> Select[Any]:
    """Dead turn jobs of the tenant's conversations (jobs carry the message id in their payload)."""
    message_id = jobs.c.payload["message_id"].as_integer()
    return (
        select(
            jobs.c.id,
            jobs.c.attempts,
            jobs.c.last_error.label("error"),
            jobs.c.finished_at.label("failed_at"),
            jobs.c.created_at,
            messages.c.id.label("message_id"),
            messages.c.conversation_id,
        )
        .join(messages, messages.c.id == message_id)
        .where(jobs.c.status == JobStatus.DEAD, messages.c.tenant_id == tenant_id)
    )


# Sends that wait for staff: failed ones, and those held as uncertain (the channel's policy is `hold`).
_STAFF_SENDS = (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN)


def _failed_sends(tenant_id: int) -> Select[Any]:
    return (
        select(
            outbox.c.id,
            outbox.c.attempts,
            outbox.c.last_error.label("error"),
            messages.c.error_code,
            messages.c.status_at.label("failed_at"),
            outbox.c.created_at,
            outbox.c.message_id,
            outbox.c.conversation_id,
            (outbox.c.status == OutboxStatus.UNCERTAIN).label("uncertain"),
        )
        .join(messages, messages.c.id == outbox.c.message_id)
        .where(outbox.c.status.in_(_STAFF_SENDS), outbox.c.tenant_id == tenant_id)
    )


def _dead_letter(kind: DeadLetterKind, r: Any) -> DeadLetter:
    return DeadLetter(
        kind=kind,
        id=r.id,
        conversation_id=r.conversation_id,
        message_id=r.message_id,
        attempts=r.attempts,
        error=r.error,
        error_code=getattr(r, "error_code", None),
        failed_at=r.failed_at,
        created_at=r.created_at,
        uncertain=bool(getattr(r, "uncertain", False)),
    )
