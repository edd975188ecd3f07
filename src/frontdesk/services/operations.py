"""Readiness (`/readyz`) and the queue figures `/metrics` reports."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from frontdesk.domain.errors import ConfigurationError, InvalidInputError
from frontdesk.domain.ops import READINESS_CHECKS, Check, EmbeddingModel, OpsProbe, QueueCounts, Readiness

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

    async def readiness(self, exclude: Collection[str] = ()) -> Readiness:
        """Database reachable, schema at the shipped head (or newer), turns being worked on (here or
        elsewhere), and the embedding model's files installed (without them every search and intent match
        fails).

        `exclude` names checks to leave out, neither run nor listed: a load balancer's readiness probe
        leaves out `workers`, whose failure (a queue nobody serves) is every API process's at once and is
        not cured by sending requests elsewhere. An unknown name is an `InvalidInputError` naming the
        checks, so a typo cannot silently turn a probe into "always ready"."""
        unknown = sorted(set(exclude) - set(READINESS_CHECKS))
        if unknown:
            raise InvalidInputError(
                f"no readiness check named {', '.join(unknown)}; the checks are {', '.join(READINESS_CHECKS)}"
            )
        database = await self._database()  # even when excluded: migrations and workers need it
        checks = [await self._check(name, database) for name in READINESS_CHECKS if name not in exclude]
        return Readiness(ok=all(c.ok for c in checks), checks=checks)

    async def _check(self, name: str, database: Check) -> Check:
        if name == "database":
            return database
        if name == "embeddings":
            return self._embeddings_check()
        if not database.ok:
            return Check(name=name, ok=False, detail="not checked: the database is unreachable")
        return await (self._migrations() if name == "migrations" else self._workers())

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
        schema = await self._probe.migration()
        if schema.current == schema.head:
            return Check(name="migrations", ok=True, detail=f"at head {schema.head}")
        if not schema.shipped:
            # Ahead, not behind: during a rolling update the new release migrated the database before
            # this process (the old release) was replaced. Failing here would take every old process out
            # at once, before any new one is ready; the rollout replaces them anyway. (A migration the
            # old release cannot work with needs a stop, not a rolling update: docs/install/kubernetes.md.)
            detail = f"database at {schema.current}, newer than this code's head {schema.head}"
            return Check(name="migrations", ok=True, detail=detail + " (a newer release migrated it)")
        detail = f"database at {schema.current or 'nothing'}, code expects {schema.head}"
        return Check(name="migrations", ok=False, detail=detail)

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
