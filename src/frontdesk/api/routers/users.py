"""The tenant's staff and the invitations it sent (`/api/v1/users`, owner or admin) and its audit log
(`/api/v1/audit`, admin+)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from frontdesk.api.auth import Admin
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import AuditDep, UsersDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Cursor, Instant, Limit, Offset, id_path
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.api.schemas.users import (
    AuditEntryOut,
    AuditListOut,
    InvitationCreatedOut,
    InvitationListOut,
    InvitationOut,
    MemberIn,
    MemberListOut,
    MemberOut,
    MemberPatch,
)
from frontdesk.domain.audit import AuditQuery

router = APIRouter(prefix="/api/v1", tags=["users"], route_class=ApiBodyRoute)

_ERRORS = {
    400: "Bad input (a password too short or too long)",
    401: "Not signed in, or an invalid, expired or revoked token",
    403: "Your role may not do this (admins cannot make or change owners), or a cookie write without "
    "X-CSRF-Token",
    404: "No such member or invitation in this tenant",
    409: "Already a member or invited, or a change to your own role or account",
    422: "A field is missing or malformed",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


UserId = Annotated[int, id_path("The user's id.")]
InvitationId = Annotated[int, id_path("The invitation's id.")]


@router.get("/users", responses=_errors(401, 403))
async def list_users(actor: Admin, users: UsersDep, limit: Limit = 50, offset: Offset = 0) -> MemberListOut:
    """The tenant's staff, by e-mail, with their roles."""
    page = await users.list(actor, limit=limit, offset=offset)
    items = [MemberOut.of(m) for m in page.items]
    return MemberListOut(items=items, total=page.total, limit=limit, offset=offset)


@router.post("/users", status_code=status.HTTP_202_ACCEPTED, responses=_errors(400, 401, 403, 409, 422))
async def invite_user(body: MemberIn, actor: Admin, users: UsersDep) -> InvitationCreatedOut:
    """Invite someone with a role, valid 7 days. They join when they accept: at their first sign-in if
    the e-mail had no account (it gets one with this name and password), otherwise from their own
    invitations (`GET /api/v1/invitations`) with the one-time `code` of this answer, keeping their name
    and password (the one given here is dropped). The answer is the same in both cases: it never says
    whether the e-mail has an account. The `code` is shown only here: give it to the person yourself."""
    invited, code = await users.invite(
        actor, email=body.email, name=body.name, role=body.role, password=body.password
    )
    return InvitationCreatedOut.of_new(invited, code)


@router.get("/users/invitations", responses=_errors(401, 403))
async def list_invitations(actor: Admin, users: UsersDep) -> InvitationListOut:
    """This tenant's invitations not yet accepted, declined or cancelled (expired ones too), newest
    first."""
    return InvitationListOut(items=[InvitationOut.of(i) for i in await users.invitations(actor)])


@router.delete(
    "/users/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(401, 403, 404),
)
async def cancel_invitation(invitation_id: InvitationId, actor: Admin, users: UsersDep) -> None:
    """Withdraw an invitation: it can no longer be accepted."""
    await users.cancel_invitation(actor, invitation_id)


@router.get("/users/{user_id:int}", responses=_errors(401, 403, 404))
async def get_user(user_id: UserId, actor: Admin, users: UsersDep) -> MemberOut:
    """One staff member of this tenant."""
    return MemberOut.of(await users.get(actor, user_id))


@router.patch("/users/{user_id:int}", responses=_errors(401, 403, 404, 409, 422))
async def update_user(user_id: UserId, body: MemberPatch, actor: Admin, users: UsersDep) -> MemberOut:
    """Change a member's role, or disable (signing them out here) or enable them."""
    return MemberOut.of(await users.update(actor, user_id, role=body.role, disabled=body.disabled))


@router.get("/audit", tags=["audit"], responses=_errors(401, 403, 422))
async def list_audit(
    actor: Admin,
    audit: AuditDep,
    by: Annotated[
        str | None, Query(alias="actor", max_length=200, pattern=NO_NUL, description="Who did it (e-mail).")
    ] = None,
    action: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="e.g. `login.failed`.")
    ] = None,
    since: Annotated[
        Instant | None, Query(description="Only entries at or after this time (with its zone).")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AuditListOut:
    """Who did what and when in this tenant, newest first; pass `next_cursor` as `cursor` for older
    entries (with the same filters)."""
    page = await audit.page(
        AuditQuery(
            tenant_id=actor.tenant.id, actor=by, action=action, since=since, limit=limit, cursor=cursor
        )
    )
    items = [AuditEntryOut.of(e) for e in page.items]
    return AuditListOut(items=items, next_cursor=page.next_cursor)
