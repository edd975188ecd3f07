"""The bus: tells every process that something was written, so it acts now instead of at its next poll.

A message is a hint, never the data: the database stays the truth, and every reader still polls it now
and then (the safety net), so a lost message costs at most one poll interval, never a turn or a reply.
Messages are published after the transaction that wrote the data committed (a reader woken early would
find nothing), and they are delivered to this process's subscribers at once and to other processes'
through the adapter (Redis pub/sub, PostgreSQL LISTEN/NOTIFY; in-process only on SQLite).

Topics (each a short payload, never a phone number or message text):

- `jobs`: a turn or media job was queued: idle workers claim now.
- `outbox`: a reply was queued: the outbox dispatchers send now.
- `live`: a live event was written: the live hubs read the events table now.
- `cache`: a cached entry is stale: `team:<tenant id>` (a team version was saved).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

JOBS = "jobs"
OUTBOX = "outbox"
LIVE = "live"
CACHE = "cache"
TOPICS = (JOBS, OUTBOX, LIVE, CACHE)

TEAM_CACHE = "team:"
"""`cache` payload prefix: `team:<tenant id>` drops that tenant's current team (checked again next turn)."""

Handler = Callable[[str], None]
"""Called with a message's payload, on the event loop; it must not block (wake something up, drop an
entry)."""


class Bus(Protocol):
    """Publish hints to every process; subscribe to them. Never raises into the caller."""

    def publish(self, topic: str, payload: str = "") -> None:
        """Tell every subscriber of `topic` (here at once, elsewhere soon); returns without waiting."""
        ...

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Call `handler(payload)` for each message on `topic`, whichever process published it."""
        ...

    async def start(self) -> None:
        """Start listening to other processes (in the background: an unreachable server is retried)."""
        ...

    async def close(self) -> None: ...

    @property
    def connected(self) -> bool:
        """Whether other processes' messages reach this one now (always True for the in-process bus)."""
        ...
