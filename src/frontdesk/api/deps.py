"""Dependencies as `Annotated` aliases, resolved from the services on `app.state` (`api/services.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from frontdesk.adapters.channels.aws_social.sns import SnsVerifier
from frontdesk.api.services import Services, services_in
from frontdesk.domain.ops import Metrics
from frontdesk.services.accounts import AccountService
from frontdesk.services.audit import AuditService
from frontdesk.services.business_data import BusinessDataService
from frontdesk.services.business_files import BusinessFiles
from frontdesk.services.channels import ChannelService
from frontdesk.services.contacts import ContactService
from frontdesk.services.dead_letters import DeadLetterService
from frontdesk.services.inbox import InboxService
from frontdesk.services.ingest import IngestService
from frontdesk.services.invitations import InvitationService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.media import MediaService
from frontdesk.services.operations import OperationsService
from frontdesk.services.stats import StatsService
from frontdesk.services.tenant_settings import TenantSettingsService
from frontdesk.services.tenants import TenantAdmin
from frontdesk.services.users import UserService
from frontdesk.settings import Settings

# Dependencies are `async def` on purpose: FastAPI runs plain `def` dependencies in a thread pool,
# which cost a thread hop per dependency on every webhook (measured in bench/webhooks.py).


def services_of(request: Request) -> Services:
    """The running product's services, for code that cannot await (route classes, middleware)."""
    return services_in(request.app.state)


async def get_settings(request: Request) -> Settings:
    return services_of(request).settings


async def get_ingest(request: Request) -> IngestService:
    return services_of(request).ingest


async def get_knowledge(request: Request) -> KnowledgeService:
    return services_of(request).knowledge


async def get_aws_sns(request: Request) -> SnsVerifier:
    return services_of(request).aws_sns


SettingsDep = Annotated[Settings, Depends(get_settings)]
AwsSnsDep = Annotated[SnsVerifier, Depends(get_aws_sns)]
IngestDep = Annotated[IngestService, Depends(get_ingest)]
KnowledgeDep = Annotated[KnowledgeService, Depends(get_knowledge)]


# -- the admin services (tenant settings, channels, dead letters, stats, operations)


async def get_tenant_settings(request: Request) -> TenantSettingsService:
    return services_of(request).admin.tenant_settings


async def get_channels(request: Request) -> ChannelService:
    return services_of(request).admin.channels


async def get_dead_letters(request: Request) -> DeadLetterService:
    return services_of(request).admin.dead_letters


async def get_stats(request: Request) -> StatsService:
    return services_of(request).admin.stats


async def get_operations(request: Request) -> OperationsService:
    return services_of(request).admin.operations


async def get_metrics(request: Request) -> Metrics:
    return services_of(request).admin.metrics


TenantSettingsDep = Annotated[TenantSettingsService, Depends(get_tenant_settings)]
ChannelsDep = Annotated[ChannelService, Depends(get_channels)]
DeadLettersDep = Annotated[DeadLetterService, Depends(get_dead_letters)]
StatsDep = Annotated[StatsService, Depends(get_stats)]
OperationsDep = Annotated[OperationsService, Depends(get_operations)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]


# -- staff accounts and the audit log


async def get_accounts(request: Request) -> AccountService:
    return services_of(request).access.accounts


async def get_users(request: Request) -> UserService:
    return services_of(request).access.users


async def get_audit(request: Request) -> AuditService:
    return services_of(request).access.audit


async def get_invitations(request: Request) -> InvitationService:
    return services_of(request).access.invitations


async def get_tenant_admin(request: Request) -> TenantAdmin:
    return services_of(request).access.tenants


AccountsDep = Annotated[AccountService, Depends(get_accounts)]
UsersDep = Annotated[UserService, Depends(get_users)]
AuditDep = Annotated[AuditService, Depends(get_audit)]
InvitationsDep = Annotated[InvitationService, Depends(get_invitations)]
TenantAdminDep = Annotated[TenantAdmin, Depends(get_tenant_admin)]


# -- the inbox: conversations, contacts, live events


async def get_inbox(request: Request) -> InboxService:
    return services_of(request).inbox.conversations


async def get_contacts(request: Request) -> ContactService:
    return services_of(request).inbox.contacts


async def get_media(request: Request) -> MediaService:
    return services_of(request).inbox.media


InboxDep = Annotated[InboxService, Depends(get_inbox)]
ContactsDep = Annotated[ContactService, Depends(get_contacts)]
MediaDep = Annotated[MediaService, Depends(get_media)]


# -- the business's own data


async def get_business_data(request: Request) -> BusinessDataService:
    return services_of(request).business.data


async def get_business_files(request: Request) -> BusinessFiles:
    return services_of(request).business.files


BusinessDataDep = Annotated[BusinessDataService, Depends(get_business_data)]
BusinessFilesDep = Annotated[BusinessFiles, Depends(get_business_files)]
