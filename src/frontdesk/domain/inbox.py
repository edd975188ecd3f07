"""The staff inbox: contacts, conversations and their messages as staff see them, and the ports behind them.

Every read and write here is scoped to one tenant: an id of another tenant behaves exactly like a
missing one (`NotFoundError`). Lists are pages: `limit` items and an opaque `next_cursor` that fetches
the next page (None on the last one).
"""

from __future__ import annotations

import base64
import binascii
import json
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Frozen,
    MessageStatus,
)
from frontdesk.domain.ports import Tx
from frontdesk.domain.staff import Role

T = TypeVar("T")

ERASED_PREFIX = "erased:"
"""An erased contact's `wa_id` becomes this plus its id: unique, and no longer a phone number."""


class InvalidCursor(InvalidInputError):
    """A `cursor` that this list did not give out (or that was altered)."""


def encode_cursor(*values: Any) -> str:
    """An opaque cursor holding `values` (JSON-able), URL-safe."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """The values of a cursor made by `encode_cursor` with `size` values; `InvalidCursor` otherwise."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidCursor("cursor: not a cursor this list gave out")
    return values


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` fetches the next one (None when this is the last)."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    next_cursor: str | None = None


class ContactView(Frozen):
    id: int
    wa_id: str
    name: str | None = None
    email: str | None = None
    city: str | None = None
    language: str | None = None
    preferences: dict[str, Any] = {}
    marketing_opt_in: bool = False
    vip: bool = False
    opted_out_at: datetime | None = None
    created_at: datetime

    @property
    def erased(self) -> bool:
        return self.wa_id.startswith(ERASED_PREFIX)


class ContactChanges(Frozen):
    """Fields staff may edit; a None field is left as it is (`clear` lists fields to empty)."""

    name: str | None = None
    email: str | None = None
    city: str | None = None
    language: str | None = None
    vip: bool | None = None
    preferences: dict[str, Any] | None = None
    clear: frozenset[str] = frozenset()

    def values(self) -> dict[str, Any]:
        changed = self.model_dump(exclude_none=True, exclude={"clear"})
        return changed | {name: None for name in self.clear}


class ContactRef(Frozen):
    id: int
    wa_id: str
    name: str | None = None


class ConversationView(Frozen):
    id: int
    channel_id: int
    contact: ContactRef
    status: ConversationStatus
    assigned_agent: str | None = None
    assignee_user_id: int | None = None
    last_inbound_at: datetime | None = None
    last_message_at: datetime | None = None
    last_message_text: str | None = None
    unread_count: int = 0
    summary: str | None = None
    created_at: datetime
    updated_at: datetime


class ConversationFilter(Frozen):
    """Which conversations to list; every field that is set must match."""

    status: ConversationStatus | None = None
    agent: str | None = None
    assignee_user_id: int | None = None
    unassigned: bool | None = None
    unread: bool | None = None
    updated_since: datetime | None = None
    contact_id: int | None = None
    q: str | None = None
    """Words in the contact's name or number, or in a message."""


class QuotedMessage(Frozen):
    """The message another one answers (WhatsApp's reply `context`), for a quoted snippet."""

    id: int
    direction: Direction
    type: str
    text: str | None = None


class MessageView(Frozen):
    """A message with what staff need to judge the bot: agent, tools, latency, tokens and cost.

    `reply_to_message` is the message `reply_to` names, when it is in the same conversation (filled
    in lists of messages)."""

    id: int
    conversation_id: int
    direction: Direction
    type: str
    text: str | None = None
    content: dict[str, Any] = {}
    status: MessageStatus
    error_code: str | None = None
    error_message: str | None = None
    agent: str | None = None
    tools: list[Any] = []
    latency_ms: int | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost: Decimal | None = None
    channel_message_id: str | None = None
    reply_to: str | None = None
    reply_to_message: QuotedMessage | None = None
    sent_at: datetime | None = None
    status_at: datetime | None = None
    created_at: datetime


class StaffMember(Frozen):
    """An active staff member of a tenant, as others see them when assigning conversations."""

    id: int
    email: str
    name: str = ""
    role: Role


class ConversationChange(StrEnum):
    """What staff did to a conversation (audit action `conversation.<value>`, event `reason`)."""

    TAKEOVER = "takeover"
    HANDBACK = "handback"
    ASSIGN = "assign"
    CLOSE = "close"
    REOPEN = "reopen"
    READ = "read"


class InboxTx(Tx, Protocol):
    """A transaction with the inbox's writes on top of the pipeline's (`Tx`)."""

    async def conversation_of(self, tenant_id: int, conversation_id: int) -> Conversation:
        """The tenant's conversation, locked for this transaction; `NotFoundError` for any other."""
        ...

    async def contact_of(self, tenant_id: int, contact_id: int) -> Contact:
        """The tenant's contact, locked for this transaction; `NotFoundError` for any other."""
        ...

    async def update_conversation(
        self, conversation_id: int, *, values: dict[str, Any], now: datetime
    ) -> None:
        """Set columns of a conversation (`status`, `assignee_user_id`, `unread_count`)."""
        ...

    async def update_contact(self, contact_id: int, *, values: dict[str, Any]) -> None: ...

    async def erase_contact(self, tenant_id: int, contact_id: int, *, now: datetime) -> list[int]:
        """Redact every message of the contact and anonymise them; the ids of the messages redacted."""
        ...

    async def is_staff_member(self, tenant_id: int, user_id: int) -> bool:
        """Whether `user_id` is an active staff member of the tenant."""
        ...

    async def add_audit(self, entry: AuditEntry) -> None:
        """Write an audit-log entry in this transaction."""
        ...


class InboxStore(Protocol):
    """Reads of the inbox (consistent snapshots) and its write transactions."""

    def transaction(self) -> AbstractAsyncContextManager[InboxTx]: ...

    async def contacts(
        self, tenant_id: int, *, q: str | None, limit: int, cursor: str | None
    ) -> Page[ContactView]:
        """The tenant's contacts, newest first; `q` matches name or number."""
        ...

    async def contact(self, tenant_id: int, contact_id: int) -> ContactView: ...

    async def conversations(
        self, tenant_id: int, where: ConversationFilter, *, limit: int, cursor: str | None
    ) -> Page[ConversationView]:
        """The tenant's conversations matching `where`, most recently updated first."""
        ...

    async def conversation(self, tenant_id: int, conversation_id: int) -> ConversationView: ...

    async def messages(
        self, tenant_id: int, conversation_id: int, *, limit: int, cursor: str | None
    ) -> Page[MessageView]:
        """The newest `limit` messages (oldest first within the page); `next_cursor` goes further back."""
        ...

    async def staff(self, tenant_id: int) -> list[StaffMember]:
        """The tenant's active staff members (those a conversation can be assigned to), by name."""
        ...

    async def export_contact(self, tenant_id: int, contact_id: int) -> dict[str, Any]:
        """Everything stored about a contact, as JSON-able data: orders, appointments, returns, tasks."""
        ...
