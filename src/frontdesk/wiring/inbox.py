"""Composition of the inbox: conversations, contacts and the live-event hub (part of the composition root).

`frontdesk.wiring.container` calls `build_inbox` with the shared store; the hub's pruner and the
retention job (which erases what tenants keep for a limited time) run beside the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from frontdesk.adapters.db.contact_list import SqlContactDirectory
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.inbox import SqlInbox
from frontdesk.adapters.db.live_events import SqlEventFeed
from frontdesk.adapters.db.retention import SqlRetention
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.ports import Clock
from frontdesk.services.contacts import ContactService
from frontdesk.services.inbox import InboxService
from frontdesk.services.live import LiveHub
from frontdesk.services.retention import RetentionService
from frontdesk.settings import Settings

PRUNE_EVERY = timedelta(hours=1)
ERASE_EVERY = timedelta(hours=1)


@dataclass(kw_only=True)
class InboxServices:
    conversations: InboxService
    contacts: ContactService
    live: LiveHub
    retention: RetentionService
    _chores: list[asyncio.Task[None]] = field(default_factory=list)

    def start_pruning(self) -> None:
        """Now and every hour (a worker's chores): delete live events older than their window, and erase
        messages older than their tenant's retention period."""
        self._chores = [
            asyncio.create_task(self.live.run_pruner(PRUNE_EVERY), name="live-pruner"),
            asyncio.create_task(self.retention.run(ERASE_EVERY), name="retention"),
        ]

    async def close(self) -> None:
        for task in self._chores:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._chores = []
        await self.live.close()


def build_inbox(
    s: Settings, *, store: SqlStore, clock: Clock, wake_dispatcher: Callable[[], None]
) -> InboxServices:
    """The inbox services on `store`; staff messages wake the outbox dispatcher."""
    inbox = SqlInbox(store)
    live = LiveHub(
        feed=SqlEventFeed(store),
        clock=clock,
        retention=timedelta(hours=s.live_retention_hours),
        poll_seconds=s.live_poll_seconds,
    )

    def sent() -> None:
        wake_dispatcher()
        live.wake()

    return InboxServices(
        conversations=InboxService(
            store=inbox, messages=SqlMessageSearch(store), clock=clock, on_sent=sent, on_change=live.wake
        ),
        contacts=ContactService(store=inbox, directory=SqlContactDirectory(store), clock=clock),
        live=live,
        retention=RetentionService(store=SqlRetention(store), clock=clock),
    )
