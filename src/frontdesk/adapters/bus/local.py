"""`LocalBus`: the bus inside one process (SQLite without Redis, and the local half of every other bus).

A message reaches this process's subscribers at once, synchronously: what one process did before the
bus existed (a webhook's job woke the workers of its own process).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from frontdesk.domain.bus import Handler

log = logging.getLogger(__name__)


class LocalBus:
    """Subscribers by topic; `publish` calls them now. A failing subscriber is logged, never raised."""

    def __init__(self) -> None:
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    @property
    def connected(self) -> bool:
        return True

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._handlers[topic].append(handler)

    def publish(self, topic: str, payload: str = "") -> None:
        self.deliver(topic, payload)

    def deliver(self, topic: str, payload: str) -> None:
        """Hand a message to this process's subscribers of `topic`."""
        for handler in self._handlers.get(topic, ()):
            try:
                handler(payload)
            except Exception:  # a hint's subscriber must never fail the publisher (a request, a turn)
                log.exception("bus: a subscriber of %r failed", topic)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None
