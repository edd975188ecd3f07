"""Authentication of the admin API: who is calling, for which tenant, with which role.

Routes depend on `CurrentStaff` (any signed-in staff member) or on `require_role(Role.X)` (that role
or a stronger one; 403 otherwise). `CurrentTenant` is the caller's tenant alone.

Interim: until staff accounts land, one bearer token (`FRONTDESK_ADMIN_TOKEN`) acts as the owner of
tenant `FRONTDESK_ADMIN_TENANT`. Only `current_staff` changes when accounts replace it.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from frontdesk.api.deps import get_frontdesk
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import Role, Staff

_bearer = HTTPBearer(auto_error=False, description="The admin token (FRONTDESK_ADMIN_TOKEN).")


async def current_staff(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Staff:
    """The signed-in caller; 401 without valid credentials."""
    frontdesk = await get_frontdesk(request)
    expected = frontdesk.settings.admin_token.get_secret_value()
    if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid admin token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    tenant = await frontdesk.tenants.by_slug(frontdesk.settings.admin_tenant)
    return Staff(tenant=tenant, user_id=None, email="admin-token", role=Role.OWNER)


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def require_role(minimum: Role) -> Callable[..., Awaitable[Staff]]:
    """A dependency admitting `minimum` or a stronger role, answering 403 to the others."""

    async def dependency(staff: CurrentStaff) -> Staff:
        if not staff.role.allows(minimum):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {minimum} role or higher")
        return staff

    return dependency


async def current_tenant(staff: CurrentStaff) -> Tenant:
    """The tenant the caller acts for."""
    return staff.tenant


CurrentTenant = Annotated[Tenant, Depends(current_tenant)]
