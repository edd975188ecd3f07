"""`AccountService` and `UserService` on the real account tables (SQLite and PostgreSQL), with a fake
clock (expiry without sleeping) and a fast fake password hasher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from frontdesk.adapters.credentials import JwtTokens
from frontdesk.adapters.db.audit import SqlAuditLog
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.invitations import SqlInvitations, SqlLoginFailures
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.staff import SqlAccounts
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import audit_log, tenants
from frontdesk.domain.errors import ConflictError, InvalidInputError, NotFoundError
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import (
    AccountLockedError,
    AuthenticationError,
    PermissionDeniedError,
    Role,
    Staff,
    TenantChoiceError,
)
from frontdesk.services.accounts import AccountService, AuthPolicy, Client, Login
from frontdesk.services.audit import AuditService
from frontdesk.services.invitations import InvitationService
from frontdesk.services.users import UserService
from tests.unit.conftest import FakeClock

PASSWORD = "right-password"
CLIENT = Client(ip="203.0.113.9", user_agent="pytest")


class FakePasswords:
    """Reversible "hashing": fast, and enough to test everything but argon2 itself."""

    async def hash(self, password: str) -> str:
        return "plain:" + password

    async def verify(self, password: str, password_hash: str) -> bool:
        return password_hash == "plain:" + password


@dataclass
class World:
    store: SqlStore
    clock: FakeClock
    accounts: AccountService
    users: UserService
    lumen: Tenant
    other: Tenant

    def owner(self, tenant: Tenant | None = None) -> Staff:
        return Staff(tenant=tenant or self.lumen, user_id=None, email="cli", role=Role.OWNER)

    async def actions(self) -> list[str]:
        async with self.store.read() as conn:
            return [r.action for r in await conn.execute(select(audit_log).order_by(audit_log.c.id))]


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    store = SqlStore(make_engine(database_url))
    await upgrade(store.engine)
    clock = FakeClock()
    found = []
    async with store.begin() as conn:
        for slug in ("lumen", "other"):
            row = {"slug": slug, "name": slug.title(), "timezone": "UTC", "currency": "GBP", "profile": {}}
            result = await conn.execute(
                insert(tenants).values(**row, created_at=clock.now()).returning(tenants.c.id)
            )
            found.append(Tenant(id=result.scalar_one(), slug=slug, name=slug.title()))
    accounts = SqlAccounts(store)
    invitations = SqlInvitations(store)
    audit = AuditService(log=SqlAuditLog(store), clock=clock)
    policy = AuthPolicy(
        access_ttl=timedelta(minutes=15),
        refresh_ttl=timedelta(days=1),
        max_failures=5,
        lockout=timedelta(minutes=10),
    )
    service = AccountService(
        accounts=accounts,
        failures=SqlLoginFailures(store),
        invitations=InvitationService(invitations=invitations, accounts=accounts, audit=audit, clock=clock),
        passwords=FakePasswords(),
        tokens=JwtTokens("k" * 32),
        audit=audit,
        clock=clock,
        policy=policy,
    )
    users = UserService(
        accounts=accounts, invitations=invitations, passwords=FakePasswords(), audit=audit, clock=clock
    )
    yield World(store=store, clock=clock, accounts=service, users=users, lumen=found[0], other=found[1])
    await store.dispose()


async def _add(world: World, email: str, role: Role = Role.AGENT, tenant: Tenant | None = None) -> int:
    member, _ = await world.users.add(world.owner(tenant), email=email, name="", role=role, password=PASSWORD)
    return member.user_id


async def _login(world: World, email: str, password: str = PASSWORD, tenant: str | None = None) -> Login:
    return await world.accounts.login(email=email, password=password, tenant=tenant, client=CLIENT)


async def test_login_gives_tokens_that_authenticate_until_they_expire(world: World) -> None:
    user_id = await _add(world, "Sam@Lumen.example", Role.ADMIN)
    login = await world.accounts.login(
        email=" sam@lumen.EXAMPLE ", password=PASSWORD, tenant=None, client=CLIENT
    )
    staff = await world.accounts.authenticate(login.access_token)
    assert (staff.user_id, staff.email, staff.role, staff.tenant.slug) == (
        user_id,
        "sam@lumen.example",
        Role.ADMIN,
        "lumen",
    )
    world.clock.advance(minutes=14, seconds=59)
    await world.accounts.authenticate(login.access_token)
    world.clock.advance(seconds=1)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(login.access_token)
    renewed = await world.accounts.refresh(login.refresh_token)  # the session itself lives on
    assert (await world.accounts.authenticate(renewed.access_token)).user_id == user_id
    world.clock.advance(days=1, seconds=1)  # past the refresh lifetime (counted from the last refresh)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(renewed.refresh_token)


async def test_tampered_or_foreign_tokens_are_refused(world: World) -> None:
    await _add(world, "sam@lumen.example")
    login = await world.accounts.login(
        email="sam@lumen.example", password=PASSWORD, tenant=None, client=CLIENT
    )
    head, body, signature = login.access_token.split(".")
    for token in (f"{head}.{body}.{signature[::-1]}", "not-a-jwt", "", f"{head}.{body}."):
        with pytest.raises(AuthenticationError):
            await world.accounts.authenticate(token)
    claims = JwtTokens("k" * 32).read(login.access_token)
    assert claims is not None
    forged = JwtTokens("another-key-entirely-32-bytes-long").issue(claims, now=world.clock.now())
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(forged)


async def test_five_failures_lock_for_a_while_and_unknown_emails_behave_the_same(world: World) -> None:
    await _add(world, "sam@lumen.example")
    for email in ("sam@lumen.example", "nobody@lumen.example"):
        for _ in range(4):
            with pytest.raises(AuthenticationError, match="wrong e-mail or password"):
                await _login(world, email, "wrong-password")
        with pytest.raises(AccountLockedError):
            await _login(world, email, "wrong-password")
        with pytest.raises(AccountLockedError):  # even with the right password
            await _login(world, email, PASSWORD)
    world.clock.advance(minutes=10, seconds=1)
    assert (await _login(world, "sam@lumen.example")).staff.email == "sam@lumen.example"
    with pytest.raises(AuthenticationError):  # unlocked too, and still unknown
        await _login(world, "nobody@lumen.example", PASSWORD)
    actions = await world.actions()
    assert actions.count("login.lockout") == 2 and actions.count("login.locked") == 2
    assert "login.succeeded" in actions


async def test_a_success_resets_the_failure_count(world: World) -> None:
    await _add(world, "sam@lumen.example")
    for _ in range(3):
        for _ in range(4):
            with pytest.raises(AuthenticationError):
                await _login(world, "sam@lumen.example", "wrong-password")
        await _login(world, "sam@lumen.example")


async def test_a_rotated_refresh_token_replayed_ends_the_session(world: World) -> None:
    await _add(world, "sam@lumen.example")
    first = await _login(world, "sam@lumen.example")
    second = await world.accounts.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(first.refresh_token)
    with pytest.raises(AuthenticationError):  # the thief's replay signed the session out for everyone
        await world.accounts.refresh(second.refresh_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(second.access_token)
    assert "session.replayed" in await world.actions()


async def test_logout_and_password_change_revoke_sessions(world: World) -> None:
    await _add(world, "sam@lumen.example")
    here = await _login(world, "sam@lumen.example")
    there = await _login(world, "sam@lumen.example")
    me = await world.accounts.authenticate(here.access_token)
    with pytest.raises(InvalidInputError, match="current password"):
        await world.accounts.change_password(me, current="nope", new="a-new-password")
    with pytest.raises(InvalidInputError, match="characters"):
        await world.accounts.change_password(me, current=PASSWORD, new="short")
    assert await world.accounts.change_password(me, current=PASSWORD, new="a-new-password") == 1
    await world.accounts.authenticate(here.access_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(there.access_token)
    with pytest.raises(AuthenticationError):
        await _login(world, "sam@lumen.example", PASSWORD)
    await world.accounts.logout(me)
    with pytest.raises(AuthenticationError):
        await world.accounts.authenticate(here.access_token)
    with pytest.raises(AuthenticationError):
        await world.accounts.refresh(here.refresh_token)
    assert (await _login(world, "sam@lumen.example", "a-new-password")).staff.role is Role.AGENT


async def test_an_account_in_two_tenants_chooses_one(world: World) -> None:
    await _add(world, "sam@lumen.example", Role.ADMIN)
    member, created = await world.users.add(
        world.owner(world.other),
        email="SAM@lumen.example",
        name="",
        role=Role.VIEWER,
        password="ignored-password",
    )
    assert not created and member.role is Role.VIEWER
    with pytest.raises(TenantChoiceError) as choice:
        await _login(world, "sam@lumen.example")
    assert choice.value.slugs == ["lumen", "other"]
    assert [t.slug for t in choice.value.tenants] == ["lumen", "other"]
    there = await _login(world, "sam@lumen.example", tenant="other")
    assert there.staff.tenant.slug == "other" and there.staff.role is Role.VIEWER
    with pytest.raises(AuthenticationError):
        await _login(world, "sam@lumen.example", tenant="nowhere")


async def test_staff_management_rules(world: World) -> None:
    owner_id = await _add(world, "olive@lumen.example", Role.OWNER)
    admin_id = await _add(world, "adam@lumen.example", Role.ADMIN)
    agent_id = await _add(world, "amy@lumen.example", Role.AGENT)
    admin = await world.accounts.authenticate((await _login(world, "adam@lumen.example")).access_token)
    with pytest.raises(PermissionDeniedError):
        await world.users.add(admin, email="new@lumen.example", name="", role=Role.OWNER, password=PASSWORD)
    with pytest.raises(PermissionDeniedError):
        await world.users.update(admin, owner_id, role=Role.VIEWER, disabled=None)
    with pytest.raises(PermissionDeniedError):
        await world.users.update(admin, agent_id, role=Role.OWNER, disabled=None)
    with pytest.raises(ConflictError):
        await world.users.update(admin, admin_id, role=Role.VIEWER, disabled=None)
    with pytest.raises(ConflictError):
        await world.users.update(admin, admin_id, role=None, disabled=True)
    with pytest.raises(ConflictError):
        await world.users.add(admin, email="amy@lumen.example", name="", role=Role.AGENT, password=PASSWORD)
    with pytest.raises(InvalidInputError):
        await world.users.add(admin, email="short@lumen.example", name="", role=Role.AGENT, password="short")
    with pytest.raises(NotFoundError):  # a member of another tenant is not found here
        other_id = await _add(world, "otto@other.example", tenant=world.other)
        await world.users.get(admin, other_id)
    amy = await _login(world, "amy@lumen.example")
    changed = await world.users.update(admin, agent_id, role=Role.VIEWER, disabled=True)
    assert changed.role is Role.VIEWER and changed.disabled
    with pytest.raises(AuthenticationError):  # disabling signed her out
        await world.accounts.authenticate(amy.access_token)
    with pytest.raises(AuthenticationError):
        await _login(world, "amy@lumen.example")
    await world.users.update(admin, agent_id, role=None, disabled=False)
    await _login(world, "amy@lumen.example")
    page = await world.users.list(admin, limit=2, offset=0)
    assert page.total == 3 and [m.email for m in page.items] == ["adam@lumen.example", "amy@lumen.example"]
    assert (await world.actions()).count("user.changed") == 2
