"""The live hub with an in-memory event feed: id order across commit gaps, replay, resync, tenants."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from frontdesk.domain.live_feed import RESYNC, LiveEvent
from frontdesk.services.live import LiveHub, Subscription

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return NOW


class MemoryFeed:
    def __init__(self) -> None:
        self.events: list[LiveEvent] = []

    def add(self, event_id: int, tenant_id: int = 1, *, age: timedelta = timedelta(0)) -> None:
        event = LiveEvent(
            id=event_id, tenant_id=tenant_id, type="t", payload={"n": event_id}, created_at=NOW - age
        )
        self.events = sorted([*self.events, event], key=lambda e: e.id)

    async def latest_id(self) -> int:
        return max((e.id for e in self.events), default=0)

    async def after(self, after_id: int, *, limit: int) -> list[LiveEvent]:
        return [e for e in self.events if e.id > after_id][:limit]

    async def replay(self, tenant_id: int, *, after_id: int, up_to: int, limit: int) -> list[LiveEvent]:
        return [e for e in self.events if e.tenant_id == tenant_id and after_id < e.id <= up_to][:limit]

    async def first_id_since(self, at: datetime) -> int | None:
        return min((e.id for e in self.events if e.created_at >= at), default=None)

    async def prune(self, *, before: datetime) -> int:
        kept = [e for e in self.events if e.created_at >= before or e is self.events[-1]]
        removed, self.events = len(self.events) - len(kept), kept
        return removed


def hub(feed: MemoryFeed, *, grace: float = 60.0) -> LiveHub:
    return LiveHub(
        feed=feed, clock=Clock(), retention=timedelta(hours=24), poll_seconds=3600, gap_grace=grace
    )


def queued(sub: Subscription) -> list[int]:
    found = []
    while not sub.queue.empty():
        event = sub.queue.get_nowait()
        found.append(event.id if event else -1)
    return found


async def test_events_wait_for_a_gap_to_fill_then_go_in_order() -> None:
    feed = MemoryFeed()
    live = hub(feed)
    sub = await live.subscribe(1, since=None)
    feed.add(1)
    feed.add(3)  # 2 has not committed yet
    await live.poll()
    assert queued(sub) == [1]
    feed.add(2)
    await live.poll()
    assert queued(sub) == [2, 3]
    await live.close()


async def test_a_gap_that_never_fills_is_given_up_after_the_grace() -> None:
    feed = MemoryFeed()
    live = hub(feed, grace=0.0)
    sub = await live.subscribe(1, since=None)
    feed.add(2)  # 1 was rolled back
    await live.poll()
    assert queued(sub) == [2]
    await live.close()


async def test_replay_then_live_for_one_tenant_only() -> None:
    feed = MemoryFeed()
    for event_id, tenant in ((1, 1), (2, 2), (3, 1)):
        feed.add(event_id, tenant)
    live = hub(feed)
    sub = await live.subscribe(1, since=1)
    stream = live.events(sub)
    assert (await anext(stream)).id == 3
    feed.add(4, 2)
    feed.add(5, 1)
    await live.poll()
    assert (await asyncio.wait_for(anext(stream), 1)).id == 5
    await live.close()


async def test_since_beyond_retention_or_unknown_gets_resync() -> None:
    feed = MemoryFeed()
    feed.add(1, age=timedelta(days=3))
    feed.add(2)
    live = hub(feed)
    old = live.events(await live.subscribe(1, since=0))
    first = await anext(old)
    assert (first.type, first.id) == (RESYNC, 2)
    future = live.events(await live.subscribe(1, since=99))
    assert (await anext(future)).type == RESYNC
    assert await live.prune() == 1 and [e.id for e in feed.events] == [2]
    await live.close()


async def test_a_subscriber_that_falls_behind_is_told_to_resync() -> None:
    feed = MemoryFeed()
    live = hub(feed)
    sub = await live.subscribe(1, since=None)
    for event_id in range(1, 1102):
        feed.add(event_id)
    for _ in range(3):
        await live.poll()
    assert -1 in queued(sub)
    await live.close()
