"""The staff inbox: conversations, their messages, takeover and hand-back, staff replies, commands.

Every change a staff member makes to a conversation writes an audit entry and a `conversation.updated`
event in the transaction that makes it. A change to the state a conversation is already in does
nothing and records nothing. Staff replies go through the outbox like the bot's, after checks that
say why a send cannot go: the conversation is closed, the 24-hour window is closed (templates only),
or the contact opted out (no templates, which start a conversation the customer did not ask for).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain import live
from frontdesk.domain.business import MessageSearch
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.inbox import (
    ConversationChange,
    ConversationFilter,
    ConversationView,
    InboxStore,
    InboxTx,
    MessageView,
    Page,
    StaffMember,
)
from frontdesk.domain.models import Conversation, ConversationStatus, Direction, Frozen, Message
from frontdesk.domain.outbound import OutboundMessage, Template
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.agents.tools import commands
from frontdesk.services.audit import audit as audit_change
from frontdesk.services.dispatcher import SERVICE_WINDOW, window_open

log = logging.getLogger(__name__)

COMMAND_HISTORY = 200


class SendRefused(ConflictError):
    """A staff message cannot be sent now; the message says why. `reason` is a stable code."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class Summary(Frozen):
    conversation_id: int
    text: str
    facts: dict[str, Any]


class FoundMessage(Frozen):
    message_id: int
    conversation_id: int
    direction: Direction
    text: str
    created_at: datetime


# Which statuses each change starts from, and where it goes; None keeps the status.
_MOVES: dict[ConversationChange, tuple[frozenset[ConversationStatus], ConversationStatus]] = {
    ConversationChange.TAKEOVER: (frozenset({ConversationStatus.BOT}), ConversationStatus.HUMAN),
    ConversationChange.HANDBACK: (frozenset({ConversationStatus.HUMAN}), ConversationStatus.BOT),
    ConversationChange.CLOSE: (
        frozenset({ConversationStatus.BOT, ConversationStatus.HUMAN}),
        ConversationStatus.CLOSED,
    ),
    ConversationChange.REOPEN: (frozenset({ConversationStatus.CLOSED}), ConversationStatus.BOT),
}


class InboxService:
    """Conversations as staff work them."""

    def __init__(
        self,
        *,
        store: InboxStore,
        messages: MessageSearch,
        clock: Clock,
        on_sent: Callable[[], None] | None = None,
        on_change: Callable[[], None] | None = None,
    ):
        self._store = store
        self._messages = messages
        self._clock = clock
        self._on_sent = on_sent
        self._on_change = on_change

    # -- reading

    async def conversations(
        self, staff: Staff, where: ConversationFilter, *, limit: int, cursor: str | None
    ) -> Page[ConversationView]:
        """The tenant's conversations matching `where`, most recently updated first."""
        return await self._store.conversations(staff.tenant.id, where, limit=limit, cursor=cursor)

    async def conversation(self, staff: Staff, conversation_id: int) -> ConversationView:
        """One conversation of the tenant; `NotFoundError` for any other."""
        return await self._store.conversation(staff.tenant.id, conversation_id)

    async def messages(
        self, staff: Staff, conversation_id: int, *, limit: int, cursor: str | None
    ) -> Page[MessageView]:
        """A page of a conversation's messages: the newest first page, oldest message first within it."""
        return await self._store.messages(staff.tenant.id, conversation_id, limit=limit, cursor=cursor)

    async def assignees(self, staff: Staff) -> list[StaffMember]:
        """The tenant's active staff members, whom a conversation can be assigned to."""
        return await self._store.staff(staff.tenant.id)

    # -- changing who answers

    async def change(
        self, staff: Staff, conversation_id: int, change: ConversationChange
    ) -> ConversationView:
        """Take over, hand back, close or reopen a conversation."""
        sources, target = _MOVES[change]
        async with self._store.transaction() as tx:
            conversation = await tx.conversation_of(staff.tenant.id, conversation_id)
            if conversation.status is not target:
                if conversation.status not in sources:
                    raise ConflictError(f"the conversation is {conversation.status}: reopen it first")
                await self._record(tx, staff, conversation, change, {"status": target})
        return await self._changed(staff, conversation_id)

    async def assign(self, staff: Staff, conversation_id: int, user_id: int | None) -> ConversationView:
        """Assign the conversation to a staff member of the tenant (None: to nobody)."""
        async with self._store.transaction() as tx:
            conversation = await tx.conversation_of(staff.tenant.id, conversation_id)
            if user_id is not None and not await tx.is_staff_member(staff.tenant.id, user_id):
                raise NotFoundError(f"no staff member {user_id} in this tenant")
            current = (await self._store.conversation(staff.tenant.id, conversation_id)).assignee_user_id
            if current != user_id:
                await self._record(
                    tx, staff, conversation, ConversationChange.ASSIGN, {"assignee_user_id": user_id}
                )
        return await self._changed(staff, conversation_id)

    async def mark_read(self, staff: Staff, conversation_id: int) -> ConversationView:
        """Set the unread count to zero (an event, no audit entry: reading changes nobody's work)."""
        async with self._store.transaction() as tx:
            conversation = await tx.conversation_of(staff.tenant.id, conversation_id)
            view = await self._store.conversation(staff.tenant.id, conversation_id)
            if view.unread_count:
                await self._record(
                    tx, staff, conversation, ConversationChange.READ, {"unread_count": 0}, audit=False
                )
        return await self._changed(staff, conversation_id)

    async def _changed(self, staff: Staff, conversation_id: int) -> ConversationView:
        if self._on_change:
            self._on_change()
        return await self.conversation(staff, conversation_id)

    async def _record(
        self,
        tx: InboxTx,
        staff: Staff,
        conversation: Conversation,
        change: ConversationChange,
        values: dict[str, Any],
        *,
        audit: bool = True,
    ) -> None:
        now = self._clock.now()
        await tx.update_conversation(conversation.id, values=values, now=now)
        details = {k: (v.value if isinstance(v, ConversationStatus) else v) for k, v in values.items()}
        if audit:
            await audit_change(
                tx,
                staff,
                f"conversation.{change.value}",
                target_type="conversation",
                target_id=conversation.id,
                details={"from": conversation.status.value, **details},
                now=now,
            )
        await tx.add_event(
            tenant_id=conversation.tenant_id,
            type=live.CONVERSATION_UPDATED,
            payload={
                "conversation_id": conversation.id,
                "status": conversation.status.value,
                **details,
                "reason": change.value,
                "by": staff.email,
            },
            now=now,
        )

    # -- staff messages

    async def send(self, staff: Staff, conversation_id: int, message: OutboundMessage) -> MessageView:
        """Queue a staff message in the outbox; `SendRefused` (409) says why when it cannot go."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            conversation = await tx.conversation_of(staff.tenant.id, conversation_id)
            contact = await tx.contact(conversation.contact_id)
            _check_send(conversation, contact.opted_out, message, now)
            stored = await tx.add_outbound(
                conversation=conversation,
                message=message,
                to=contact.wa_id,
                agent=f"staff:{staff.email}"[:64],
                tools=[],
                latency_ms=None,
                now=now,
            )
        log.info("staff message queued", extra={"conversation_id": conversation_id, "message_id": stored.id})
        if self._on_sent:
            self._on_sent()
        return MessageView.model_validate(stored.model_dump(exclude={"tenant_id"}))

    # -- commands

    async def summarize(self, staff: Staff, conversation_id: int) -> Summary:
        """A plain-text summary of the conversation's last messages, with its facts."""
        recent = await self._recent(staff, conversation_id)
        text, facts = commands.summarize(recent, ZoneInfo(staff.tenant.timezone))
        return Summary(conversation_id=conversation_id, text=text, facts=facts)

    async def tasks(self, staff: Staff, conversation_id: int) -> list[dict[str, Any]]:
        """What the customer asked for and what the business promised, one per sentence."""
        return commands.tasks(await self._recent(staff, conversation_id), ZoneInfo(staff.tenant.timezone))

    async def search(self, staff: Staff, query: str, *, limit: int) -> list[FoundMessage]:
        """Messages of all the tenant's conversations holding the query's words, best first."""
        found = await self._messages.search(staff.tenant.id, None, query, limit=limit)
        return [
            FoundMessage(
                message_id=m.id,
                conversation_id=m.conversation_id,
                direction=m.direction,
                text=m.text or "",
                created_at=m.created_at,
            )
            for m in found
        ]

    async def _recent(self, staff: Staff, conversation_id: int) -> list[Message]:
        await self._store.conversation(staff.tenant.id, conversation_id)  # NotFoundError if not theirs
        return await self._messages.recent(staff.tenant.id, conversation_id, limit=COMMAND_HISTORY)


def _check_send(conversation: Conversation, opted_out: bool, message: OutboundMessage, now: datetime) -> None:
    if conversation.status is ConversationStatus.CLOSED:
        raise SendRefused("conversation_closed", "the conversation is closed: reopen it before sending")
    if isinstance(message, Template):
        if opted_out:
            raise SendRefused(
                "opted_out", "the contact opted out of messages they did not ask for: no templates"
            )
        return
    if not window_open(conversation.last_inbound_at, now):
        last = conversation.last_inbound_at
        since = f"last wrote at {last.isoformat()}" if last else "has never written"
        hours = int(SERVICE_WINDOW.total_seconds() // 3600)
        raise SendRefused(
            "window_closed",
            f"the {hours}-hour customer-service window is closed (the customer {since}): "
            "only a template can be sent",
        )
