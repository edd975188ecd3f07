"""The composition root: builds adapters from settings and wires them into services.

`Frontdesk` owns the running parts (database, HTTP client, worker pool, outbox dispatcher);
`create_app` puts it behind the HTTP API; `frontdesk worker` runs it without HTTP.
"""

from __future__ import annotations

import asyncio
import functools
import gc
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
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse
from starlette.types import ASGIApp

from frontdesk import __version__
from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.adapters.clock import SystemClock
from frontdesk.adapters.db.demo_seed import DEMO_DIR, seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.secret_columns import verify_secrets
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings.cache import CachedEmbedder
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.adapters.metrics import PrometheusMetrics
from frontdesk.adapters.secret_box import SecretBox
from frontdesk.api.errors import install_error_handlers
from frontdesk.api.openapi import install_openapi
from frontdesk.api.request_id import RequestIdMiddleware
from frontdesk.api.routers import auth as auth_routes
from frontdesk.api.routers import (
    channels,
    contacts,
    conversations,
    dead_letters,
    health,
    invitations,
    knowledge,
    live,
    ops,
    stats,
    tenant,
    webhooks,
)
from frontdesk.api.routers import team as team_routes
from frontdesk.api.routers import users as users_routes
from frontdesk.api.security import install_http_security
from frontdesk.api.webhook_fast_path import WebhookFastPath
from frontdesk.app_access import AccessServices, build_access, seed_demo_owner
from frontdesk.app_admin import AdminServices, build_admin
from frontdesk.app_inbox import InboxServices, build_inbox
from frontdesk.app_team import TeamServices, build_team
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import ChannelSender, Clock, Responder
from frontdesk.services.accounts import AccountService
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.ingest import TURN, IngestService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.retry import Backoff
from frontdesk.services.tenants import TenantService
from frontdesk.services.turns import TurnService
from frontdesk.services.worker import Worker
from frontdesk.settings import Environment, Settings

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
    turns: TurnService
    dispatcher: Dispatcher
    tenants: TenantService
    knowledge: KnowledgeService
    embedder: Embedder
    http: httpx.AsyncClient
    admin: AdminServices
    access: AccessServices
    inbox: InboxServices
    team: TeamServices
    _running: bool = field(default=False)

    @classmethod
    async def open(cls, settings: Settings, overrides: Overrides | None = None) -> Frontdesk:
        """Connect to the database, migrate it, seed the demo on first start, and wire the services."""
        overrides = overrides or Overrides()
        store = SqlStore(make_engine(settings.database_url), secrets=SecretBox(settings.secret_keys()))
        await upgrade(store.engine)
        await verify_secrets(store)  # a key missing from the list stops the start, naming the setting
        clock = overrides.clock or SystemClock()
        first_start = settings.demo_seed and await store.is_empty()
        http = httpx.AsyncClient(timeout=settings.whatsapp_timeout_seconds)
        sender = overrides.sender or GraphClient(
            http=http,
            base_url=settings.whatsapp_graph_url,
            api_version=settings.whatsapp_api_version,
            default_token=settings.whatsapp_access_token.get_secret_value(),
        )
        embedder = overrides.embedder or shared_embedder()
        knowledge = _knowledge(settings, store, clock, embedder)
        team = build_team(settings, store, knowledge, embedder, clock)
        responder = overrides.responder or load_responder(settings, team)
        frontdesk = cls._wire(settings, store, clock, sender, responder, http, embedder, knowledge, team)
        if first_start:
            log.info("demo business loaded", extra={"rows": await frontdesk.seed_demo()})
        # What start-up built (modules, models, the team, caches) lives as long as the process: out of the
        # collector's sight, a full collection no longer walks it — ~270 ms that stalled every request
        # in flight, once every few thousand webhooks. `close` hands it back.
        gc.freeze()
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
        knowledge: KnowledgeService,
        team: TeamServices,
    ) -> Frontdesk:
        backoff = Backoff(base=s.retry_base_seconds, cap=s.retry_max_seconds)
        metrics = PrometheusMetrics()
        dispatcher = Dispatcher(
            metrics=metrics,
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
            store=store,
            queue=store,
            responder=responder,
            clock=clock,
            on_reply=dispatcher.pool.wake,
            metrics=metrics,
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
            turns=turns,
            dispatcher=dispatcher,
            tenants=TenantService(store=store),
            knowledge=knowledge,
            embedder=embedder,
            http=http,
            access=build_access(s, store=store, clock=clock),
            inbox=build_inbox(s, store=store, clock=clock, wake_dispatcher=dispatcher.pool.wake),
            team=team,
            admin=build_admin(
                s,
                store=store,
                clock=clock,
                http=http,
                metrics=metrics,
                workers_alive=lambda: worker.pool.alive and dispatcher.pool.alive,
                wake_workers=worker.pool.wake,
                wake_dispatcher=dispatcher.pool.wake,
            ),
        )

    @property
    def accounts(self) -> AccountService:
        """Staff sign-in and sessions (`access.accounts`)."""
        return self.access.accounts

    async def seed_demo(self) -> dict[str, int]:
        """Load the demo business and its knowledge base; how many rows of each kind were new.

        Like the rest of the seed, a knowledge-base file is only added when the tenant has no document
        of that name: running it again changes nothing, and never undoes what staff replaced.
        """
        folder = self.settings.demo_data_dir or DEMO_DIR
        result = await seed_business(self.store, folder=folder, now=self.clock.now())
        tenant = await self.tenants.by_slug("lumen")
        added = await seed_knowledge(self.knowledge, tenant, folder / "kb")
        owner = await seed_demo_owner(self.access, tenant) if self.settings.env is Environment.DEV else 0
        return (
            result.inserted
            | ({"kb_documents": added} if added else {})
            | ({"staff_users": owner} if owner else {})
        )

    def preload_embedder(self) -> None:
        """Load the embedding model in a background thread, so the first search does not wait for it."""
        load = getattr(self.embedder, "load", None)
        if callable(load):
            threading.Thread(target=_load_quietly, args=(load,), name="embedder-load", daemon=True).start()

    def start_workers(self) -> None:
        """Start the turn workers and the outbox dispatcher in this process."""
        self.worker.pool.start()
        self.dispatcher.pool.start()
        self.inbox.start_pruning()
        self._running = True

    async def close(self) -> None:
        if self._running:
            await self.worker.pool.stop()
            await self.dispatcher.pool.stop()
        await self.inbox.close()
        await self.access.close()
        self.knowledge.close()
        await self.http.aclose()
        await self.store.dispose()
        gc.unfreeze()


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


def load_responder(s: Settings, team: TeamServices) -> Responder:
    """The responder the `FRONTDESK_RESPONDER` setting names: `team`, or `package.module:factory`."""
    if s.responder == "team":
        return team.responders
    module_name, _, attr = s.responder.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"FRONTDESK_RESPONDER: cannot load {s.responder!r}: {exc}") from exc
    responder: Responder = factory()
    return responder


class FrontdeskAPI(FastAPI):
    """FastAPI with the WhatsApp webhook's fast path in front of its whole middleware stack."""

    def build_middleware_stack(self) -> ASGIApp:
        return WebhookFastPath(super().build_middleware_stack())


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

    app = FrontdeskAPI(
        title="Frontdesk",
        version=__version__,
        summary="Teams of AI agents behind a business's WhatsApp numbers.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_openapi(app)
    install_http_security(app, settings)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(ops.router)
    app.include_router(webhooks.router)
    app.include_router(knowledge.router)
    app.include_router(auth_routes.router)
    app.include_router(users_routes.router)
    app.include_router(invitations.router)
    for admin_router in (
        tenant.router,
        channels.router,
        dead_letters.router,
        stats.router,
        team_routes.router,
    ):
        app.include_router(admin_router)
    for inbox_router in (conversations.router, conversations.search_router, contacts.router, live.router):
        app.include_router(inbox_router)
    install_web_app(app)
    return app


WEB_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
"""The admin web app's built files (`cd frontend && npm run build`; `make run` builds them)."""

_NOT_WEB = ("/api/", "/webhooks/", "/_dev/", "/docs", "/redoc", "/openapi.json")
_NOT_BUILT = (
    "<!doctype html><title>Frontdesk</title><h1>Frontdesk is running</h1><p>The admin web app is not "
    "built: run <code>make run</code>, or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>"
    ', then reload. The API is here: <a href="/docs">/docs</a>.</p>'
)


def install_web_app(app: FastAPI, folder: Path = WEB_DIST) -> None:
    """Serve the web app at `/`: a built file by its path, else `index.html` (the app routes itself).

    It answers only what no route or mount matched (as a 404 handler), so it never shadows the API or
    a dev tool mounted later; a page says how to build the app when `folder` has no `index.html`."""
    root = folder.resolve()

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if request.method not in ("GET", "HEAD") or path.startswith(_NOT_WEB):
            return await http_exception_handler(request, exc)  # type: ignore[arg-type]
        file = (root / path.lstrip("/")).resolve()
        if path != "/" and file.is_relative_to(root) and file.is_file():
            immutable = file.parent.name == "assets"  # hashed names: cache them for good
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(file, headers={"cache-control": cache})
        if (root / "index.html").is_file():
            return FileResponse(root / "index.html", headers={"cache-control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)

    app.add_exception_handler(404, not_found)
