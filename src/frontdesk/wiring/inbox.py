"""Composition of the inbox: conversations, contacts, received media and the live-event hub (part of the
composition root).

`frontdesk.wiring.container` calls `build_inbox` with the shared store and the channels (which fetch
received media); the hub's pruner and the retention job (which erases what tenants keep for a limited
time) run beside the workers, and the worker runs the `media` jobs through `InboxServices.media`.
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
from frontdesk.adapters.db.media import SqlMedia
from frontdesk.adapters.db.retention import SqlRetention
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.files.local import LocalFiles
from frontdesk.adapters.files.s3 import S3Files
from frontdesk.domain.files import FileStore
from frontdesk.domain.media import MediaFetcher
from frontdesk.domain.ports import Clock
from frontdesk.services.contacts import ContactService
from frontdesk.services.inbox import InboxService
from frontdesk.services.live import LiveHub
from frontdesk.services.media import MediaService
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
    media: MediaService
    files: FileStore
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


def build_files(s: Settings) -> FileStore:
    """The file store: the S3 bucket when `FRONTDESK_S3_BUCKET` is set (shared by every machine), else
    the local folder (`FRONTDESK_FILES_DIR`)."""
    if s.s3_bucket:
        return S3Files(s.s3_bucket, prefix=s.s3_prefix, region=s.s3_region)
    return LocalFiles(s.files_path())


def build_inbox(
    s: Settings,
    *,
    store: SqlStore,
    clock: Clock,
    wake_dispatcher: Callable[[], None],
    fetcher: MediaFetcher,
    live_written: Callable[[], None] | None = None,
    files: FileStore | None = None,
) -> InboxServices:
    """The inbox services on `store`; staff messages wake the outbox dispatcher; received media is
    fetched through `fetcher` (the channels by kind). `live_written` tells the live hubs that staff wrote
    an event (the bus's `live` topic; default: this process's hub only)."""
    inbox = SqlInbox(store)
    files = files or build_files(s)  # given by `Frontdesk.open`: the knowledge base shares it
    live = LiveHub(
        feed=SqlEventFeed(store),
        clock=clock,
        retention=timedelta(hours=s.live_retention_hours),
        poll_seconds=s.live_poll_seconds,
    )

    changed = live_written or live.wake

    def sent() -> None:
        wake_dispatcher()
        changed()

    return InboxServices(
        conversations=InboxService(
            store=inbox, messages=SqlMessageSearch(store), clock=clock, on_sent=sent, on_change=changed
        ),
        contacts=ContactService(store=inbox, directory=SqlContactDirectory(store), files=files, clock=clock),
        live=live,
        retention=RetentionService(store=SqlRetention(store), files=files, clock=clock),
        media=MediaService(
            store=SqlMedia(store),
            queue=store,
            fetcher=fetcher,
            files=files,
            clock=clock,
            max_bytes=s.media_max_bytes,
            on_recorded=changed,
        ),
        files=files,
    )
