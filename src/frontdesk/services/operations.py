"""Readiness (`/readyz`) and the queue figures `/metrics` reports."""

from __future__ import annotations

import logging
from collections.abc import Callable

from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.ops import Check, EmbeddingModel, OpsProbe, QueueCounts, Readiness

log = logging.getLogger(__name__)


class OperationsService:
    def __init__(
        self,
        *,
        probe: OpsProbe,
        embeddings: EmbeddingModel,
        workers_alive: Callable[[], bool],
        stall_seconds: float,
    ):
        self._probe = probe
        self._embeddings = embeddings
        self._workers_alive = workers_alive
        self._stall = stall_seconds

    async def readiness(self) -> Readiness:
        """Database reachable, schema at the shipped head, turns being worked on (here or elsewhere), and
        the embedding model's files installed (without them every search and intent match fails)."""
        database = await self._database()
        if not database.ok:
            skipped = "not checked: the database is unreachable"
            checks = [
                database,
                Check(name="migrations", ok=False, detail=skipped),
                Check(name="workers", ok=False, detail=skipped),
                self._embeddings_check(),
            ]
            return Readiness(ok=False, checks=checks)
        checks = [database, await self._migrations(), await self._workers(), self._embeddings_check()]
        return Readiness(ok=all(c.ok for c in checks), checks=checks)

    async def queue_counts(self) -> QueueCounts:
        return await self._probe.queue_counts()

    async def _database(self) -> Check:
        try:
            await self._probe.ping()
        except Exception as exc:  # any driver error means "not reachable"; the type is enough detail
            log.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
            return Check(name="database", ok=False, detail=f"unreachable ({type(exc).__name__})")
        return Check(name="database", ok=True, detail="reachable")

    async def _migrations(self) -> Check:
        current, head = await self._probe.migration()
        if current == head:
            return Check(name="migrations", ok=True, detail=f"at head {head}")
        return Check(
            name="migrations", ok=False, detail=f"database at {current or 'nothing'}, code expects {head}"
        )

    async def _workers(self) -> Check:
        if self._workers_alive():
            return Check(name="workers", ok=True, detail="running in this process")
        waited = await self._probe.oldest_due_job_seconds()
        if waited is not None and waited > self._stall:
            detail = f"no worker in this process, and a due turn has waited {waited:.0f} s"
            detail += f" (limit {self._stall:g} s)"
            return Check(name="workers", ok=False, detail=detail)
        return Check(
            name="workers", ok=True, detail="none in this process; the queue is being served elsewhere"
        )

    def _embeddings_check(self) -> Check:
        try:
            where = self._embeddings.locate()
        except ConfigurationError as exc:
            return Check(name="embeddings", ok=False, detail=str(exc))
        return Check(name="embeddings", ok=True, detail=where)
