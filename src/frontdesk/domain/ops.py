"""Operations: readiness checks, the metrics port, and the request id carried from a request into its jobs."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Protocol

from frontdesk.domain.models import Frozen
from frontdesk.domain.turns import Usage

REQUEST_ID: ContextVar[str | None] = ContextVar("frontdesk_request_id", default=None)
"""The id of the HTTP request (or of the request that queued the job) being handled; logs carry it."""


class Check(Frozen):
    name: str
    ok: bool
    detail: str


class Readiness(Frozen):
    ok: bool
    checks: list[Check]


READINESS_CHECKS = ("database", "migrations", "workers", "embeddings")
"""The checks of `/readyz`, in the order it lists them; `?exclude=` takes these names."""


class SchemaRevision(Frozen):
    """Where the database's schema is, against the migrations this code ships."""

    current: str | None
    """The database's revision; None before the first migration."""
    head: str
    """The newest revision this code ships."""
    shipped: bool
    """`current` is one of this code's revisions (or None). False: a newer release migrated the database."""


class QueueCounts(Frozen):
    turns_waiting: int
    """Turn jobs queued or running."""
    sends_waiting: int
    """Replies pending or being sent."""
    dead_turns: int
    failed_sends: int


class OpsProbe(Protocol):
    """What operations ask the database."""

    async def ping(self) -> None:
        """A trivial query; raises when the database cannot be reached."""
        ...

    async def migration(self) -> SchemaRevision:
        """The database's schema revision, against the ones this code ships."""
        ...

    async def queue_counts(self) -> QueueCounts: ...

    async def oldest_due_job_seconds(self) -> float | None:
        """How long the longest-waiting due job (queued, run_at passed) has waited; None if none."""
        ...


class EmbeddingModel(Protocol):
    """Where the sentence-embedding model's files are (readiness asks without loading the model)."""

    def locate(self) -> str:
        """Where the files are, for the check's detail; raises `ConfigurationError` saying how to install
        the model when they are missing."""
        ...


class Metrics(Protocol):
    """Counters the services feed; the Prometheus adapter implements it, `NoMetrics` ignores it all."""

    def webhook(self, result: str) -> None:
        """One webhook request answered with `result` (ok, bad_signature, bad_request, too_large)."""
        ...

    def turn(self, *, seconds: float, usage: Sequence[Usage]) -> None:
        """A responder answered in `seconds`, using `usage`."""
        ...

    def send(self, *, result: str, code: str | None) -> None:
        """A send attempt ended with `result` (sent, retry, failed, uncertain) and Graph's error `code`."""
        ...


class NoMetrics:
    def webhook(self, result: str) -> None:
        pass

    def turn(self, *, seconds: float, usage: Sequence[Usage]) -> None:
        pass

    def send(self, *, result: str, code: str | None) -> None:
        pass
