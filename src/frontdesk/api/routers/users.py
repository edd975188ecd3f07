"""The tenant's staff (`/api/v1/users`, owner or admin) and its audit log (`/api/v1/audit`, admin+)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import AwareDatetime

from frontdesk.api.auth import Admin
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import AuditDep, UsersDep
from frontdesk.api.errors import error_model
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.api.schemas.users import (
    AuditEntryOut,
    AuditListOut,
    MemberAddedOut,
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
    404: "No such member in this tenant",
    409: "Already a member, or a change to your own role or account",
    422: "A field is missing or malformed",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


UserId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The user's id.")]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=2**31)]


@router.get("/users", responses=_errors(401, 403))
async def list_users(actor: Admin, users: UsersDep, limit: Limit = 50, offset: Offset = 0) -> MemberListOut:
    """The tenant's staff, by e-mail, with their roles."""
    page = await users.list(actor, limit=limit, offset=offset)
    items = [MemberOut.of(m) for m in page.items]
    return MemberListOut(items=items, total=page.total, limit=limit, offset=offset)


@router.post("/users", status_code=status.HTTP_201_CREATED, responses=_errors(400, 401, 403, 409, 422))
async def add_user(body: MemberIn, actor: Admin, users: UsersDep) -> MemberAddedOut:
    """Add a staff member with a role (a new account, or an existing one joining this tenant)."""
    member, created = await users.add(
        actor, email=body.email, name=body.name, role=body.role, password=body.password
    )
    return MemberAddedOut(**MemberOut.of(member).model_dump(), new_account=created)


@router.get("/users/{user_id}", responses=_errors(401, 403, 404))
async def get_user(user_id: UserId, actor: Admin, users: UsersDep) -> MemberOut:
    """One staff member of this tenant."""
    return MemberOut.of(await users.get(actor, user_id))


@router.patch("/users/{user_id}", responses=_errors(401, 403, 404, 409, 422))
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
        AwareDatetime | None, Query(description="Only entries at or after this time (with its zone).")
    ] = None,
    limit: Limit = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
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
