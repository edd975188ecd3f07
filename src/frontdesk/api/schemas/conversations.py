"""Request and response bodies of the conversations API (`/api/v1/conversations`) and its commands."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from frontdesk.api.params import MAX_ID, WholeNumber
from frontdesk.domain.inbox import ConversationView, MessageView, Page, StaffMember
from frontdesk.domain.outbound import Buttons, ListMessage, Template, Text
from frontdesk.services.inbox import FoundMessage, Summary

CONVERSATION_EXAMPLE: dict[str, JsonValue] = {
    "id": 40,
    "channel_id": 1,
    "contact": {"id": 12, "wa_id": "447700900123", "name": "Maya Patel"},
    "status": "human",
    "assigned_agent": "orders",
    "assignee_user_id": 3,
    "last_inbound_at": "2026-11-22T09:14:05Z",
    "last_message_at": "2026-11-22T09:14:09Z",
    "last_message_text": "Your order LM-10234 is on its way with DPD.",
    "unread_count": 1,
    "summary": None,
    "created_at": "2026-11-20T10:02:00Z",
    "updated_at": "2026-11-22T09:14:09Z",
}

MESSAGE_EXAMPLE: dict[str, JsonValue] = {
    "id": 901,
    "conversation_id": 40,
    "direction": "out",
    "type": "text",
    "text": "Your order LM-10234 is on its way with DPD.",
    "content": {"kind": "text", "body": "Your order LM-10234 is on its way with DPD.", "preview_url": False},
    "status": "delivered",
    "error_code": None,
    "error_message": None,
    "agent": "orders",
    "tools": [{"name": "order_status", "ok": True}],
    "latency_ms": 412,
    "tokens_in": 812,
    "tokens_out": 64,
    "cost": "0.000310",
    "channel_message_id": "wamid.HBgLNDQ3NzAwOTAwMTIzFQIAERgSQjY",
    "reply_to": "wamid.HBgLNDQ3NzAwOTAwMTIzFQIAEhgUM0E",
    "reply_to_message": {"id": 899, "direction": "in", "type": "text", "text": "Where is my order?"},
    "sent_at": "2026-11-22T09:14:09Z",
    "status_at": "2026-11-22T09:14:11Z",
    "created_at": "2026-11-22T09:14:09Z",
}


class ConversationOut(ConversationView):
    """A thread with one contact on one number. `status`: who answers (`bot`, `human`) or `closed`."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONVERSATION_EXAMPLE]})

    @classmethod
    def of(cls, view: ConversationView) -> ConversationOut:
        return cls.model_validate(view.model_dump())


class MessageOut(MessageView):
    """A message, with the agent that wrote it, the tools it used, its latency, tokens and cost."""

    model_config = ConfigDict(json_schema_extra={"examples": [MESSAGE_EXAMPLE]})

    @classmethod
    def of(cls, view: MessageView) -> MessageOut:
        return cls.model_validate(view.model_dump())


class ConversationPageOut(BaseModel):
    """A page of conversations, most recently updated first; `next_cursor` is the `cursor` for the next."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [CONVERSATION_EXAMPLE], "next_cursor": None}]}
    )

    items: list[ConversationOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[ConversationView]) -> ConversationPageOut:
        return cls(items=[ConversationOut.of(c) for c in page.items], next_cursor=page.next_cursor)


class MessagePageOut(BaseModel):
    """The newest page of a conversation's messages, oldest first within it; `next_cursor` goes back."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [MESSAGE_EXAMPLE], "next_cursor": None}]}
    )

    items: list[MessageOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[MessageView]) -> MessagePageOut:
        return cls(items=[MessageOut.of(m) for m in page.items], next_cursor=page.next_cursor)


class AssigneeOut(StaffMember):
    """A staff member a conversation can be assigned to."""


class AssigneesOut(BaseModel):
    """The tenant's active staff members, by name: whom `PUT …/assignee` accepts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"items": [{"id": 3, "email": "sam@lumen.example", "name": "Sam Reid", "role": "agent"}]}
            ]
        }
    )

    items: list[AssigneeOut]

    @classmethod
    def of(cls, members: list[StaffMember]) -> AssigneesOut:
        return cls(items=[AssigneeOut.model_validate(m.model_dump()) for m in members])


class AssigneeIn(BaseModel):
    """The staff member (a user id of this tenant) to assign, or null to unassign."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"user_id": 3}, {"user_id": None}]}
    )

    user_id: Annotated[int, Field(strict=True, ge=1, le=MAX_ID), WholeNumber] | None


NO_NUL = r"^[^\x00]*$"
"""Text the database can store: PostgreSQL refuses NUL characters in text."""


StaffMessageIn = Annotated[Text | Buttons | ListMessage | Template, Field(discriminator="kind")]
"""What staff can send: text, reply buttons, a list, or a template (the only kind outside the window)."""

STAFF_MESSAGE_EXAMPLES: dict[str, Example] = {
    "text": Example(summary="Text", value={"kind": "text", "body": "Hi Maya, I've re-sent the invoice."}),
    "buttons": Example(
        summary="Reply buttons",
        value={
            "kind": "buttons",
            "body": "Shall I book the installer for Tuesday?",
            "buttons": [{"id": "yes", "title": "Yes please"}, {"id": "no", "title": "Another day"}],
        },
    ),
    "list": Example(
        summary="List",
        value={
            "kind": "list",
            "body": "Pick a time slot",
            "button": "Slots",
            "sections": [{"rows": [{"id": "am", "title": "Morning"}, {"id": "pm", "title": "Afternoon"}]}],
        },
    ),
    "template": Example(
        summary="Template (allowed outside the 24-hour window)",
        value={"kind": "template", "name": "order_update", "language": "en_GB", "components": []},
    ),
}


class SummaryOut(BaseModel):
    """A plain-text summary of the conversation's recent messages, with the facts it found."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": 40,
                    "text": "6 messages (3 from the customer)… Topics: orders. Mentioned: LM-10234.",
                    "facts": {
                        "messages": 6,
                        "topics": ["orders"],
                        "references": ["LM-10234"],
                        "from_customer": 3,
                    },
                }
            ]
        }
    )

    conversation_id: int
    text: str
    facts: dict[str, Any]

    @classmethod
    def of(cls, summary: Summary) -> SummaryOut:
        return cls.model_validate(summary.model_dump())


class TaskOut(BaseModel):
    by: str
    """`customer` (a request) or `business` (a promise)."""
    text: str
    message_id: int
    at: str
    references: list[str]


class TasksOut(BaseModel):
    """What the customer asked for and what the business promised, in order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": 40,
                    "tasks": [
                        {
                            "by": "customer",
                            "text": "Can you send me the invoice for LM-10234?",
                            "message_id": 897,
                            "at": "Sun 22 Nov, 09:12",
                            "references": ["LM-10234"],
                        }
                    ],
                }
            ]
        }
    )

    conversation_id: int
    tasks: list[TaskOut]


class FoundMessageOut(FoundMessage):
    pass


class MessageSearchOut(BaseModel):
    """Messages of every conversation holding the query's words, best match first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "invoice",
                    "items": [
                        {
                            "message_id": 897,
                            "conversation_id": 40,
                            "direction": "in",
                            "text": "Can you send me the invoice for LM-10234?",
                            "created_at": "2026-11-22T09:12:00Z",
                        }
                    ],
                }
            ]
        }
    )

    query: str
    items: list[FoundMessageOut]

    @classmethod
    def of(cls, query: str, found: list[FoundMessage]) -> MessageSearchOut:
        return cls(query=query, items=[FoundMessageOut.model_validate(m.model_dump()) for m in found])
