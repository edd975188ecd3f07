"""The work behind `frontdesk users …` (the commands themselves are in `frontdesk.cli`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.staff import Member, Role
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.app import Frontdesk
    from frontdesk.domain.models import Tenant


async def pick_tenant(frontdesk: Frontdesk, slug: str | None) -> Tenant:
    """The tenant called `slug`, or with no slug the only tenant; `NotFoundError` otherwise."""
    if slug:
        return await frontdesk.tenants.by_slug(slug)
    found = await frontdesk.accounts.tenants()
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError("there is no tenant yet")
    raise NotFoundError("name the tenant with --tenant: " + ", ".join(t.slug for t in found))


async def create_user(
    settings: Settings, *, email: str, role: Role, name: str, password: str, tenant: str | None
) -> tuple[Member, bool, Tenant]:
    """Add the person to the tenant (a new account, or an existing one joining): (member, new?, tenant)."""
    from frontdesk.app import Frontdesk
    from frontdesk.app_access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        where = await pick_tenant(frontdesk, tenant)
        member, created = await frontdesk.access.users.add(
            command_line_actor(where), email=email, name=name, role=role, password=password
        )
        return member, created, where
    finally:
        await frontdesk.close()


async def list_users(settings: Settings, *, tenant: str | None) -> tuple[list[Member], Tenant]:
    """Every staff member of the tenant, by e-mail."""
    from frontdesk.app import Frontdesk
    from frontdesk.app_access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        where = await pick_tenant(frontdesk, tenant)
        actor = command_line_actor(where)
        members: list[Member] = []
        while True:
            page = await frontdesk.access.users.list(actor, limit=200, offset=len(members))
            members.extend(page.items)
            if not page.items or len(members) >= page.total:
                return members, where
    finally:
        await frontdesk.close()
