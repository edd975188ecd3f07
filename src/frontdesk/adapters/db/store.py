"""`SqlStore`: transactions, plus the claim operations of the durable job queue and the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from secrets import token_hex
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.engine import READ_ONLY, SHORT_READ
from frontdesk.adapters.db.tables import channels, conversations, events, jobs, messages, outbox, tenants
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.adapters.db.write_turns import WriteTurns
from frontdesk.adapters.secret_box import SecretBox
from frontdesk.domain import live
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.models import Job, JobStatus, OutboxItem, OutboxStatus
from frontdesk.domain.ports import Tx
from frontdesk.domain.traces import OUTBOX_TRACEPARENT


class LeaseLostError(ConflictError):
    """The job's lease expired and another worker took it: this worker's results must not commit."""


class SqlStore:
    """The database behind the `Store` and `JobQueue` ports."""

    def __init__(self, engine: AsyncEngine, *, secrets: SecretBox | None = None):
        self.engine = engine
        # Seals and opens secret columns (channel tokens). The app passes the configured keys; tests and
        # tools that build a store on their own get a fixed development key.
        self.secrets = secrets or SecretBox.development()
        # SQLite has one writer at a time; queueing writers here is cheaper than SQLite's busy-wait.
        self._write_lock = WriteTurns() if engine.dialect.name == "sqlite" else None
        self._writer: AsyncConnection | None = None

    @asynccontextmanager
    async def _begin(self, *, urgent: bool = False) -> AsyncIterator[AsyncConnection]:
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock.turn(urgent=urgent):
            conn = await self._sqlite_writer()
            async with conn.begin():
                yield conn

    async def _sqlite_writer(self) -> AsyncConnection:
        """SQLite's one write connection, kept open: writers take turns anyway, and a pool checkout and
        return cost more than the ingest's statements (call with the write lock held)."""
        if self._writer is not None and (self._writer.closed or self._writer.invalidated):
            await self._writer.close()
            self._writer = None
        if self._writer is None:
            self._writer = await self.engine.connect()
        return self._writer

    def begin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A write transaction on a raw connection, for other adapters of this database (serialised on
        SQLite like every other write here)."""
        return self._begin()

    def read(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-only transaction: one consistent snapshot that never waits for writers."""
        return self._read(short=False)

    def lookup(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A read-only transaction for a few indexed lookups (a turn's tools): like `read`, but on SQLite
        its statements run on the event loop instead of a worker thread, which would cost more CPU than
        the lookups themselves."""
        return self._read(short=True)

    @asynccontextmanager
    async def _read(self, *, short: bool) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            await conn.execution_options(**{READ_ONLY: True, SHORT_READ: short})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A transaction: commits when the block ends, rolls back if it raises."""
        async with self._begin() as conn:
            yield SqlTx(conn, self.secrets)

    @asynccontextmanager
    async def outcome(self) -> AsyncIterator[Tx]:
        """A send's outcome: on SQLite it goes ahead of the writers waiting (`WriteTurns`). PostgreSQL
        has no such queue: it only locks the rows written, which nothing else holds for long."""
        async with self._begin(urgent=True) as conn:
            yield SqlTx(conn, self.secrets)

    async def dispose(self) -> None:
        if self._writer is not None:
            await self._writer.close()
            self._writer = None
        await self.engine.dispose()

    async def is_empty(self) -> bool:
        """True before the first tenant exists (a first start)."""
        async with self.engine.connect() as conn:
            return (await conn.execute(select(tenants.c.id).limit(1))).first() is None

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        async with self.engine.connect() as conn:
            await conn.execute(select(1))

    # -- durable jobs

    async def claim_job(self, *, worker: str, now: datetime, lease_seconds: float) -> Job | None:
        async with self._begin() as conn:
            row = (await conn.execute(_runnable_job(now, postgres=conn.dialect.name == "postgresql"))).first()
            if row is None:
                return None
            claimed = await conn.execute(
                update(jobs)
                .where(jobs.c.id == row.id, _claimable(now))
                .values(
                    status=JobStatus.RUNNING,
                    attempts=jobs.c.attempts + 1,
                    locked_by=worker,
                    locked_until=now + timedelta(seconds=lease_seconds),
                )
                .returning(*jobs.c)
            )
            got = claimed.first()
            return rows.job(got) if got else None

    async def extend_job(self, job_id: int, *, worker: str, until: datetime) -> None:
        async with self._begin() as conn:
            await conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.locked_by == worker).values(locked_until=until)
            )

    async def finish_job(self, tx: Tx, job_id: int, *, worker: str, now: datetime) -> None:
        assert isinstance(tx, SqlTx)
        result = await tx.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.locked_by == worker, jobs.c.status == JobStatus.RUNNING)
            .values(status=JobStatus.DONE, finished_at=now, locked_until=None, last_error=None)
        )
        if result.rowcount != 1:
            raise LeaseLostError(f"job {job_id} is no longer held by {worker}")

    async def fail_job(
        self, job_id: int, *, worker: str, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        values: dict[str, Any] = {"last_error": error[:2000], "locked_until": None, "locked_by": None}
        if retry_at is None:
            values |= {"status": JobStatus.DEAD, "finished_at": now}
        else:
            values |= {"status": JobStatus.QUEUED, "run_at": retry_at}
        async with self._begin() as conn:
            failed = await conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.locked_by == worker).values(**values)
            )
            if retry_at is None and failed.rowcount == 1:
                await _announce_dead_job(conn, job_id, now=now)

    async def queue_depth(self) -> int:
        async with self.engine.connect() as conn:
            stmt = select(jobs.c.id).where(jobs.c.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            return len((await conn.execute(stmt)).all())

    # -- outbox

    async def claim_outbox(self, *, now: datetime, lease_seconds: float) -> OutboxItem | None:
        async with self._begin() as conn:
            row = (
                await conn.execute(_sendable_outbox(now, postgres=conn.dialect.name == "postgresql"))
            ).first()
            if row is None:
                return None
            # A fresh token per claim (attempts restart at 0 when staff retry, so they can repeat).
            claim = token_hex(16)
            claimed = await conn.execute(
                update(outbox)
                .where(outbox.c.id == row.id, _outbox_claimable(now))
                .values(
                    status=OutboxStatus.SENDING,
                    attempts=outbox.c.attempts + 1,
                    locked_until=now + timedelta(seconds=lease_seconds),
                    attempted_at=now,
                    claim=claim,
                )
            )
            if claimed.rowcount != 1:
                return None
            channel = (await conn.execute(select(channels).where(channels.c.id == row.channel_id))).one()
            payload, traceparent = _without_traceparent(row.payload)
            return OutboxItem(
                id=row.id,
                message_id=row.message_id,
                conversation_id=row.conversation_id,
                channel=rows.channel(channel, self.secrets),
                to=row.to_wa_id,
                payload=payload,
                traceparent=traceparent,
                attempts=row.attempts + 1,
                last_inbound_at=row.last_inbound_at,
                claim=claim,
                # Still `sending`: its lease ran out without an outcome, so its process stopped mid-send.
                interrupted=row.status == OutboxStatus.SENDING,
            )


def _without_traceparent(payload: Any) -> tuple[Any, str | None]:
    """An outbox payload as the reply it holds, and the turn's trace context stored beside it."""
    if not isinstance(payload, dict) or OUTBOX_TRACEPARENT not in payload:
        return payload, None
    reply = dict(payload)
    traceparent = reply.pop(OUTBOX_TRACEPARENT)
    return reply, traceparent if isinstance(traceparent, str) else None


async def _announce_dead_job(conn: AsyncConnection, job_id: int, *, now: datetime) -> None:
    """A `job.failed` event for staff of the tenant whose message the dead job was about."""
    job = (await conn.execute(select(jobs).where(jobs.c.id == job_id))).one()
    message_id = job.payload.get("message_id") if isinstance(job.payload, dict) else None
    if not isinstance(message_id, int):
        return
    found = select(messages.c.tenant_id, messages.c.conversation_id).where(messages.c.id == message_id)
    message = (await conn.execute(found)).first()
    if message is None:
        return
    payload = {
        "kind": "turn",
        "job_id": job_id,
        "conversation_id": message.conversation_id,
        "message_id": message_id,
        "attempts": job.attempts,
        "error": job.last_error,
    }
    await conn.execute(
        events.insert().values(
            tenant_id=message.tenant_id, type=live.JOB_FAILED, payload=payload, created_at=now
        )
    )


def _claimable(now: datetime) -> Any:
    """Queued and due, or running under a lease that expired (its worker died)."""
    return or_(
        and_(jobs.c.status == JobStatus.QUEUED, jobs.c.run_at <= now),
        and_(jobs.c.status == JobStatus.RUNNING, jobs.c.locked_until < now),
    )


def _runnable_job(now: datetime, *, postgres: bool) -> Any:
    earlier = jobs.alias("earlier")
    # Strict order per key: a job waits while an older job of its key is unfinished (even one
    # waiting for a retry); dead and done jobs no longer hold the line.
    blocked = exists().where(
        earlier.c.key == jobs.c.key,
        earlier.c.id < jobs.c.id,
        earlier.c.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
    )
    stmt = select(jobs.c.id).where(_claimable(now), ~blocked).order_by(jobs.c.id).limit(1)
    return stmt.with_for_update(skip_locked=True, of=jobs) if postgres else stmt


def _outbox_claimable(now: datetime) -> Any:
    return or_(
        and_(outbox.c.status == OutboxStatus.PENDING, outbox.c.next_attempt_at <= now),
        and_(outbox.c.status == OutboxStatus.SENDING, outbox.c.locked_until < now),
    )


def _sendable_outbox(now: datetime, *, postgres: bool) -> Any:
    earlier = outbox.alias("earlier")
    # Replies of one conversation leave in the order they were written.
    blocked = exists().where(
        earlier.c.conversation_id == outbox.c.conversation_id,
        earlier.c.id < outbox.c.id,
        earlier.c.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
    )
    stmt = (
        select(outbox, conversations.c.last_inbound_at)
        .join(conversations, conversations.c.id == outbox.c.conversation_id)
        .where(_outbox_claimable(now), ~blocked)
        .order_by(outbox.c.id)
        .limit(1)
    )
    return stmt.with_for_update(skip_locked=True, of=outbox) if postgres else stmt
