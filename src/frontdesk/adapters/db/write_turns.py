"""`WriteTurns`: SQLite's writers of one process taking turns, with a lane for urgent writes.

SQLite has one writer at a time, so `SqlStore` queues its writers on the event loop (cheaper than
SQLite's busy-wait). Most writes can wait their turn; a send's outcome should not: until it commits, a
crash leaves a message WhatsApp accepted looking unsent. An urgent writer therefore goes ahead of every
ordinary writer already waiting (never ahead of the one writing), so it waits for one transaction at
most. Urgent writes are a few rows each and rare next to ingest, so they cannot starve the others.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress


class WriteTurns:
    """An asyncio lock with two queues of waiters: urgent ones are handed the lock first."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, *, urgent: bool = False) -> AsyncIterator[None]:
        """Hold the lock for the block; an `urgent` waiter is served before the ordinary ones."""
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._held and not self._urgent and not self._ordinary:
            self._held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._ordinary
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed the lock, then cancelled before using it: pass it on
            else:
                with suppress(ValueError):
                    queue.remove(waiter)
            raise

    def _release(self) -> None:
        """Hand the lock to the next live waiter (urgent first), or free it."""
        for queue in (self._urgent, self._ordinary):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the lock stays held: it now belongs to that waiter
                    return
        self._held = False
