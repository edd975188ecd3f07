"""The worker: a pool of tasks that claim durable jobs, run them, and retry or dead-letter failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from frontdesk.domain import traces
from frontdesk.domain.models import Job
from frontdesk.domain.ops import REQUEST_ID
from frontdesk.domain.ports import Clock, JobQueue
from frontdesk.services.polling import PollingPool
from frontdesk.services.retry import Backoff

log = logging.getLogger(__name__)


class Worker:
    """Runs jobs with `concurrency` tasks. Each claim is a lease kept alive by a heartbeat while it runs,
    so a job whose process died is picked up again once its lease runs out.
    """

    def __init__(
        self,
        *,
        name: str,
        queue: JobQueue,
        handlers: Mapping[str, Callable[[Job, str], Awaitable[None]]],
        clock: Clock,
        concurrency: int,
        lease_seconds: float,
        poll_seconds: float,
        backoff: Backoff,
    ):
        self.name = name
        self._queue = queue
        self._handlers = handlers
        self._clock = clock
        self._lease = lease_seconds
        self._backoff = backoff
        self.pool = PollingPool(
            name=name, step=self.run_once, concurrency=concurrency, poll_seconds=poll_seconds
        )

    async def run_once(self) -> bool:
        """Claim and run one job if there is one; True if a job ran (tests and drain loops use this)."""
        job = await self._queue.claim_job(worker=self.name, now=self._clock.now(), lease_seconds=self._lease)
        if job is None:
            return False
        await self._run(job)
        return True

    async def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        heartbeat = asyncio.create_task(self._heartbeat(job))
        request_id = job.payload.get("request_id")
        token = REQUEST_ID.set(request_id if isinstance(request_id, str) else f"job-{job.id}")
        # The job's span continues the trace of the webhook that queued it, across the queue.
        parent = traces.context_from(job.payload.get(traces.TRACEPARENT))
        attributes = {traces.JOB_KIND: job.kind, traces.ATTEMPT: job.attempts}
        with traces.span(
            f"job {job.kind}", parent=parent, kind=SpanKind.CONSUMER, attributes=attributes
        ) as span:
            try:
                if handler is None:
                    raise LookupError(f"no handler for job kind {job.kind!r}")
                await handler(job, self.name)
                span.set_attribute(traces.OUTCOME, "done")
            except asyncio.CancelledError:
                raise  # shutting down: the lease runs out and another worker resumes the job
            except Exception as exc:
                await self._failed(job, exc)
            finally:
                REQUEST_ID.reset(token)
                heartbeat.cancel()

    async def _failed(self, job: Job, exc: Exception) -> None:
        now = self._clock.now()
        dead = job.attempts >= job.max_attempts
        span = trace.get_current_span()
        span.set_attribute(traces.OUTCOME, "dead" if dead else "retry")
        span.set_status(trace.StatusCode.ERROR, type(exc).__name__)  # the type only: messages may quote
        retry_at = None if dead else now + timedelta(seconds=self._backoff.delay(job.attempts))
        log.warning(
            "job failed",
            extra={
                "job_id": job.id,
                "kind": job.kind,
                "attempt": job.attempts,
                "dead": dead,
                "error": repr(exc),
            },
        )
        await self._queue.fail_job(job.id, worker=self.name, error=repr(exc), retry_at=retry_at, now=now)

    async def _heartbeat(self, job: Job) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            until = self._clock.now() + timedelta(seconds=self._lease)
            await self._queue.extend_job(job.id, worker=self.name, until=until)
