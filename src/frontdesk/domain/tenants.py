"""Tenants as operators manage them: creating a business, listing them all, disabling one.

A tenant's *slug* names it in sign-ins, URLs and the command line, so it is short, lower case and
unambiguous: 2 to 64 lowercase letters, digits and hyphens, starting and ending with a letter or digit,
and none of the words the product uses for itself (`RESERVED_SLUGS`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from frontdesk.domain.business_pack import ImportReport, Pack
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import Frozen

SLUG_MIN = 2
SLUG_MAX = 64
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "app",
        "assets",
        "auth",
        "default",
        "demo",
        "docs",
        "frontdesk",
        "healthz",
        "login",
        "logout",
        "me",
        "metrics",
        "new",
        "openapi",
        "operator",
        "operators",
        "readyz",
        "root",
        "static",
        "system",
        "tenant",
        "tenants",
        "webhooks",
        "www",
        "ws",
    }
)
"""Words of the product's own (routes, roles, the demo's command): a business cannot be called that."""

_SLUG = re.compile(SLUG_PATTERN)


def check_slug(slug: str) -> str:
    """`slug` if it may name a tenant, else `InvalidInputError` saying why."""
    if not SLUG_MIN <= len(slug) <= SLUG_MAX:
        raise InvalidInputError(
            f"a tenant's slug has {SLUG_MIN} to {SLUG_MAX} characters; {slug!r} has {len(slug)}"
        )
    if not _SLUG.fullmatch(slug):
        raise InvalidInputError(
            f"slug {slug!r}: use lowercase letters, digits and hyphens, starting and ending with a letter "
            "or digit"
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInputError(f"slug {slug!r} is reserved; choose another")
    return slug


class NewTenant(Frozen):
    """A business to create: checked already (slug, time zone, currency)."""

    slug: str
    name: str
    timezone: str = "UTC"
    currency: str = "GBP"


class NewOwner(Frozen):
    """The first owner of a new tenant: a new account (with this password's hash), or the existing
    account of this e-mail joining as owner (its name and password stay as they are)."""

    email: str
    name: str = ""
    password_hash: str


class TenantSummary(Frozen):
    """A tenant as an operator sees it, with counts that tell whether it is in use."""

    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    disabled: bool
    created_at: datetime
    staff: int = 0
    """Members, enabled or not."""
    channels: int = 0
    """WhatsApp numbers, enabled or not."""
    contacts: int = 0


class TenantCreated(Frozen):
    tenant: TenantSummary
    owner_id: int | None = None
    owner_created: bool = False
    """A new account was made for the owner (else an existing one joined)."""
    report: ImportReport | None = None
    """The pack's import, when the tenant was created with one."""


class TenantStore(Protocol):
    """Where tenants live. `create` is one transaction: the tenant, its pack's rows and its owner are
    all written, or (on any error, a refused pack included) none of them."""

    async def create(
        self, new: NewTenant, *, owner: NewOwner | None, pack: Pack | None, now: datetime
    ) -> TenantCreated:
        """`ConflictError` if the slug (or the pack's WhatsApp number) is taken; `PackError` if the pack
        is refused against the database."""
        ...

    async def all(self) -> list[TenantSummary]:
        """Every tenant, by slug."""
        ...

    async def get(self, tenant_id: int) -> TenantSummary | None: ...
    async def by_slug(self, slug: str) -> TenantSummary | None: ...
    async def update(
        self, tenant_id: int, *, name: str | None, disabled: bool | None, now: datetime
    ) -> TenantSummary | None:
        """Rename and/or disable (as of `now`) or enable; None leaves a field as it is, and an unknown
        tenant is None. Disabling also ends the sessions of everyone but operators in it."""
        ...
