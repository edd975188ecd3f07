"""Composition of accounts and access: staff accounts, their sessions, the users API, the audit log,
and the operators' tenants.

Part of the composition root (`frontdesk.wiring.container` calls `build_access`). Also the demo owner
the dev-mode seed creates, so `frontdesk serve` can print a login that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from frontdesk.adapters.credentials import Argon2Passwords, JwtTokens
from frontdesk.adapters.db.audit import SqlAuditLog
from frontdesk.adapters.db.invitations import SqlInvitations, SqlLoginFailures
from frontdesk.adapters.db.staff import SqlAccounts
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tenants import SqlTenants
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Role, Staff
from frontdesk.services.accounts import AccountService, AuthPolicy
from frontdesk.services.audit import AuditService
from frontdesk.services.invitations import InvitationService
from frontdesk.services.session_watch import SessionWatch
from frontdesk.services.tenants import TenantAdmin
from frontdesk.services.users import UserService
from frontdesk.settings import Settings

DEMO_OWNER_EMAIL = "owner@lumen.example"
DEMO_OWNER_PASSWORD = "lumen-demo-owner"
"""Only the dev-mode seed creates this account; outside dev no account exists until one is made."""


@dataclass(frozen=True, kw_only=True)
class AccessServices:
    accounts: AccountService
    users: UserService
    invitations: InvitationService
    audit: AuditService
    sessions: SessionWatch
    """The live feed's sockets, closed when their session ends (see `services.session_watch`)."""
    tenants: TenantAdmin
    """What operators do with tenants (create, list, disable); it ends sessions, hence here."""

    async def close(self) -> None:
        await self.sessions.close()


def build_access(s: Settings, *, store: SqlStore, clock: Clock) -> AccessServices:
    """The account, users, invitations and audit services on `store`, with the settings' token lifetimes
    and lockout."""
    accounts = SqlAccounts(store)
    sessions = SessionWatch(accounts=accounts, clock=clock, check_every=s.live_session_check_seconds)
    invitation_store = SqlInvitations(store)
    passwords = Argon2Passwords()
    audit = AuditService(log=SqlAuditLog(store), clock=clock)
    invitations = InvitationService(invitations=invitation_store, accounts=accounts, audit=audit, clock=clock)
    policy = AuthPolicy(
        access_ttl=timedelta(seconds=s.access_token_ttl_seconds),
        refresh_ttl=timedelta(seconds=s.refresh_token_ttl_seconds),
        max_failures=s.login_max_failures,
        lockout=timedelta(seconds=s.login_lockout_seconds),
    )
    return AccessServices(
        accounts=AccountService(
            accounts=accounts,
            failures=SqlLoginFailures(store),
            invitations=invitations,
            passwords=passwords,
            tokens=JwtTokens(s.secret_key.get_secret_value()),
            audit=audit,
            clock=clock,
            policy=policy,
            sessions_changed=sessions.recheck,
        ),
        users=UserService(
            accounts=accounts,
            invitations=invitation_store,
            passwords=passwords,
            audit=audit,
            clock=clock,
            sessions_changed=sessions.recheck,
        ),
        invitations=invitations,
        audit=audit,
        sessions=sessions,
        tenants=TenantAdmin(
            tenants=SqlTenants(store),
            passwords=passwords,
            audit=audit,
            clock=clock,
            sessions_changed=sessions.recheck,
        ),
    )


def command_line_actor(tenant: Tenant) -> Staff:
    """Who the `frontdesk users` commands act as: an owner of the tenant, recorded as `cli`."""
    return Staff(tenant=tenant, user_id=None, email="cli", role=Role.OWNER)


async def seed_demo_owner(access: AccessServices, tenant: Tenant) -> int:
    """Create the demo owner in `tenant` unless the account exists; how many accounts were made."""
    try:
        _, created = await access.users.add(
            command_line_actor(tenant),
            email=DEMO_OWNER_EMAIL,
            name="Demo owner",
            role=Role.OWNER,
            password=DEMO_OWNER_PASSWORD,
        )
    except ConflictError:  # already a member
        return 0
    return int(created)
