"""The caller's tenant: profile, time zone, opening hours and retention period (owners only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from frontdesk.api.auth import Owner
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import TenantSettingsDep
from frontdesk.api.errors import ErrorBody
from frontdesk.api.schemas.tenant import TenantOut, TenantPatch

router = APIRouter(prefix="/api/v1/tenant", tags=["tenant"], route_class=ApiBodyRoute)
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in"},
    403: {"model": ErrorBody, "description": "Only owners manage the tenant"},
}


@router.get("", responses=_ERRORS)
async def get_tenant(staff: Owner, service: TenantSettingsDep) -> TenantOut:
    """The tenant's name, time zone, opening hours and retention period."""
    return TenantOut.of(await service.get(tenant=staff.tenant))


@router.patch(
    "",
    responses={
        **_ERRORS,
        422: {"description": "A bad time zone, time or field, or a retention period out of 1 to 3650 days"},
    },
)
async def update_tenant(body: TenantPatch, staff: Owner, service: TenantSettingsDep) -> TenantOut:
    """Change the name, the time zone (an IANA name), the opening hours (the whole week at once) or the
    retention period (days after which message text is erased; null keeps it for ever)."""
    return TenantOut.of(await service.update(staff=staff, changes=body.to_domain()))
