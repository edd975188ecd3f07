"""Tenants: looking one up, and what operators do with them (create, list, rename, disable, enable).

Only a platform *operator* manages tenants: over the API a caller who is not one gets
`PermissionDeniedError` (a 403: the route is not tenant data). The command line is the server's
operator already (`actor=None`, recorded as `cli`), and is how the first operator is made.

Everything a new tenant needs is checked before anything is written (the slug, time zone, currency,
the owner's e-mail and password); then the tenant, its business pack's rows and its owner are written
in one transaction (`TenantStore.create`), so a refused pack leaves nothing behind.
"""

from __future__ import annotations

import builtins
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies

from frontdesk.domain.business_pack import Pack
from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock, Store
from frontdesk.domain.staff import PasswordHasher, PermissionDeniedError, Staff, check_email
from frontdesk.domain.tenants import (
    NewOwner,
    NewTenant,
    TenantCreated,
    TenantStore,
    TenantSummary,
    check_slug,
)
from frontdesk.services.accounts import SessionsChanged, check_password
from frontdesk.services.audit import AuditService

NAME_MAX = 200
_CURRENCIES = frozenset(list_currencies())
_OPERATORS_ONLY = "only an operator may manage tenants"


def check_timezone(value: str) -> str:
    """`value` if it is an IANA time zone (`Europe/London`), else `InvalidInputError`."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(f"time zone {value!r} is not an IANA time zone like Europe/London") from None
    return value


def check_currency(value: str) -> str:
    """The ISO 4217 code (upper case) if `value` is one, else `InvalidInputError`."""
    code = value.strip().upper()
    if code not in _CURRENCIES:
        raise InvalidInputError(f"currency {value!r} is not an ISO 4217 code like GBP or EUR")
    return code


def _check_name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > NAME_MAX or "\x00" in name:
        raise InvalidInputError(f"a tenant's name has 1 to {NAME_MAX} characters")
    return name


class TenantService:
    """Look-ups (the command line's `--tenant`, the demo's seed)."""

    def __init__(self, *, store: Store):
        self._store = store

    async def by_slug(self, slug: str) -> Tenant:
        """The tenant called `slug`, or `NotFoundError`."""
        async with self._store.transaction() as tx:
            tenant = await tx.tenant_by_slug(slug)
        if tenant is None:
            raise NotFoundError(f"tenant {slug!r} not found")
        return tenant


class TenantAdmin:
    """What operators do with tenants."""

    def __init__(
        self,
        *,
        tenants: TenantStore,
        passwords: PasswordHasher,
        audit: AuditService,
        clock: Clock,
        sessions_changed: SessionsChanged | None = None,
    ):
        self._tenants = tenants
        self._passwords = passwords
        self._audit = audit
        self._clock = clock
        self._sessions_changed = sessions_changed

    async def create(
        self,
        actor: Staff | None,
        *,
        slug: str,
        name: str | None = None,
        timezone: str | None = None,
        currency: str | None = None,
        owner_email: str | None = None,
        owner_password: str | None = None,
        owner_name: str = "",
        pack: Pack | None = None,
    ) -> TenantCreated:
        """Create a business (with its pack's data and first owner, all or nothing). The name is `name`,
        else the pack's, else the slug; `ConflictError` if the slug is taken, `PackError` if the pack is
        refused, `InvalidInputError` for anything else wrong (checked before writing)."""
        _may_manage(actor)
        business = pack.business if pack is not None else None
        new = NewTenant(
            slug=check_slug(slug),
            name=_check_name(name or (business.name if business else "") or slug),
            timezone=check_timezone(timezone or (business.timezone if business else "UTC")),
            currency=check_currency(currency or (business.currency if business else "GBP")),
        )
        owner = await self._owner(owner_email, owner_password, owner_name)
        created = await self._tenants.create(new, owner=owner, pack=pack, now=self._clock.now())
        details: dict[str, object] = {"slug": new.slug, "name": new.name}
        if owner is not None:
            details["owner"] = owner.email
        if created.report is not None:
            details["pack"] = {t: c.created for t, c in created.report.tables.items()}
        await self._audit.record(
            tenant_id=created.tenant.id,
            actor=_actor(actor),
            action="tenant.created",
            target_type="tenant",
            target_id=created.tenant.id,
            details=details,
        )
        return created

    async def _owner(self, email: str | None, password: str | None, name: str) -> NewOwner | None:
        if email is None:
            if password is not None:
                raise InvalidInputError("a password was given without the owner's e-mail")
            return None
        if password is None:
            raise InvalidInputError("the owner's password is needed with their e-mail")
        email = check_email(email)
        check_password(password)
        return NewOwner(email=email, name=name.strip(), password_hash=await self._passwords.hash(password))

    async def list(self, actor: Staff | None) -> builtins.list[TenantSummary]:
        """Every tenant, by slug, with its counts of staff, numbers and contacts."""
        _may_manage(actor)
        return await self._tenants.all()

    async def get(self, actor: Staff | None, tenant_id: int) -> TenantSummary:
        _may_manage(actor)
        found = await self._tenants.get(tenant_id)
        if found is None:
            raise NotFoundError(f"tenant {tenant_id} not found")
        return found

    async def find(self, actor: Staff | None, slug: str) -> TenantSummary:
        """The tenant called `slug`, as `list` shows it; `NotFoundError` otherwise."""
        _may_manage(actor)
        found = await self._tenants.by_slug(slug)
        if found is None:
            raise NotFoundError(f"tenant {slug!r} not found")
        return found

    async def update(
        self, actor: Staff | None, tenant_id: int, *, name: str | None = None, disabled: bool | None = None
    ) -> TenantSummary:
        """Rename, disable or enable a tenant (audited `tenant.renamed`, `tenant.disabled`,
        `tenant.enabled`). Disabling ends its staff's sessions at once; operators keep theirs."""
        before = await self.get(actor, tenant_id)
        new_name = _check_name(name) if name is not None else None
        after = await self._tenants.update(tenant_id, name=new_name, disabled=disabled, now=self._clock.now())
        if after is None:
            raise NotFoundError(f"tenant {tenant_id} not found")
        if disabled and self._sessions_changed is not None:
            await self._sessions_changed()  # this process's live sockets in it close now
        for action, changed, details in (
            ("tenant.renamed", after.name != before.name, {"from": before.name, "to": after.name}),
            ("tenant.disabled", after.disabled and not before.disabled, {"slug": after.slug}),
            ("tenant.enabled", before.disabled and not after.disabled, {"slug": after.slug}),
        ):
            if changed:
                await self._audit.record(
                    tenant_id=tenant_id,
                    actor=_actor(actor),
                    action=action,
                    target_type="tenant",
                    target_id=tenant_id,
                    details=details,
                )
        return after


def _may_manage(actor: Staff | None) -> None:
    if actor is not None and not actor.operator:
        raise PermissionDeniedError(_OPERATORS_ONLY)


def _actor(actor: Staff | None) -> str:
    return "cli" if actor is None else actor.email
