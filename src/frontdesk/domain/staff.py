"""Staff: the people who work a tenant's inbox, and what their role lets them do."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from frontdesk.domain.errors import FrontdeskError, InvalidInputError
from frontdesk.domain.models import Tenant

EMAIL_PATTERN = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$"
"""One `@`, something on each side, and no spaces or control characters (PostgreSQL refuses NUL)."""
EMAIL_MAX = 254


def check_email(email: str) -> str:
    """The e-mail, trimmed and lower-cased, if it looks like one (as the API's schemas check it);
    `InvalidInputError` otherwise."""
    value = email.strip().lower()
    if not 3 <= len(value) <= EMAIL_MAX or not re.fullmatch(EMAIL_PATTERN, value):
        raise InvalidInputError(f"{email!r} is not an e-mail address")
    return value


class Role(StrEnum):
    """A staff member's role in one tenant, from most to least powerful."""

    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, minimum: Role) -> bool:
        """Whether this role may do what `minimum` may (an owner may do everything an agent may)."""
        return self.rank >= minimum.rank


_RANKS = {Role.VIEWER: 0, Role.AGENT: 1, Role.ADMIN: 2, Role.OWNER: 3}


@dataclass(frozen=True, kw_only=True)
class Staff:
    """The authenticated caller of the admin API: who they are and the tenant they act in."""

    tenant: Tenant
    user_id: int | None
    email: str
    role: Role
    name: str = ""
    session_id: str | None = None
    operator: bool = False
    """A platform operator (acting here as an owner, member or not); only they may manage tenants."""


# -- accounts, sessions and what goes wrong with them


class AuthenticationError(FrontdeskError):
    """The caller could not be authenticated: wrong e-mail or password, or a bad, expired or revoked
    token. The message never says which, nor whether the e-mail exists."""


class AccountLockedError(FrontdeskError):
    """Too many failed logins for this e-mail from this address (known or unknown e-mail alike): locked
    for a while, from this address only."""


class PermissionDeniedError(FrontdeskError):
    """The caller is signed in but their role may not do this."""


class TenantDisabledError(PermissionDeniedError):
    """The business was disabled by an operator: its staff may not sign in (operators still may)."""

    def __init__(self) -> None:
        super().__init__("this business is disabled")


class TenantChoiceError(InvalidInputError):
    """The account works for several tenants and the login named none of them. Raised only once the
    password was right, so `tenants` (the API answers them as a field, for a sign-in form's choice)
    tells nothing to someone who does not know it."""

    def __init__(self, tenants: list[Tenant]):
        self.tenants = tenants
        self.slugs = [t.slug for t in tenants]
        super().__init__("this account works for several tenants; say which: " + ", ".join(self.slugs))


@dataclass(frozen=True, kw_only=True)
class Account:
    """A person's login: one e-mail and password, whatever tenants they work for."""

    id: int
    email: str
    name: str
    password_hash: str
    last_login_at: datetime | None = None
    operator: bool = False


@dataclass(frozen=True, kw_only=True)
class Membership:
    """A person's role in one tenant."""

    user_id: int
    tenant: Tenant
    role: Role
    disabled: bool


@dataclass(frozen=True, kw_only=True)
class Member:
    """A staff member as the tenant's user list shows them."""

    user_id: int
    email: str
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None = None
    """The account's latest successful login (in any tenant); None if they never signed in."""
    operator: bool = False
    """The account is a platform operator (see `Staff.operator`)."""


@dataclass(frozen=True, kw_only=True)
class MemberPage:
    items: list[Member]
    total: int


@dataclass(frozen=True, kw_only=True)
class NewSession:
    """A signed-in device, stored with its refresh token's hash only."""

    id: str
    user_id: int
    tenant_id: int
    refresh_hash: str
    created_at: datetime
    expires_at: datetime
    user_agent: str = ""
    ip: str = ""


@dataclass(frozen=True, kw_only=True)
class StoredSession:
    id: str
    user_id: int
    tenant_id: int
    expires_at: datetime
    revoked: bool


@dataclass(frozen=True, kw_only=True)
class AccessClaims:
    """What an access token says: whose session it belongs to and when it stops being valid."""

    user_id: int
    tenant_id: int
    session_id: str
    expires_at: datetime


class AccountStore(Protocol):
    """Where accounts, memberships and sessions live. Emails are stored and looked up lower-cased."""

    async def account_by_email(self, email: str) -> Account | None: ...
    async def account(self, user_id: int) -> Account | None: ...
    async def create_account(self, *, email: str, name: str, password_hash: str, now: datetime) -> int:
        """The new account's id; `ConflictError` if the e-mail is taken."""
        ...

    async def set_password(self, user_id: int, *, password_hash: str, now: datetime) -> None: ...
    async def record_login(self, user_id: int, *, at: datetime) -> None:
        """A successful login: remember when."""
        ...

    async def remove_unused(self, user_id: int) -> bool:
        """Delete the account if it never signed in, belongs to no tenant and is not an operator;
        whether it did."""
        ...

    async def set_operator(self, user_id: int, *, operator: bool) -> None:
        """Make the account a platform operator, or no longer one."""
        ...

    async def operators(self) -> list[Account]:
        """Every operator's account, by e-mail."""
        ...

    async def memberships(self, user_id: int) -> list[Membership]: ...
    async def add_membership(self, *, user_id: int, tenant_id: int, role: Role, now: datetime) -> None:
        """`ConflictError` if the user is already a member of the tenant."""
        ...

    async def members(self, tenant_id: int, *, limit: int, offset: int) -> MemberPage: ...
    async def member(self, tenant_id: int, user_id: int) -> Member | None: ...
    async def update_member(
        self, tenant_id: int, user_id: int, *, role: Role | None, disabled: bool | None, now: datetime
    ) -> None:
        """Change the role and/or disable (as of `now`) or enable; None leaves a field as it is."""
        ...

    async def tenants(self) -> list[Tenant]:
        """Every tenant, by slug."""
        ...

    async def create_session(self, session: NewSession) -> None: ...
    async def session_staff(self, session_id: str, *, now: datetime) -> Staff | None:
        """The staff member of a live session (not revoked or expired; membership enabled in a business
        that is not disabled, unless an operator's: they act as an owner anywhere), or None."""
        ...

    async def live_roles(self, session_ids: Collection[str], *, now: datetime) -> dict[str, Role]:
        """Of these sessions, the live ones (as `session_staff` means it), each with its current role."""
        ...

    async def session_by_refresh(self, refresh_hash: str) -> StoredSession | None: ...
    async def rotate_refresh(
        self, session_id: str, *, old_hash: str, new_hash: str, now: datetime, expires_at: datetime
    ) -> bool:
        """Swap the refresh token's hash if it is still `old_hash` and the session is live."""
        ...

    async def revoke_replayed(self, previous_hash: str, *, now: datetime) -> str | None:
        """Revoke the session whose last refresh token was `previous_hash`; its id, if any."""
        ...

    async def revoke_sessions(
        self,
        *,
        now: datetime,
        session_id: str | None = None,
        user_id: int | None = None,
        tenant_id: int | None = None,
        keep: str | None = None,
    ) -> int:
        """Revoke one session, or a user's (in one tenant, or all but `keep`); how many."""
        ...


class LoginFailures(Protocol):
    """Failed sign-ins counted per (e-mail, IP address), the same for e-mails with and without an
    account, so a stranger's failures lock out the stranger's address only. A failure older than the
    lockout period is forgotten."""

    async def locked(self, email: str, ip: str, *, now: datetime) -> bool: ...
    async def fail(
        self, email: str, ip: str, *, now: datetime, max_failures: int, lockout: timedelta
    ) -> bool:
        """Count one; at `max_failures` in a row lock this pair for `lockout`. Locked now?"""
        ...

    async def clear(self, email: str, ip: str) -> None:
        """A successful sign-in from `ip` forgets its failures."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2). Both methods are slow on purpose and run off the loop."""

    async def hash(self, password: str) -> str: ...
    async def verify(self, password: str, password_hash: str) -> bool: ...


class TokenCodec(Protocol):
    """Signs and reads access tokens. `read` checks the signature only; expiry is the caller's, so an
    injected clock decides it."""

    def issue(self, claims: AccessClaims, *, now: datetime) -> str: ...
    def read(self, token: str) -> AccessClaims | None: ...
