"""Composition of the admin API's services (tenant settings, channels, dead letters, stats, operations).

Part of the composition root (`frontdesk.wiring.container` calls `build_admin`): it builds the adapters
these services need from the shared store, the channel adapters and settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from frontdesk.adapters.channels.by_kind import ChannelsByKind
from frontdesk.adapters.db.admin import SqlAdminStore
from frontdesk.adapters.db.ops import SqlOpsProbe
from frontdesk.adapters.db.stats import SqlStats
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.team_versions import SqlTeamStore
from frontdesk.adapters.embeddings.minilm import MiniLMFiles
from frontdesk.adapters.metrics import PrometheusMetrics
from frontdesk.domain.admin import BridgeSessions
from frontdesk.domain.ports import Clock
from frontdesk.services.channels import ChannelService
from frontdesk.services.dead_letters import DeadLetterService
from frontdesk.services.operations import OperationsService
from frontdesk.services.stats import StatsService
from frontdesk.services.tenant_settings import TenantSettingsService
from frontdesk.settings import Settings


@dataclass(frozen=True, kw_only=True)
class AdminServices:
    tenant_settings: TenantSettingsService
    channels: ChannelService
    dead_letters: DeadLetterService
    stats: StatsService
    operations: OperationsService
    metrics: PrometheusMetrics


def build_admin(
    s: Settings,
    *,
    store: SqlStore,
    clock: Clock,
    probe: ChannelsByKind,
    bridge: BridgeSessions | None,
    metrics: PrometheusMetrics,
    workers_alive: Callable[[], bool],
    wake_workers: Callable[[], None],
    wake_dispatcher: Callable[[], None],
    live_written: Callable[[], None] | None = None,
) -> AdminServices:
    """The admin services on `store`; "test connection" asks each number's provider through `probe`, and
    bridge numbers' sessions are started and ended through `bridge` (None: no bridge on this server)."""
    admin = SqlAdminStore(store)
    return AdminServices(
        tenant_settings=TenantSettingsService(store=admin, clock=clock),
        channels=ChannelService(
            store=admin,
            probe=probe,
            clock=clock,
            teams=SqlTeamStore(store),
            bridge=bridge,
            on_change=live_written,  # a channel's status: every process's live feed
        ),
        dead_letters=DeadLetterService(
            store=admin, clock=clock, wake_workers=wake_workers, wake_dispatcher=wake_dispatcher
        ),
        stats=StatsService(reader=SqlStats(store), clock=clock),
        operations=OperationsService(
            probe=SqlOpsProbe(store, clock),
            embeddings=MiniLMFiles(),
            workers_alive=workers_alive,
            stall_seconds=s.readyz_stall_seconds,
        ),
        metrics=metrics,
    )
