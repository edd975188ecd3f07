"""The conversations API: the inbox, a conversation's messages, takeover and hand-back, assignment,
staff messages, and the commands (summary, tasks, message search).

Lists are paginated with `limit` and an opaque `cursor`: each page carries `next_cursor`, the `cursor`
of the next page (null on the last). Reading needs the `viewer` role; changing anything `agent`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Response, status

from frontdesk.api.auth import Agent, Viewer
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import InboxDep, MediaDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Cursor, Instant, Limit, id_path, id_query, limit_query
from frontdesk.api.schemas.conversations import (
    NO_NUL,
    STAFF_MESSAGE_EXAMPLES,
    AssigneeIn,
    AssigneesOut,
    ConversationOut,
    ConversationPageOut,
    MessageOut,
    MessagePageOut,
    MessageSearchOut,
    StaffMessageIn,
    SummaryOut,
    TaskOut,
    TasksOut,
)
from frontdesk.domain.inbox import ConversationChange, ConversationFilter
from frontdesk.domain.models import ConversationStatus
from frontdesk.services.media import ServedFile

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"], route_class=ApiBodyRoute)
search_router = APIRouter(prefix="/api/v1/messages", tags=["conversations"], route_class=ApiBodyRoute)


ConversationId = Annotated[int, id_path("The conversation's id.")]
MessageId = Annotated[int, id_path("The message's id.")]

_ERRORS = {
    401: "Not signed in",
    403: "The caller's role may not do this",
    404: "No such conversation in this tenant",
    409: "The conversation's state does not allow this (the message says why)",
    422: "A bad parameter or body; the message names the field",
}


def _errors(*codes: int, **overrides: str) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": error_model(code), "description": overrides.get(f"e{code}", _ERRORS[code])}
        for code in codes
    }


@router.get("", responses=_errors(401, 403, 422))
async def list_conversations(
    staff: Viewer,
    inbox: InboxDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        ConversationStatus | None, Query(description="Who answers: bot, human, or closed.")
    ] = None,
    agent: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="Last agent.")] = None,
    assignee: Annotated[int | None, id_query("Assigned staff user id.")] = None,
    unassigned: Annotated[bool | None, Query(description="true: nobody assigned; false: someone.")] = None,
    unread: Annotated[bool | None, Query(description="true: unread messages; false: all read.")] = None,
    updated_since: Annotated[Instant | None, Query(description="ISO 8601 with a zone.")] = None,
    contact_id: Annotated[int | None, id_query("The contact's id.")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NO_NUL, description="In name, number, text.")
    ] = None,
) -> ConversationPageOut:
    """The tenant's conversations, most recently updated first, filtered."""
    where = ConversationFilter(
        status=status,
        agent=agent,
        assignee_user_id=assignee,
        unassigned=unassigned,
        unread=unread,
        updated_since=updated_since,
        contact_id=contact_id,
        q=q,
    )
    return ConversationPageOut.of(await inbox.conversations(staff, where, limit=limit, cursor=cursor))


# Declared before `/{conversation_id}`, which would otherwise take the path (and refuse it with 422).
@router.get("/assignees", responses=_errors(401, 403))
async def list_assignees(staff: Agent, inbox: InboxDep) -> AssigneesOut:
    """The tenant's active staff members (id, name, e-mail, role): whom a conversation can be assigned to."""
    return AssigneesOut.of(await inbox.assignees(staff))


@router.get("/{conversation_id}", responses=_errors(401, 403, 404, 422))
async def get_conversation(
    staff: Viewer, inbox: InboxDep, conversation_id: ConversationId
) -> ConversationOut:
    """One conversation."""
    return ConversationOut.of(await inbox.conversation(staff, conversation_id))


@router.get("/{conversation_id}/messages", responses=_errors(401, 403, 404, 422))
async def list_messages(
    staff: Viewer, inbox: InboxDep, conversation_id: ConversationId, limit: Limit = 50, cursor: Cursor = None
) -> MessagePageOut:
    """The newest `limit` messages, oldest first within the page; `next_cursor` pages further back."""
    return MessagePageOut.of(await inbox.messages(staff, conversation_id, limit=limit, cursor=cursor))


# A served file is a document of its own: nothing in it may run, load anything or be framed.
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
_FILE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes, with the type it was stored with",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "headers": {
            "Content-Disposition": {
                "description": "`inline` for images, audio and video; `attachment` for anything else",
                "schema": {"type": "string"},
            },
            "X-Content-Type-Options": {"description": "`nosniff`", "schema": {"type": "string"}},
        },
    }
}


@router.get(
    "/{conversation_id}/messages/{message_id}/media",
    response_class=Response,
    responses={
        **_FILE_ANSWER,
        **_errors(
            401,
            403,
            404,
            422,
            e404="No such message in this conversation of this tenant, or it has no stored file (not "
            "fetched yet, not fetchable: see its `content.media.error`, or erased)",
        ),
    },
)
async def get_media(
    staff: Viewer, media: MediaDep, conversation_id: ConversationId, message_id: MessageId
) -> Response:
    """A received message's file (image, voice note, video, document, sticker) as the customer sent it.

    Images, audio and video are served `inline` (an `<img>`, `<audio>` or `<video>` can show them);
    every other type, a PDF or an HTML or SVG file among them, is an `attachment` to download, never
    rendered by the browser. The message's `content.media.file` (`size`, `mime_type`) says a file is
    there before it is asked for."""
    served = await media.served(staff, conversation_id, message_id)
    return Response(served.data, media_type=served.content_type, headers=file_headers(served))


def file_headers(served: ServedFile) -> dict[str, str]:
    """How a served file is shown: inline or as a download, by a safe name, never sniffed or scripted."""
    disposition = f'{"inline" if served.inline else "attachment"}; filename="{served.filename}"'
    if served.original_name and served.original_name != served.filename:
        disposition += f"; filename*=UTF-8''{quote(served.original_name, safe='')}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
    }


@router.post(
    "/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(
        401,
        403,
        404,
        409,
        422,
        e409="Refused, and why: the conversation is closed, the 24-hour window is closed (only templates "
        "may go), or the contact opted out (no templates)",
    ),
)
async def send_message(
    staff: Agent,
    inbox: InboxDep,
    conversation_id: ConversationId,
    message: Annotated[StaffMessageIn, Body(openapi_examples=STAFF_MESSAGE_EXAMPLES)],
) -> MessageOut:
    """Send a staff message: it is queued in the outbox (status `pending`) and sent like a bot reply."""
    return MessageOut.of(await inbox.send(staff, conversation_id, message))


def _change_route(change: ConversationChange, summary: str) -> None:
    async def route(staff: Agent, inbox: InboxDep, conversation_id: ConversationId) -> ConversationOut:
        return ConversationOut.of(await inbox.change(staff, conversation_id, change))

    route.__name__ = f"{change.value}_conversation"
    route.__doc__ = summary
    router.post(f"/{{conversation_id}}/{change.value}", responses=_errors(401, 403, 404, 409, 422))(route)


_change_route(
    ConversationChange.TAKEOVER, "Take the conversation over: status `human`, the bot stays silent."
)
_change_route(ConversationChange.HANDBACK, "Hand the conversation back to the bot (status `bot`).")
_change_route(ConversationChange.CLOSE, "Close the conversation. A customer writing again reopens it.")
_change_route(ConversationChange.REOPEN, "Reopen a closed conversation; the bot answers again.")


@router.post("/{conversation_id}/read", responses=_errors(401, 403, 404, 422))
async def mark_read(staff: Agent, inbox: InboxDep, conversation_id: ConversationId) -> ConversationOut:
    """Mark the conversation read (its unread count becomes 0)."""
    return ConversationOut.of(await inbox.mark_read(staff, conversation_id))


@router.put(
    "/{conversation_id}/assignee",
    responses=_errors(
        401, 403, 404, 422, e404="No such conversation, or no such staff member in this tenant"
    ),
)
async def assign(
    staff: Agent, inbox: InboxDep, conversation_id: ConversationId, body: AssigneeIn
) -> ConversationOut:
    """Assign the conversation to a staff member, or unassign it (`user_id: null`)."""
    return ConversationOut.of(await inbox.assign(staff, conversation_id, body.user_id))


@router.get("/{conversation_id}/summary", responses=_errors(401, 403, 404, 422))
async def summarize(staff: Viewer, inbox: InboxDep, conversation_id: ConversationId) -> SummaryOut:
    """Summarise the conversation's recent messages: topics, references, the last request and reply."""
    return SummaryOut.of(await inbox.summarize(staff, conversation_id))


@router.get("/{conversation_id}/tasks", responses=_errors(401, 403, 404, 422))
async def extract_tasks(staff: Viewer, inbox: InboxDep, conversation_id: ConversationId) -> TasksOut:
    """The customer's requests and the business's promises in the conversation."""
    found = await inbox.tasks(staff, conversation_id)
    return TasksOut(conversation_id=conversation_id, tasks=[TaskOut.model_validate(t) for t in found])


@search_router.get("/search", responses=_errors(401, 403, 422))
async def search_messages(
    staff: Viewer,
    inbox: InboxDep,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=NO_NUL, description="Words to look for.")],
    limit: Annotated[int, limit_query(100, "How many messages.")] = 20,
) -> MessageSearchOut:
    """Messages of all the tenant's conversations holding the words, best match first."""
    return MessageSearchOut.of(q, await inbox.search(staff, q, limit=limit))
