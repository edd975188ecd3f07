"""The live hub: streams each tenant's events (table `events`) to its connected staff, in id order.

One poller per process reads new events of all tenants and hands each to the subscriptions of its
tenant, so a hundred open admin tabs cost one query per poll interval; events written by other processes
(scaled-out workers) arrive the same way. `wake()` skips the wait after a write in this process.

Ids come from the database and only grow, but on PostgreSQL two transactions can commit out of id order.
The poller therefore delivers strictly in id order: when it sees a gap it holds the events after it for
up to `gap_grace` seconds, waiting for the missing id to commit, then gives up on it (a rolled-back
transaction leaves a gap forever). So a client that reconnects with `since=<last id it saw>` misses
nothing that committed within the grace.

A subscriber that reconnects with `since` first gets the events it missed from the table, as long as the
first of them is within the retention window; otherwise it gets one `resync` message (refetch, then go
on from its id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from frontdesk.domain.live_feed import RESYNC, EventFeed, LiveEvent
from frontdesk.domain.ports import Clock

log = logging.getLogger(__name__)

BATCH = 500
QUEUE_SIZE = 1000


@dataclass(eq=False)
class Subscription:
    """One connected client of one tenant: what it has been sent, and what waits for it."""

    tenant_id: int
    since: int
    start: int
    """The hub's position when the client subscribed: replay covers (since, start], the queue the rest."""
    queue: asyncio.Queue[LiveEvent | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))


class LiveHub:
    """Subscriptions per tenant, fed by one polling task while anyone is subscribed."""

    def __init__(
        self,
        *,
        feed: EventFeed,
        clock: Clock,
        retention: timedelta,
        poll_seconds: float,
        gap_grace: float = 2.0,
    ):
        self._feed = feed
        self._clock = clock
        self.retention = retention
        self._poll_seconds = poll_seconds
        self._gap_grace = gap_grace
        self._subs: set[Subscription] = set()
        self._cursor = 0
        self._gap: tuple[int, float] | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._start_lock = asyncio.Lock()

    def wake(self) -> None:
        """Something was written: poll now."""
        self._wake.set()

    async def subscribe(self, tenant_id: int, *, since: int | None) -> Subscription:
        """Start following the tenant's events (after `since`, when given, else from now)."""
        async with self._start_lock:
            if self._task is None:
                self._cursor = await self._feed.latest_id()
                self._gap = None
                self._task = asyncio.create_task(self._run(), name="live-hub")
            start = self._cursor
            sub = Subscription(tenant_id=tenant_id, since=start if since is None else since, start=start)
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subs.discard(sub)

    async def events(self, sub: Subscription) -> AsyncIterator[LiveEvent]:
        """What the subscriber missed (or one `resync`), then its tenant's new events as they come."""
        async for missed in self._replay(sub):
            yield missed
        while True:
            event = await sub.queue.get()
            if event is None:  # the client fell too far behind: it must refetch
                yield self._resync(sub, self._cursor)
            elif event.id > sub.since:
                yield event

    async def _replay(self, sub: Subscription) -> AsyncIterator[LiveEvent]:
        if sub.since >= sub.start:
            if sub.since > sub.start:  # an id this database never gave out (restored, or reset)
                yield self._resync(sub, sub.start)
            return
        boundary = await self._feed.first_id_since(self._clock.now() - self.retention)
        if boundary is None or sub.since + 1 < boundary:
            yield self._resync(sub, sub.start)
            return
        after = sub.since
        while True:
            batch = await self._feed.replay(sub.tenant_id, after_id=after, up_to=sub.start, limit=BATCH)
            for event in batch:
                yield event
            if len(batch) < BATCH:
                return
            after = batch[-1].id

    def _resync(self, sub: Subscription, position: int) -> LiveEvent:
        sub.since = position  # the client goes on from here
        return LiveEvent(
            id=position,
            tenant_id=sub.tenant_id,
            type=RESYNC,
            payload={"reason": "the events since your last id are no longer kept: refetch"},
            created_at=self._clock.now(),
        )

    # -- the poller

    async def _run(self) -> None:
        while self._subs:
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is briefly unreachable: try again at the next poll
                log.exception("live hub: poll failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
        self._task = None

    async def poll(self) -> None:
        """Hand out the events committed since the last poll, in id order (see the module's notes)."""
        for event in await self._feed.after(self._cursor, limit=BATCH):
            if event.id != self._cursor + 1:
                now = time.monotonic()
                if self._gap is None or self._gap[0] != self._cursor + 1:
                    self._gap = (self._cursor + 1, now)
                if now - self._gap[1] < self._gap_grace:
                    return
            self._gap = None
            self._cursor = event.id
            self._publish(event)

    def _publish(self, event: LiveEvent) -> None:
        for sub in self._subs:
            if sub.tenant_id != event.tenant_id:
                continue
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                sub.queue.put_nowait(None)

    # -- housekeeping

    async def prune(self) -> int:
        """Delete events older than the retention window; how many went."""
        removed = await self._feed.prune(before=self._clock.now() - self.retention)
        if removed:
            log.info("live events pruned", extra={"removed": removed})
        return removed

    async def run_pruner(self, every: timedelta) -> None:
        """Prune now and then every `every`, until cancelled."""
        while True:
            try:
                await self.prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live hub: prune failed")
            await asyncio.sleep(every.total_seconds())

    async def close(self) -> None:
        task, self._task = self._task, None
        self._subs.clear()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
