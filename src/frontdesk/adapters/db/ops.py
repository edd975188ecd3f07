"""What operations ask the database: reachability, schema revision, queue and dead-letter counts."""

from __future__ import annotations

from datetime import datetime

from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from frontdesk.adapters.db.migrate import alembic_config
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import jobs, outbox
from frontdesk.domain.models import JobStatus, OutboxStatus
from frontdesk.domain.ops import QueueCounts, SchemaRevision
from frontdesk.domain.ports import Clock


def shipped_revisions() -> tuple[str, frozenset[str]]:
    """The newest migration shipped with this code, and every one it ships."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    assert head is not None
    return head, frozenset(script.revision for script in scripts.walk_revisions())


class SqlOpsProbe:
    """`OpsProbe` on the database."""

    def __init__(self, store: SqlStore, clock: Clock):
        self._store = store
        self._clock = clock
        self._head, self._revisions = shipped_revisions()

    async def ping(self) -> None:
        await self._store.ping()

    async def migration(self) -> SchemaRevision:
        async with self._store.read() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        shipped = current is None or current in self._revisions
        return SchemaRevision(current=current, head=self._head, shipped=shipped)

    async def queue_counts(self) -> QueueCounts:
        job_counts = select(jobs.c.status, func.count()).where(
            jobs.c.status.in_([JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DEAD])
        )
        send_counts = select(outbox.c.status, func.count()).where(
            outbox.c.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED])
        )
        async with self._store.read() as conn:
            jobs_by_status = await conn.execute(job_counts.group_by(jobs.c.status))
            j: dict[str, int] = {status: count for status, count in jobs_by_status}
            sends_by_status = await conn.execute(send_counts.group_by(outbox.c.status))
            o: dict[str, int] = {status: count for status, count in sends_by_status}
        return QueueCounts(
            turns_waiting=j.get(JobStatus.QUEUED, 0) + j.get(JobStatus.RUNNING, 0),
            sends_waiting=o.get(OutboxStatus.PENDING, 0) + o.get(OutboxStatus.SENDING, 0),
            dead_turns=j.get(JobStatus.DEAD, 0),
            # Held uncertain sends wait for staff like failed ones (the same jobs page lists both).
            failed_sends=o.get(OutboxStatus.FAILED, 0) + o.get(OutboxStatus.UNCERTAIN, 0),
        )

    async def oldest_due_job_seconds(self) -> float | None:
        now = self._clock.now()
        due = (jobs.c.status == JobStatus.QUEUED) & (jobs.c.run_at <= now)
        stmt = select(jobs.c.run_at).where(due).order_by(jobs.c.run_at).limit(1)
        async with self._store.read() as conn:
            oldest: datetime | None = (await conn.execute(stmt)).scalar()
        return None if oldest is None else max((now - oldest).total_seconds(), 0.0)
