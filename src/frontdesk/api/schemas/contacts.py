"""Request and response bodies of the contacts API (`/api/v1/contacts`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool

from frontdesk.api.schemas.conversations import (
    CONVERSATION_EXAMPLE,
    MESSAGE_EXAMPLE,
    ConversationOut,
    MessageOut,
)
from frontdesk.domain.contacts import ContactSeen
from frontdesk.domain.inbox import ContactChanges, ContactView, Page
from frontdesk.services.contacts import ContactDetail, ContactExport, ErasureResult

CONTACT_EXAMPLE: dict[str, JsonValue] = {
    "id": 12,
    "wa_id": "447700900123",
    "name": "Maya Patel",
    "email": "maya@example.com",
    "city": "Leeds",
    "language": "en",
    "preferences": {"contact_time": "evenings"},
    "marketing_opt_in": False,
    "vip": False,
    "opted_out_at": None,
    "created_at": "2026-11-20T10:02:00Z",
    "last_seen_at": "2026-11-26T18:40:00Z",
}


class ContactOut(ContactView):
    """A customer who wrote to one of the tenant's numbers. `wa_id` is their WhatsApp number."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONTACT_EXAMPLE]})

    last_seen_at: datetime | None = Field(
        description="Their latest message to the business (any conversation); null if they never wrote"
    )

    @classmethod
    def of(cls, view: ContactSeen) -> ContactOut:
        return cls.model_validate(view.model_dump())


class ContactPageOut(BaseModel):
    """A page of contacts in the order asked for. Pass `next_cursor` as `cursor` (with the same `sort`
    and `q`) for the next page."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [CONTACT_EXAMPLE], "next_cursor": "WzExXQ"}]}
    )

    items: list[ContactOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[ContactSeen]) -> ContactPageOut:
        return cls(items=[ContactOut.of(c) for c in page.items], next_cursor=page.next_cursor)


class ContactDetailOut(BaseModel):
    """A contact with their conversations, most recently updated first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"contact": CONTACT_EXAMPLE, "conversations": [CONVERSATION_EXAMPLE]}]
        }
    )

    contact: ContactOut
    conversations: list[ConversationOut]

    @classmethod
    def of(cls, detail: ContactDetail) -> ContactDetailOut:
        return cls(
            contact=ContactOut.of(detail.contact),
            conversations=[ConversationOut.of(c) for c in detail.conversations],
        )


Short = Annotated[str, Field(min_length=1, max_length=200)]


class ContactPatch(BaseModel):
    """Fields to change. A field left out stays as it is; `null` empties it (not `vip`/`preferences`)."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"name": "Maya Patel", "city": "Leeds", "preferences": {"contact_time": "evenings"}}]
        },
    )

    name: Short | None = None
    email: Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    city: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    language: (
        Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*$")]
        | None
    ) = None
    vip: StrictBool | None = None
    preferences: Annotated[dict[Annotated[str, Field(max_length=64)], Short], Field(max_length=50)] | None = (
        None
    )
    """Replaces the contact's preferences (what the bot remembers: contact time, store, notes)."""

    def changes(self) -> ContactChanges:
        given = self.model_dump(include=self.model_fields_set)
        nullable = {"name", "email", "city", "language"}
        clear = frozenset(k for k, v in given.items() if v is None and k in nullable)
        return ContactChanges(**{k: v for k, v in given.items() if v is not None}, clear=clear)


class ConversationExportOut(BaseModel):
    conversation: ConversationOut
    messages: list[MessageOut]


class ContactExportOut(BaseModel):
    """Everything stored about a contact (a data-access request), as one JSON document."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "format": "frontdesk.contact-export/1",
                    "contact": CONTACT_EXAMPLE,
                    "conversations": [{"conversation": CONVERSATION_EXAMPLE, "messages": [MESSAGE_EXAMPLE]}],
                    "records": {
                        "orders": [{"order_ref": "LM-10234", "status": "shipped", "total": "59.99"}],
                        "appointments": [],
                        "returns": [],
                        "staff_tasks": [],
                    },
                }
            ]
        }
    )

    format: str
    contact: ContactOut
    conversations: list[ConversationExportOut]
    records: dict[str, list[dict[str, Any]]]

    @classmethod
    def of(cls, export: ContactExport) -> ContactExportOut:
        return cls(
            format=export.format,
            contact=ContactOut.of(export.contact),
            conversations=[
                ConversationExportOut(
                    conversation=ConversationOut.of(t.conversation),
                    messages=[MessageOut.of(m) for m in t.messages],
                )
                for t in export.conversations
            ],
            records=export.records,
        )


class ErasureOut(BaseModel):
    """What an erasure did: the contact is anonymised and this many messages were redacted."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"contact_id": 12, "messages_redacted": 31}]})

    contact_id: int
    messages_redacted: int

    @classmethod
    def of(cls, result: ErasureResult) -> ErasureOut:
        return cls(contact_id=result.contact_id, messages_redacted=result.messages_redacted)
