"""The composition root: builds adapters from settings and wires them into services.

`Frontdesk` owns the running parts (database, HTTP client, worker pool, outbox dispatcher, the bus that
wakes them and the live hub in every process);
`frontdesk.http.create_app` puts it behind the HTTP API; `frontdesk worker` runs it without HTTP.
Each area's services are built by its own module beside this one (`access`, `admin`, `inbox`,
`knowledge`, `team`).
"""

from __future__ import annotations

import gc
import importlib
import logging
import socket
from dataclasses import dataclass, field

import httpx

from frontdesk.adapters.channels.aws_social.sns import SnsVerifier
from frontdesk.adapters.channels.by_kind import ChannelsByKind
from frontdesk.adapters.channels.wa_bridge.client import BridgeClient
from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.adapters.clock import SystemClock
from frontdesk.adapters.db.demo_seed import DEMO_DIR, seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.secret_columns import verify_secrets
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.metrics import PrometheusMetrics
from frontdesk.adapters.secret_box import SecretBox
from frontdesk.domain.bus import JOBS, LIVE, OUTBOX, Bus
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.files import FileStore
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.ports import ChannelSender, Clock, Responder
from frontdesk.services.accounts import AccountService
from frontdesk.services.business_packs import BusinessPacks
from frontdesk.services.dispatcher import Dispatcher
from frontdesk.services.ingest import MEDIA, TURN, IngestService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.retry import Backoff
from frontdesk.services.tenants import TenantService
from frontdesk.services.turns import TurnService
from frontdesk.services.worker import Worker
from frontdesk.settings import Environment, Settings
from frontdesk.wiring.access import AccessServices, build_access, seed_demo_owner
from frontdesk.wiring.admin import AdminServices, build_admin
from frontdesk.wiring.bus import build_bus, connect_bus, publisher, team_saved
from frontdesk.wiring.business import BusinessServices, build_business
from frontdesk.wiring.business_packs import build_business_packs
from frontdesk.wiring.channels import build_bridge, build_channels, build_sns
from frontdesk.wiring.inbox import InboxServices, build_files, build_inbox
from frontdesk.wiring.knowledge import build_knowledge, preload, seed_knowledge, shared_embedder
from frontdesk.wiring.team import TeamServices, build_team, seed_team

log = logging.getLogger(__name__)


@dataclass(kw_only=True)
class Overrides:
    """Parts a test or a developer tool swaps in; anything left None is built from settings."""

    responder: Responder | None = None
    clock: Clock | None = None
    sender: ChannelSender | None = None
    embedder: Embedder | None = None


@dataclass(frozen=True, kw_only=True)
class _Parts:
    """What `open` builds once and several areas share."""

    http: httpx.AsyncClient
    graph: GraphClient
    channels: ChannelsByKind
    sender: ChannelSender
    embedder: Embedder
    sns: SnsVerifier
    bridge: BridgeClient | None
    """The zapw bridge (`FRONTDESK_BRIDGE_URL`), also the channel service's `BridgeSessions`; None without."""
    bus: Bus
    files: FileStore
    """The folder or bucket of media and knowledge originals: one client for both."""


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
    business: BusinessServices
    business_packs: BusinessPacks
    aws_sns: SnsVerifier
    """What `POST /webhooks/aws` checks SNS deliveries with (and its certificate cache)."""
    channels: ChannelsByKind
    """Every kind's adapter (sends, tests, media), closed with the server."""
    bus: Bus
    """Wakes workers, dispatchers and live hubs and drops stale caches, in every process (`wiring.bus`)."""
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
        graph = GraphClient(  # one client: it sends the replies and tests the channels' connections
            http=http,
            base_url=settings.whatsapp_graph_url,
            api_version=settings.whatsapp_api_version,
            default_token=settings.whatsapp_access_token.get_secret_value(),
        )
        embedder = overrides.embedder or shared_embedder()
        files = build_files(settings)
        knowledge = build_knowledge(settings, store=store, clock=clock, embedder=embedder, files=files)
        bus = build_bus(settings)
        team = build_team(settings, store, knowledge, embedder, clock, on_saved=team_saved(bus))
        responder = overrides.responder or load_responder(settings, team)
        bridge = build_bridge(settings, http=http)
        channels = build_channels(settings, graph=graph, bridge=bridge)
        parts = _Parts(
            http=http,
            graph=graph,
            channels=channels,
            sender=overrides.sender or channels,
            embedder=embedder,
            sns=build_sns(settings, http=http),
            bridge=bridge,
            bus=bus,
            files=files,
        )
        frontdesk = cls._wire(settings, store, clock, responder, parts, knowledge, team)
        await bus.start()  # listens in the background: an unreachable server is retried, never fatal
        try:
            if first_start:
                log.info("demo business loaded", extra={"rows": await frontdesk.seed_demo()})
        except BaseException:
            await bus.close()  # else its listener task outlives the failed start
            raise
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
        responder: Responder,
        parts: _Parts,
        knowledge: KnowledgeService,
        team: TeamServices,
    ) -> Frontdesk:
        backoff = Backoff(base=s.retry_base_seconds, cap=s.retry_max_seconds)
        metrics = PrometheusMetrics()
        dispatcher = Dispatcher(
            metrics=metrics,
            outbox=store,
            sender=parts.sender,
            clock=clock,
            concurrency=s.workers,
            lease_seconds=s.job_lease_seconds,
            poll_seconds=s.poll_interval_seconds,
            max_attempts=s.send_max_attempts,
            backoff=backoff,
            send_timeout_seconds=s.whatsapp_timeout_seconds,
            on_outcome=publisher(parts.bus, LIVE),
        )
        turns = TurnService(
            store=store,
            queue=store,
            responder=responder,
            clock=clock,
            on_reply=publisher(parts.bus, OUTBOX),
            metrics=metrics,
            on_live=publisher(parts.bus, LIVE),
        )
        inbox = build_inbox(
            s,
            store=store,
            clock=clock,
            wake_dispatcher=publisher(parts.bus, OUTBOX),
            fetcher=parts.channels,
            live_written=publisher(parts.bus, LIVE),
            files=parts.files,
        )
        worker = Worker(
            name=f"{socket.gethostname()}:{id(store):x}",
            queue=store,
            handlers={TURN: turns.run, MEDIA: inbox.media.run},
            clock=clock,
            concurrency=s.workers,
            lease_seconds=s.job_lease_seconds,
            poll_seconds=s.poll_interval_seconds,
            backoff=backoff,
        )
        ingest = IngestService(
            store=store,
            clock=clock,
            max_attempts=s.job_max_attempts,
            on_enqueued=publisher(parts.bus, JOBS),
            on_live=publisher(parts.bus, LIVE),
        )
        connect_bus(
            parts.bus,
            wake_workers=worker.pool.wake,
            wake_dispatcher=dispatcher.pool.wake,
            live=inbox.live,
            responders=team.responders,
        )
        packs = build_business_packs(store=store, knowledge=knowledge, team=team.service, clock=clock)
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
            embedder=parts.embedder,
            http=parts.http,
            access=build_access(s, store=store, clock=clock),
            inbox=inbox,
            business=build_business(store=store, clock=clock, packs=packs),
            business_packs=packs,
            aws_sns=parts.sns,
            channels=parts.channels,
            bus=parts.bus,
            team=team,
            admin=build_admin(
                s,
                store=store,
                clock=clock,
                probe=parts.channels,
                bridge=parts.bridge,
                metrics=metrics,
                workers_alive=lambda: worker.pool.alive and dispatcher.pool.alive,
                wake_workers=publisher(parts.bus, JOBS),
                wake_dispatcher=publisher(parts.bus, OUTBOX),
                live_written=publisher(parts.bus, LIVE),
            ),
        )

    @property
    def accounts(self) -> AccountService:
        """Staff sign-in and sessions (`access.accounts`)."""
        return self.access.accounts

    async def seed_demo(self) -> dict[str, int]:
        """Load the demo business, its knowledge base and its own team; how many rows of each kind were new.

        Like the rest of the seed, a knowledge-base file is only added when the tenant has no document
        of that name: running it again changes nothing, and never undoes what staff replaced.
        """
        folder = self.settings.demo_data_dir or DEMO_DIR
        result = await seed_business(self.store, folder=folder, now=self.clock.now())
        tenant = await self.tenants.by_slug("lumen")
        added = await seed_knowledge(self.knowledge, tenant, folder / "kb")
        team = await seed_team(self.team.service, tenant, folder / "team.yaml")
        owner = await seed_demo_owner(self.access, tenant) if self.settings.env is Environment.DEV else 0
        return (
            result.inserted
            | ({"kb_documents": added} if added else {})
            | ({"team_versions": team} if team else {})
            | ({"staff_users": owner} if owner else {})
        )

    def preload_embedder(self) -> None:
        """Load the embedding model in a background thread, so the first search does not wait for it."""
        preload(self.embedder)

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
        # After the pools: a turn finishing while they stop still publishes its wake-ups and live events.
        await self.bus.close()
        await self.inbox.close()
        await self.access.close()
        self.knowledge.close()
        self.channels.close()
        await self.http.aclose()
        await self.store.dispose()
        gc.unfreeze()


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
