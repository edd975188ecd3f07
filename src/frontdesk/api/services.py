"""What the HTTP surface needs from the running product, as a protocol.

The composition root (`frontdesk.wiring.Frontdesk`) satisfies it and `frontdesk.http` puts it on
`app.state.services`; routes reach it through the `Annotated` dependencies of `api/deps.py`. So the API
depends on the services it calls, never on how they were built (the container imports the API's
routers through `frontdesk.http`, and an arrow back would make a cycle).
"""

from __future__ import annotations

from typing import Protocol

from starlette.datastructures import State

from frontdesk.adapters.channels.aws_social.sns import SnsVerifier
from frontdesk.adapters.metrics import PrometheusMetrics
from frontdesk.services.accounts import AccountService
from frontdesk.services.audit import AuditService
from frontdesk.services.business_data import BusinessDataService
from frontdesk.services.business_files import BusinessFiles
from frontdesk.services.business_packs import BusinessPacks
from frontdesk.services.channels import ChannelService
from frontdesk.services.contacts import ContactService
from frontdesk.services.dead_letters import DeadLetterService
from frontdesk.services.inbox import InboxService
from frontdesk.services.ingest import IngestService
from frontdesk.services.invitations import InvitationService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.live import LiveHub
from frontdesk.services.media import MediaService
from frontdesk.services.operations import OperationsService
from frontdesk.services.session_watch import SessionWatch
from frontdesk.services.stats import StatsService
from frontdesk.services.team import TeamService
from frontdesk.services.tenant_settings import TenantSettingsService
from frontdesk.services.tenants import TenantAdmin
from frontdesk.services.users import UserService
from frontdesk.settings import Settings


class AdminArea(Protocol):
    @property
    def tenant_settings(self) -> TenantSettingsService: ...
    @property
    def channels(self) -> ChannelService: ...
    @property
    def dead_letters(self) -> DeadLetterService: ...
    @property
    def stats(self) -> StatsService: ...
    @property
    def operations(self) -> OperationsService: ...
    @property
    def metrics(self) -> PrometheusMetrics: ...


class AccessArea(Protocol):
    @property
    def accounts(self) -> AccountService: ...
    @property
    def users(self) -> UserService: ...
    @property
    def invitations(self) -> InvitationService: ...
    @property
    def audit(self) -> AuditService: ...
    @property
    def sessions(self) -> SessionWatch: ...
    @property
    def tenants(self) -> TenantAdmin: ...


class InboxArea(Protocol):
    @property
    def conversations(self) -> InboxService: ...
    @property
    def contacts(self) -> ContactService: ...
    @property
    def media(self) -> MediaService: ...
    @property
    def live(self) -> LiveHub: ...


class TeamArea(Protocol):
    @property
    def service(self) -> TeamService: ...


class BusinessArea(Protocol):
    @property
    def data(self) -> BusinessDataService: ...
    @property
    def files(self) -> BusinessFiles: ...


class Services(Protocol):
    """The running product as the API sees it: settings, and the services of each area."""

    @property
    def settings(self) -> Settings: ...
    @property
    def ingest(self) -> IngestService: ...
    @property
    def knowledge(self) -> KnowledgeService: ...
    @property
    def admin(self) -> AdminArea: ...
    @property
    def access(self) -> AccessArea: ...
    @property
    def inbox(self) -> InboxArea: ...
    @property
    def team(self) -> TeamArea: ...
    @property
    def business(self) -> BusinessArea: ...
    @property
    def business_packs(self) -> BusinessPacks: ...
    @property
    def aws_sns(self) -> SnsVerifier: ...


def services_in(state: State) -> Services:
    """The services an app's state holds (`frontdesk.http` puts them there when the app starts)."""
    services: Services = state.services
    return services
