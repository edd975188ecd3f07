"""The businesses on this server, for platform operators (`/api/v1/tenants`): create, list, rename,
disable and enable. Anyone else gets 403, whatever their role in their own tenant: this is not a
tenant's data. (`/api/v1/tenant`, singular, is the caller's own tenant's settings.)"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, status

from frontdesk.api.auth import CurrentStaff
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import TenantAdminDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import id_path
from frontdesk.api.schemas.tenants import TenantCreatedOut, TenantIn, TenantListOut, TenantOut, TenantPatch

router = APIRouter(prefix="/api/v1/tenants", tags=["tenants"], route_class=ApiBodyRoute)

_ERRORS = {
    401: "Not signed in, or an invalid, expired or revoked token",
    403: "Only an operator may manage tenants, or a cookie write without X-CSRF-Token",
    404: "No such tenant",
    409: "A tenant with this slug already exists",
    422: "A field is missing or malformed: the slug (reserved word), time zone, currency, the owner's "
    "e-mail without a password",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


TenantId = Annotated[int, id_path("The tenant's id.")]


@router.post("", status_code=status.HTTP_201_CREATED, responses=_errors(401, 403, 409, 422))
async def create_tenant(body: TenantIn, staff: CurrentStaff, tenants: TenantAdminDep) -> TenantCreatedOut:
    """Create a business, with its first owner if `owner_email` is given (audited `tenant.created`).
    Its data comes next: a business pack through `POST /api/v1/business/import` signed in to it, or
    `frontdesk tenants create --pack` on the server."""
    created = await tenants.create(
        staff,
        slug=body.slug,
        name=body.name,
        timezone=body.timezone,
        currency=body.currency,
        owner_email=body.owner_email,
        owner_password=body.owner_password,
        owner_name=body.owner_name,
    )
    return TenantCreatedOut.created(created, email=body.owner_email)


@router.get("", responses=_errors(401, 403))
async def list_tenants(staff: CurrentStaff, tenants: TenantAdminDep) -> TenantListOut:
    """Every business on this server, by slug, disabled ones too, with counts of staff, numbers and
    contacts."""
    return TenantListOut(items=[TenantOut.of(t) for t in await tenants.list(staff)])


@router.patch("/{tenant_id}", responses=_errors(401, 403, 404, 422))
async def update_tenant(
    tenant_id: TenantId, body: TenantPatch, staff: CurrentStaff, tenants: TenantAdminDep
) -> TenantOut:
    """Rename, disable or enable a business (audited `tenant.renamed`, `tenant.disabled`,
    `tenant.enabled`). Disabling signs its staff out at once and refuses their sign-ins ("this business
    is disabled"), ignores its numbers' webhooks and runs no turn for it; operators may still sign in,
    to enable it again."""
    updated = await tenants.update(staff, tenant_id, name=body.name, disabled=body.disabled)
    return TenantOut.of(updated)
