"""Your invitations (`/api/v1/invitations`, any signed-in staff member): tenants asking you to join
their staff. You join only by accepting, with the invitation's one-time code from the admin who invited
you; then sign in to that tenant (`tenant` at login) to work there."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, status

from frontdesk.api.auth import CurrentStaff
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import InvitationsDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import id_path
from frontdesk.api.schemas.auth import TenantOut
from frontdesk.api.schemas.invitations import AcceptIn, MyInvitationListOut, MyInvitationOut

router = APIRouter(prefix="/api/v1/invitations", tags=["invitations"], route_class=ApiBodyRoute)

_ERRORS = {
    401: "Not signed in, or an invalid, expired or revoked token",
    403: "A cookie write without X-CSRF-Token",
    404: "No such invitation to you, it expired, or a wrong or missing code (the fifth wrong code "
    "cancels it)",
    409: "You are already a member of that tenant",
    422: "A malformed id",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


InvitationId = Annotated[int, id_path("The invitation's id.")]


@router.get("", responses=_errors(401))
async def my_invitations(staff: CurrentStaff, invitations: InvitationsDep) -> MyInvitationListOut:
    """The live invitations to your e-mail, oldest first."""
    return MyInvitationListOut(items=[MyInvitationOut.of(i) for i in await invitations.mine(staff)])


@router.post("/{invitation_id}/accept", responses=_errors(401, 403, 404, 409, 422))
async def accept_invitation(
    invitation_id: InvitationId,
    staff: CurrentStaff,
    invitations: InvitationsDep,
    body: AcceptIn | None = None,
) -> TenantOut:
    """Join the tenant with the invited role (the answer names it), giving the invitation's one-time
    `code`: the inviting admin was shown it once, to hand to you. Being signed in as the invited
    e-mail is not enough, since an admin who chose an account's first password can sign in as it too.
    This session stays where it is: sign in with that tenant's slug to work there."""
    accepted = await invitations.accept(staff, invitation_id, body.code if body else "")
    return TenantOut(slug=accepted.tenant.slug, name=accepted.tenant.name, role=accepted.role)


@router.post(
    "/{invitation_id}/decline", status_code=status.HTTP_204_NO_CONTENT, responses=_errors(401, 403, 404, 422)
)
async def decline_invitation(
    invitation_id: InvitationId, staff: CurrentStaff, invitations: InvitationsDep
) -> None:
    """Say no: the invitation is gone."""
    await invitations.decline(staff, invitation_id)
