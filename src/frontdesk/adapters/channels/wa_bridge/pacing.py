"""Spacing a bridge number's sends to one recipient: a WhatsApp-Web number that bursts gets banned.

`Pacer.paced(key)` holds the key (a channel and a recipient) while the send runs, and starts the send
only once at least `interval` seconds have passed since the previous send to the same key ended: a
second send that arrives while the first is still in flight waits for it. Keys are independent: a
wait for one customer never delays another (each key has its own lock). Memory stays bounded: a key
nobody is using whose last send ended more than `interval` ago can no longer delay anything, and is
forgotten once the table grows past `MAX_IDLE_KEYS`.

Per process: two processes sending to the same customer on the same number space their own sends
only. The outbox sends one conversation's replies in order, one at a time, so one process is the
usual case.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

MAX_IDLE_KEYS = 1024
"""How many keys may be remembered before the ones that no longer delay anything are dropped."""


@dataclass
class _Key:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    """Sends holding or waiting for the lock: a key in use is never forgotten."""
    next_at: float = 0.0
    """The earliest time (the loop's clock) the next send may start."""


class Pacer:
    def __init__(self, interval: float, *, now: Callable[[], float] | None = None):
        self._interval = interval
        self._now = now
        self._keys: dict[Hashable, _Key] = {}
        self._sweep_at = MAX_IDLE_KEYS

    def _time(self) -> float:
        return self._now() if self._now else asyncio.get_running_loop().time()

    @asynccontextmanager
    async def paced(self, key: Hashable) -> AsyncIterator[None]:
        """Wait for the key's turn, run the body holding the key, and start its next interval when the
        body ends."""
        if self._interval <= 0:
            yield
            return
        entry = self._keys.get(key)
        if entry is None:
            if len(self._keys) >= self._sweep_at:
                self._forget_idle()
            entry = self._keys[key] = _Key()
        entry.users += 1
        try:
            async with entry.lock:
                delay = entry.next_at - self._time()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    yield
                finally:
                    # Measured from when this send ended: the next one leaves a full interval after the
                    # bridge answered this one, however long it took.
                    entry.next_at = self._time() + self._interval
        finally:
            entry.users -= 1

    def _forget_idle(self) -> None:
        now = self._time()
        for key in [k for k, entry in self._keys.items() if not entry.users and entry.next_at <= now]:
            del self._keys[key]
        # More keys than that all still pacing (a burst to many customers): sweep again only once the
        # table has doubled, so a burst does not pay for a sweep on every send.
        self._sweep_at = max(MAX_IDLE_KEYS, 2 * len(self._keys))

    def __len__(self) -> int:
        """How many keys are remembered (for tests of the bound)."""
        return len(self._keys)
