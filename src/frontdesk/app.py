"""The composition root: builds adapters from settings and wires them into services.

`Frontdesk` owns the running parts (database, HTTP client, worker pool, outbox dispatcher);
`create_app` puts it behind the HTTP API; `frontdesk worker` runs it without HTTP.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from frontdesk import __version__
from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.adapters.clock import SystemClock
from frontdesk.adapters.db.demo_seed import DEMO_DIR, seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings.cache import CachedEmbedder
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.api.errors import install_error_handlers
from frontdesk.api.routers import health, knowledge, webhooks
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import ChannelSender, Clock, Responder
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.greeting import GreetingResponder
from frontdesk.services.ingest import TURN, IngestService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.retry import Backoff
from frontdesk.services.tenants import TenantService
from frontdesk.services.turns import TurnService
from frontdesk.services.worker import Worker
from frontdesk.settings import Settings

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Overrides:
    """Parts a test or a developer tool swaps in; anything left None is built from settings."""

    responder: Responder | None = None
    clock: Clock | None = None
    sender: ChannelSender | None = None
    embedder: Embedder | None = None


@dataclass(kw_only=True)
class Frontdesk:
    """The running product: its settings, ports and services."""

    settings: Settings
    store: SqlStore
    clock: Clock
    ingest: IngestService
    worker: Worker
    dispatcher: Dispatcher
    tenants: TenantService
    knowledge: KnowledgeService
    embedder: Embedder
    http: httpx.AsyncClient
    _running: bool = field(default=False)

    @classmethod
    async def open(cls, settings: Settings, overrides: Overrides | None = None) -> Frontdesk:
        """Connect to the database, migrate it, seed the demo on first start, and wire the services."""
        overrides = overrides or Overrides()
        store = SqlStore(make_engine(settings.database_url))
        await upgrade(store.engine)
        clock = overrides.clock or SystemClock()
        first_start = settings.demo_seed and await store.is_empty()
        http = httpx.AsyncClient(timeout=settings.whatsapp_timeout_seconds)
        sender = overrides.sender or GraphClient(
            http=http,
            base_url=settings.whatsapp_graph_url,
            api_version=settings.whatsapp_api_version,
            default_token=settings.whatsapp_access_token.get_secret_value(),
        )
        responder = overrides.responder or load_responder(settings.responder)
        embedder = overrides.embedder or shared_embedder()
        frontdesk = cls._wire(settings, store, clock, sender, responder, http, embedder)
        if first_start:
            log.info("demo business loaded", extra={"rows": await frontdesk.seed_demo()})
        return frontdesk

    @classmethod
    def _wire(
        cls,
        s: Settings,
        store: SqlStore,
        clock: Clock,
        sender: ChannelSender,
        responder: Responder,
        http: Any,
        embedder: Embedder,
    ) -> Frontdesk:
        backoff = Backoff(base=s.retry_base_seconds, cap=s.retry_max_seconds)
        dispatcher = Dispatcher(
            outbox=store,
            store=store,
            sender=sender,
            clock=clock,
            concurrency=s.workers,
            lease_seconds=s.job_lease_seconds,
            poll_seconds=s.poll_interval_seconds,
            max_attempts=s.send_max_attempts,
            backoff=backoff,
        )
        turns = TurnService(
            store=store, queue=store, responder=responder, clock=clock, on_reply=dispatcher.pool.wake
        )
        worker = Worker(
            name=f"{socket.gethostname()}:{id(store):x}",
            queue=store,
            handlers={TURN: turns.run},
            clock=clock,
            concurrency=s.workers,
            lease_seconds=s.job_lease_seconds,
            poll_seconds=s.poll_interval_seconds,
            backoff=backoff,
        )
        ingest = IngestService(
            store=store, clock=clock, max_attempts=s.job_max_attempts, on_enqueued=worker.pool.wake
        )
        return cls(
            settings=s,
            store=store,
            clock=clock,
            ingest=ingest,
            worker=worker,
            dispatcher=dispatcher,
            tenants=TenantService(store=store),
            knowledge=_knowledge(s, store, clock, embedder),
            embedder=embedder,
            http=http,
        )

    async def seed_demo(self) -> dict[str, int]:
        """Load the demo business and its knowledge base; how many rows of each kind were new.

        Like the rest of the seed, a knowledge-base file is only added when the tenant has no document
        of that name: running it again changes nothing, and never undoes what staff replaced.
        """
        folder = self.settings.demo_data_dir or DEMO_DIR
        result = await seed_business(self.store, folder=folder, now=self.clock.now())
        tenant = await self.tenants.by_slug("lumen")
        added = await seed_knowledge(self.knowledge, tenant, folder / "kb")
        return result.inserted | ({"kb_documents": added} if added else {})

    def preload_embedder(self) -> None:
        """Load the embedding model in a background thread, so the first search does not wait for it."""
        load = getattr(self.embedder, "load", None)
        if callable(load):
            threading.Thread(target=_load_quietly, args=(load,), name="embedder-load", daemon=True).start()

    def start_workers(self) -> None:
        """Start the turn workers and the outbox dispatcher in this process."""
        self.worker.pool.start()
        self.dispatcher.pool.start()
        self._running = True

    async def close(self) -> None:
        if self._running:
            await self.worker.pool.stop()
            await self.dispatcher.pool.stop()
        self.knowledge.close()
        await self.http.aclose()
        await self.store.dispose()


def _knowledge(s: Settings, store: SqlStore, clock: Clock, embedder: Embedder) -> KnowledgeService:
    return KnowledgeService(
        index=KnowledgeStore(store),
        reader=DocumentExtractor(),
        embedder=embedder,
        clock=clock,
        max_bytes=s.kb_max_bytes,
    )


@functools.cache
def shared_embedder() -> CachedEmbedder:
    """The process's one MiniLM model (however many apps it runs), loaded on first use, with a cache."""
    return CachedEmbedder(MiniLMEmbedder())


def _load_quietly(load: Any) -> None:
    try:
        load()
    except Exception:  # the first search will raise the same error where it can be answered
        log.exception("cannot load the embedding model")


async def seed_knowledge(knowledge: KnowledgeService, tenant: Tenant, folder: Path) -> int:
    """Add the folder's Markdown files the tenant has no document of that name for; how many were added."""
    added = 0
    for name, data in await asyncio.to_thread(_markdown_files, folder):
        if await knowledge.find_document(tenant=tenant, filename=name) is None:
            await knowledge.ingest(tenant=tenant, filename=name, data=data)
            added += 1
    return added


def _markdown_files(folder: Path) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.md"))]


def load_responder(spec: str) -> Responder:
    """The responder named by the `FRONTDESK_RESPONDER` setting: `greeting`, or `package.module:factory`."""
    if spec == "greeting":
        return GreetingResponder()
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"FRONTDESK_RESPONDER: cannot load {spec!r}: {exc}") from exc
    responder: Responder = factory()
    return responder


def create_app(settings: Settings, *, workers: bool = True, overrides: Overrides | None = None) -> FastAPI:
    """The HTTP application. With `workers`, it also runs the turn workers and dispatcher in-process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        frontdesk = await Frontdesk.open(settings, overrides)
        app.state.frontdesk = frontdesk
        frontdesk.preload_embedder()
        if workers:
            frontdesk.start_workers()
        try:
            yield
        finally:
            await frontdesk.close()

    app = FastAPI(
        title="Frontdesk",
        version=__version__,
        summary="Teams of AI agents behind a business's WhatsApp numbers.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(knowledge.router)
    return app
