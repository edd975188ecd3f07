"""Dead letters (admins and owners): turn jobs that kept failing and replies that could not be sent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from frontdesk.api.auth import Admin
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import DeadLettersDep
from frontdesk.api.errors import ErrorBody
from frontdesk.api.params import Limit, Offset, id_path
from frontdesk.api.schemas.operations import DeadLetterOut, DeadLetterPage
from frontdesk.domain.admin import DeadLetterKind

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"], route_class=ApiBodyRoute)
ItemId = Annotated[int, id_path("The job's (turn) or outbox entry's (send) id.")]
Kind = Annotated[DeadLetterKind, Path(description="`turn` or `send`")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in"},
    403: {"model": ErrorBody, "description": "Needs the admin role"},
    404: {"model": ErrorBody, "description": "No such dead letter in this tenant"},
}


@router.get("", responses={k: v for k, v in _ERRORS.items() if k != 404})
async def list_dead_letters(
    staff: Admin,
    service: DeadLettersDep,
    kind: Annotated[DeadLetterKind | None, Query(description="Only turns or only sends")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DeadLetterPage:
    """Dead-lettered turns, failed sends, and sends held as `uncertain` (they may have reached the
    customer; see the channel's `uncertain_sends`), most recently failed first."""
    page = await service.list(tenant=staff.tenant, kind=kind, limit=limit, offset=offset)
    items = [DeadLetterOut.model_validate(d) for d in page.items]
    return DeadLetterPage(items=items, total=page.total, limit=limit, offset=offset)


@router.post(
    "/{kind}/{item_id}/retry",
    responses=_ERRORS
    | {409: {"model": ErrorBody, "description": "The send's content was erased: discard it instead"}},
)
async def retry_dead_letter(
    kind: Kind, item_id: ItemId, staff: Admin, service: DeadLettersDep
) -> DeadLetterOut:
    """Queue it again with its attempts reset: a turn runs again, a send (failed or uncertain) goes back
    to the outbox; an uncertain one may then reach the customer twice. A send whose content was erased
    (the tenant's retention period, or the contact's erasure) cannot be sent again: 409."""
    return DeadLetterOut.model_validate(await service.retry(staff=staff, kind=kind, item_id=item_id))


@router.delete("/{kind}/{item_id}", responses=_ERRORS)
async def discard_dead_letter(
    kind: Kind, item_id: ItemId, staff: Admin, service: DeadLettersDep
) -> DeadLetterOut:
    """Drop it for good; the answer is what was dropped (the audit log keeps it too). An uncertain send
    is never sent again; its message stays `pending` with the error code `uncertain`."""
    return DeadLetterOut.model_validate(await service.discard(staff=staff, kind=kind, item_id=item_id))
