"""Spacing a bridge number's sends to one recipient: a WhatsApp-Web number that bursts gets banned.

`Pacer.paced(key)` waits until at least `interval` seconds have passed since the previous send to the
same key (a channel and a recipient) ended, and holds the key while the send runs. Keys are
independent: a wait for one customer never delays another (no lock is shared). Memory stays bounded:
a key whose last send ended more than `interval` ago can no longer delay anything and is forgotten
once the table grows past `MAX_IDLE_KEYS`.

Per process: two processes sending to the same customer on the same number space their own sends
only. The outbox sends one conversation's replies in order, one at a time, so one process is the
usual case.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager

MAX_IDLE_KEYS = 1024
"""How many keys may be remembered before the ones that no longer delay anything are dropped."""


class Pacer:
    def __init__(self, interval: float, *, now: Callable[[], float] | None = None):
        self._interval = interval
        self._now = now
        self._next: dict[Hashable, float] = {}
        """The earliest time (the loop's clock) the next send to a key may start."""
        self._busy: set[Hashable] = set()
        self._sweep_at = MAX_IDLE_KEYS

    def _time(self) -> float:
        return self._now() if self._now else asyncio.get_running_loop().time()

    @asynccontextmanager
    async def paced(self, key: Hashable) -> AsyncIterator[None]:
        """Wait for the key's turn, run the body, and start its next interval when the body ends."""
        if self._interval <= 0:
            yield
            return
        start = self._reserve(key)
        delay = start - self._time()
        if delay > 0:
            await asyncio.sleep(delay)
        self._busy.add(key)
        try:
            yield
        finally:
            self._busy.discard(key)
            # Measured from when this send ended: the next one leaves a full interval after the bridge
            # answered this one, however long it took.
            self._next[key] = max(self._next.get(key, 0.0), self._time() + self._interval)

    def _reserve(self, key: Hashable) -> float:
        """This send's start time; a later send to the same key in the meantime starts after it."""
        now = self._time()
        start = max(now, self._next.get(key, now))
        self._next[key] = start + self._interval
        if len(self._next) > self._sweep_at:
            self._forget_idle(now)
        return start

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, at in self._next.items() if at <= now and k not in self._busy]
        for key in idle:
            del self._next[key]
        # More keys than that all still pacing (a burst to many customers): sweep again only once the
        # table has doubled, so a burst does not pay for a sweep on every send.
        self._sweep_at = max(MAX_IDLE_KEYS, 2 * len(self._next))

    def __len__(self) -> int:
        """How many keys are remembered (for tests of the bound)."""
        return len(self._next)
