"""Staff accounts: signing in and out, sessions and their tokens, passwords, lockout.

A login opens a *session* (one signed-in device, stored with its refresh token's SHA-256) and hands out
a short-lived access token naming it. Every request checks the session is still live, so logging out,
changing the password or disabling a member refuses their access tokens at once, not when they expire.
A refresh rotates the refresh token; presenting an already-rotated one (a stolen copy, most likely)
revokes the session.

Failed logins are counted per (e-mail, IP address): after `max_failures` in a row from one address, that
address is locked out of that e-mail for `lockout`, while the real user elsewhere signs in as usual
(before, a stranger's five wrong passwords locked the account for everyone). Guessing one account from
many addresses is held back by the per-e-mail rate limit at the door (`api.security.RateLimits`). An
e-mail without an account gets the same answers at the same pace (its password is checked against a
dummy hash, and its failures are counted in the same table), so the answers never tell whether the
e-mail exists.

The first sign-in of an account that a tenant's invitation made accepts that invitation
(`InvitationService.accept_at_first_sign_in`).

A platform *operator* may sign in to any tenant, disabled or not, and acts there as an owner; the audit
log names them by their e-mail, and their sign-ins say `operator`. Anyone else signing in to a disabled
business is refused (`TenantDisabledError`, "this business is disabled"). A signed-in account may
*switch* to another of its tenants: a new session there, and the old one ends.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import (
    AccessClaims,
    Account,
    AccountLockedError,
    AccountStore,
    AuthenticationError,
    LoginFailures,
    Membership,
    NewSession,
    PasswordHasher,
    Role,
    Staff,
    TenantChoiceError,
    TenantDisabledError,
    TokenCodec,
)
from frontdesk.services.audit import AuditService
from frontdesk.services.invitations import InvitationService

SessionsChanged = Callable[[], Awaitable[None]]
"""Told after sessions were ended or members changed (the session watch re-checks its connections)."""

MIN_PASSWORD = 10
MAX_PASSWORD = 256
_BAD_LOGIN = "wrong e-mail or password"
_LOCKED = "too many failed logins; try again later"
_BAD_TOKEN = "invalid, expired or revoked credentials"


@dataclass(frozen=True, kw_only=True)
class AuthPolicy:
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=14)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, kw_only=True)
class Client:
    """Where a login comes from, kept with the session and in the audit log."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True, kw_only=True)
class Login:
    """A live session's tokens. `refresh_token` is shown once: only its hash is stored."""

    staff: Staff
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def check_password(password: str) -> None:
    """`InvalidInputError` unless the password is long enough (and not absurdly long)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInputError(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        failures: LoginFailures,
        invitations: InvitationService,
        passwords: PasswordHasher,
        tokens: TokenCodec,
        audit: AuditService,
        clock: Clock,
        policy: AuthPolicy | None = None,
        sessions_changed: SessionsChanged | None = None,
    ):
        self._accounts = accounts
        self._failures = failures
        self._invitations = invitations
        self._passwords = passwords
        self._tokens = tokens
        self._audit = audit
        self._clock = clock
        self.policy = policy or AuthPolicy()
        self._dummy_hash: str | None = None
        self._sessions_changed = sessions_changed

    # -- signing in

    async def login(self, *, email: str, password: str, tenant: str | None, client: Client) -> Login:
        """Check the password and open a session in the chosen tenant (or the account's only one)."""
        email = email.strip().lower()
        now = self._clock.now()
        account = await self._accounts.account_by_email(email)
        # The password is checked first, known e-mail or not, locked or not: the time taken tells nothing.
        correct = await self._passwords.verify(
            password, account.password_hash if account else await self._dummy()
        )
        members = await self.memberships_of(account.id) if account else []
        if await self._failures.locked(email, client.ip, now=now):
            await self._record(members, email, "login.locked", client)
            raise AccountLockedError(_LOCKED)
        if account is None or not correct:
            locked = await self._failures.fail(
                email, client.ip, now=now, max_failures=self.policy.max_failures, lockout=self.policy.lockout
            )
            await self._record(members, email, "login.lockout" if locked else "login.failed", client)
            raise AccountLockedError(_LOCKED) if locked else AuthenticationError(_BAD_LOGIN)
        await self._failures.clear(email, client.ip)
        if account.last_login_at is None:
            await self._invitations.accept_at_first_sign_in(user_id=account.id, email=email)
            members = await self.memberships_of(account.id)
        membership = await self._choose(account, members, tenant)
        await self._accounts.record_login(account.id, at=now)
        login = await self._open_session(membership, account, client, now)
        await self._record([membership], email, "login.succeeded", client, operator=account.operator)
        return login

    async def switch(self, staff: Staff, *, tenant: str, client: Client) -> Login:
        """A session in `tenant` (a slug) for the caller's account; the caller's session ends.
        `NotFoundError` if they may not use it, `TenantDisabledError` if it is disabled."""
        assert staff.user_id is not None
        account = await self._accounts.account(staff.user_id)
        if account is None:
            raise AuthenticationError(_BAD_TOKEN)
        try:
            membership = await self._choose(account, await self.memberships_of(account.id), tenant)
        except AuthenticationError:  # not theirs: the same answer as a tenant that does not exist
            raise NotFoundError(f"tenant {tenant!r} not found") from None
        now = self._clock.now()
        login = await self._open_session(membership, account, client, now)
        if staff.session_id is not None:
            await self._accounts.revoke_sessions(now=now, session_id=staff.session_id)
            await self._ended_sessions()
        await self._audit.record(
            tenant_id=membership.tenant.id,
            actor=account.email,
            action="session.switched",
            target_type="session",
            target_id=login.staff.session_id,
            details={"from": staff.tenant.slug, "ip": client.ip, "operator": account.operator},
        )
        return login

    async def memberships_of(self, user_id: int) -> list[Membership]:
        """The tenants `user_id` may sign in to (not disabled there)."""
        return [m for m in await self._accounts.memberships(user_id) if not m.disabled]

    async def _choose(self, account: Account, members: list[Membership], slug: str | None) -> Membership:
        """The membership to open a session in: the named tenant, or the only usable one."""
        if account.operator:
            members = await self._everywhere(account.id)
        if slug is not None:
            chosen = [m for m in members if m.tenant.slug == slug]
            if not chosen:  # not a member there: as wrong as a wrong password, and said the same way
                raise AuthenticationError(_BAD_LOGIN)
            if chosen[0].tenant.disabled and not account.operator:
                raise TenantDisabledError()
            return chosen[0]
        usable = [m for m in members if account.operator or not m.tenant.disabled]
        if len(usable) > 1:
            raise TenantChoiceError([m.tenant for m in usable])
        if usable:
            return usable[0]
        if members:  # a member only of disabled businesses
            raise TenantDisabledError()
        raise AuthenticationError(_BAD_LOGIN)

    async def _everywhere(self, user_id: int) -> list[Membership]:
        """An operator's places: every tenant, disabled or not, as an owner."""
        return [
            Membership(user_id=user_id, tenant=t, role=Role.OWNER, disabled=False)
            for t in await self._accounts.tenants()
        ]

    async def _open_session(
        self, membership: Membership, account: Account, client: Client, now: datetime
    ) -> Login:
        refresh = secrets.token_urlsafe(32)
        session = NewSession(
            id=secrets.token_hex(16),
            user_id=membership.user_id,
            tenant_id=membership.tenant.id,
            refresh_hash=_digest(refresh),
            created_at=now,
            expires_at=now + self.policy.refresh_ttl,
            user_agent=client.user_agent,
            ip=client.ip,
        )
        await self._accounts.create_session(session)
        staff = Staff(
            tenant=membership.tenant,
            user_id=membership.user_id,
            email=account.email,
            name=account.name,
            role=Role.OWNER if account.operator else membership.role,
            session_id=session.id,
            operator=account.operator,
        )
        return self._tokens_for(staff, refresh, session.expires_at, now)

    def _tokens_for(self, staff: Staff, refresh: str, refresh_expires: datetime, now: datetime) -> Login:
        assert staff.user_id is not None and staff.session_id is not None
        expires = now + self.policy.access_ttl
        claims = AccessClaims(
            user_id=staff.user_id, tenant_id=staff.tenant.id, session_id=staff.session_id, expires_at=expires
        )
        return Login(
            staff=staff,
            access_token=self._tokens.issue(claims, now=now),
            access_expires_at=expires,
            refresh_token=refresh,
            refresh_expires_at=refresh_expires,
        )

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self._passwords.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    async def _record(
        self, members: list[Membership], email: str, action: str, client: Client, *, operator: bool = False
    ) -> None:
        tenant_ids: set[int | None] = {m.tenant.id for m in members} or {None}
        details: dict[str, object] = {"ip": client.ip}
        if operator:  # an operator acting in a tenant that is not theirs: the log says so
            details["operator"] = True
        for tenant_id in tenant_ids:
            await self._audit.record(tenant_id=tenant_id, actor=email, action=action, details=details)

    # -- using a session

    async def authenticate(self, access_token: str) -> Staff:
        """The staff member behind a live session's access token; `AuthenticationError` otherwise."""
        staff, _ = await self.authenticate_until(access_token)
        return staff

    async def authenticate_until(self, access_token: str) -> tuple[Staff, datetime]:
        """`authenticate`, and when the token expires (a long-lived connection must end then)."""
        now = self._clock.now()
        claims = self._tokens.read(access_token)
        if claims is None or claims.expires_at <= now:
            raise AuthenticationError(_BAD_TOKEN)
        staff = await self._accounts.session_staff(claims.session_id, now=now)
        if staff is None or staff.user_id != claims.user_id:
            raise AuthenticationError(_BAD_TOKEN)
        return staff, claims.expires_at

    async def refresh(self, refresh_token: str) -> Login:
        """New tokens for a live session; the refresh token given is spent. A spent one revokes it."""
        now = self._clock.now()
        old = _digest(refresh_token)
        session = await self._accounts.session_by_refresh(old)
        if session is None:
            replayed = await self._accounts.revoke_replayed(old, now=now)
            if replayed is not None:
                await self._audit.record(
                    tenant_id=None,
                    actor="system",
                    action="session.replayed",
                    target_type="session",
                    target_id=replayed,
                )
                await self._ended_sessions()
            raise AuthenticationError(_BAD_TOKEN)
        if session.revoked or session.expires_at <= now:
            raise AuthenticationError(_BAD_TOKEN)
        staff = await self._accounts.session_staff(session.id, now=now)
        new = secrets.token_urlsafe(32)
        expires = now + self.policy.refresh_ttl
        if staff is None or not await self._accounts.rotate_refresh(
            session.id, old_hash=old, new_hash=_digest(new), now=now, expires_at=expires
        ):
            raise AuthenticationError(_BAD_TOKEN)
        return self._tokens_for(staff, new, expires, now)

    async def logout(self, staff: Staff) -> None:
        """End the caller's session: its refresh and access tokens stop working."""
        if staff.session_id is not None:
            await self._accounts.revoke_sessions(now=self._clock.now(), session_id=staff.session_id)
            await self._ended_sessions()
        await self._audit.record(
            tenant_id=staff.tenant.id,
            actor=staff.email,
            action="logout",
            target_type="session",
            target_id=staff.session_id,
        )

    async def change_password(self, staff: Staff, *, current: str, new: str) -> int:
        """Set a new password and end the caller's other sessions (how many)."""
        check_password(new)
        assert staff.user_id is not None
        account = await self._accounts.account(staff.user_id)
        if account is None or not await self._passwords.verify(current, account.password_hash):
            raise InvalidInputError("the current password is wrong")
        now = self._clock.now()
        await self._accounts.set_password(
            staff.user_id, password_hash=await self._passwords.hash(new), now=now
        )
        ended = await self._accounts.revoke_sessions(now=now, user_id=staff.user_id, keep=staff.session_id)
        if ended:
            await self._ended_sessions()
        await self._audit.record(
            tenant_id=staff.tenant.id,
            actor=staff.email,
            action="password.changed",
            target_type="user",
            target_id=staff.user_id,
            details={"sessions_ended": ended},
        )
        return ended

    async def _ended_sessions(self) -> None:
        # The sessions' open connections in this process close now, not at the next periodic check.
        if self._sessions_changed is not None:
            await self._sessions_changed()

    async def memberships(self, staff: Staff) -> list[Membership]:
        """The tenants the caller may sign in to (or switch to), with their role in each: every tenant
        for an operator, else the businesses they are an enabled member of that are not disabled."""
        assert staff.user_id is not None
        if staff.operator:
            return await self._everywhere(staff.user_id)
        return [m for m in await self.memberships_of(staff.user_id) if not m.tenant.disabled]

    async def tenants(self) -> list[Tenant]:
        """Every tenant (the command line picks the only one when none is named)."""
        return await self._accounts.tenants()
