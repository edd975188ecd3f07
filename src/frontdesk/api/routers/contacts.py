"""The contacts API: list and search, view with conversations, edit, marketing opt-out, export, erase.

Lists are paginated with `limit` and an opaque `cursor` (see the conversations API). Reading needs the
`viewer` role, editing `agent`, exporting and erasing `admin`; exports and erasures are audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from frontdesk.api.auth import Admin, Agent, Viewer
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import ContactsDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Cursor, Limit, id_path
from frontdesk.api.schemas.contacts import (
    ContactDetailOut,
    ContactExportOut,
    ContactOut,
    ContactPageOut,
    ContactPatch,
    ErasureOut,
)
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.contacts import ContactSort

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"], route_class=ApiBodyRoute)


ContactId = Annotated[int, id_path("The contact's id.")]

_ERRORS = {
    401: "Not signed in",
    403: "The caller's role may not do this",
    404: "No such contact in this tenant",
    409: "The contact was erased",
    422: "A bad parameter or body; the message names the field",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


@router.get("", responses=_errors(401, 403, 422))
async def list_contacts(
    staff: Viewer,
    contacts: ContactsDep,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NO_NUL, description="Name, number, e-mail.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    sort: Annotated[
        ContactSort,
        Query(description="`newest` added first, or `last_seen`: most recently heard from first."),
    ] = ContactSort.NEWEST,
) -> ContactPageOut:
    """The tenant's contacts, newest first (or most recently heard from first), each with `last_seen_at`."""
    page = await contacts.contacts(staff, q=q, limit=limit, cursor=cursor, sort=sort)
    return ContactPageOut.of(page)


@router.get("/{contact_id}", responses=_errors(401, 403, 404, 422))
async def get_contact(staff: Viewer, contacts: ContactsDep, contact_id: ContactId) -> ContactDetailOut:
    """A contact with their conversations."""
    return ContactDetailOut.of(await contacts.contact(staff, contact_id))


@router.patch("/{contact_id}", responses=_errors(401, 403, 404, 409, 422))
async def update_contact(
    staff: Agent, contacts: ContactsDep, contact_id: ContactId, body: ContactPatch
) -> ContactOut:
    """Edit a contact's name, e-mail, city, language, VIP flag or preferences (audited)."""
    return ContactOut.of(await contacts.update(staff, contact_id, body.changes()))


@router.post("/{contact_id}/opt-out", responses=_errors(401, 403, 404, 409, 422))
async def opt_out(staff: Agent, contacts: ContactsDep, contact_id: ContactId) -> ContactOut:
    """Opt the contact out of marketing: no templates are sent to them any more (audited)."""
    return ContactOut.of(await contacts.set_marketing(staff, contact_id, opt_in=False))


@router.post("/{contact_id}/opt-in", responses=_errors(401, 403, 404, 409, 422))
async def opt_in(staff: Agent, contacts: ContactsDep, contact_id: ContactId) -> ContactOut:
    """Opt the contact back in to marketing, when they asked for it (audited)."""
    return ContactOut.of(await contacts.set_marketing(staff, contact_id, opt_in=True))


@router.get("/{contact_id}/export", responses=_errors(401, 403, 404, 422))
async def export_contact(staff: Admin, contacts: ContactsDep, contact_id: ContactId) -> ContactExportOut:
    """Everything stored about the contact as one JSON document: profile, conversations with every
    message, orders, appointments, returns and staff tasks (audited)."""
    return ContactExportOut.of(await contacts.export(staff, contact_id))


@router.post("/{contact_id}/erase", responses=_errors(401, 403, 404, 422))
async def erase_contact(staff: Admin, contacts: ContactsDep, contact_id: ContactId) -> ErasureOut:
    """Erase the contact: their messages' text and content are redacted, the contact is anonymised and
    their conversations closed. The audit entry stays. Cannot be undone."""
    return ErasureOut.of(await contacts.erase(staff, contact_id))
