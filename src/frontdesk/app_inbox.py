"""Composition of the inbox: conversations, contacts and the live-event hub (part of the composition root).

`frontdesk.app` calls `build_inbox` with the shared store; the hub's pruner runs beside the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from frontdesk.adapters.db.contact_list import SqlContactDirectory
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.inbox import SqlInbox
from frontdesk.adapters.db.live_events import SqlEventFeed
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.ports import Clock
from frontdesk.services.contacts import ContactService
from frontdesk.services.inbox import InboxService
from frontdesk.services.live import LiveHub
from frontdesk.settings import Settings

PRUNE_EVERY = timedelta(hours=1)


@dataclass(kw_only=True)
class InboxServices:
    conversations: InboxService
    contacts: ContactService
    live: LiveHub
    _pruner: asyncio.Task[None] | None = None

    def start_pruning(self) -> None:
        """Delete live events older than the retention window now and every hour (a worker's chore)."""
        self._pruner = asyncio.create_task(self.live.run_pruner(PRUNE_EVERY), name="live-pruner")

    async def close(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
            self._pruner = None
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
    )
