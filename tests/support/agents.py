"""Helpers of the agents' tool tests: contexts for the demo's customers, a fake knowledge search."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import appointments, contacts, orders
from frontdesk.adapters.db.tables_agents import returns, staff_tasks
from frontdesk.domain.events import InboundMessage
from frontdesk.domain.knowledge import SearchHit
from frontdesk.domain.models import Tenant
from frontdesk.domain.outbound import Text
from frontdesk.domain.ports import Inbound
from frontdesk.services.agents.tools import TOOLS, ToolContext, ToolResult
from frontdesk.services.agents.tools.base import KnowledgeSearch
from tests.support.conversations import open_conversation
from tests.unit.conftest import FakeClock

PHONE_NUMBER_ID = "109876543210001"
_message_ids = itertools.count(1)
AMELIA, OLIVER, PRIYA, JACK, SOFIA, MOHAMMED, GRACE, LUCAS = (f"4477009001{n:02d}" for n in range(1, 9))


@dataclass
class FakeKnowledge:
    """Answers every search with `hits`, recording the queries it got."""

    hits: list[SearchHit] = field(default_factory=list)
    queries: list[tuple[int, str, int]] = field(default_factory=list)

    async def search(self, *, tenant: Tenant, query: str, k: int) -> list[SearchHit]:
        self.queries.append((tenant.id, query, k))
        return self.hits[:k]


@dataclass
class Agents:
    """Builds tool contexts for demo customers and runs tools through the registry."""

    store: SqlStore
    clock: FakeClock
    data: SqlBusinessData
    messages: SqlMessageSearch
    knowledge: KnowledgeSearch
    """A `FakeKnowledge` for the tool tests; the evaluation uses the real service (`team.demo_knowledge`)."""
    number: str = PHONE_NUMBER_ID
    """The business's WhatsApp number (phone_number_id) the customers write to: the demo's by default."""

    async def ctx(self, wa_id: str) -> ToolContext:
        opened = await open_conversation(self.store, number=self.number, wa_id=wa_id, now=self.clock.now())
        return ToolContext(
            tenant=opened.tenant,
            contact=opened.contact,
            conversation=opened.conversation,
            data=self.data,
            knowledge=self.knowledge,
            messages=self.messages,
            clock=self.clock,
        )

    async def run(
        self, wa_id: str, tool: str, args: Mapping[str, Any] | None = None, *, confirmed: bool = False
    ) -> ToolResult:
        return await TOOLS[tool].call(await self.ctx(wa_id), args or {}, confirmed=confirmed)

    async def say(self, wa_id: str, text: str, *, inbound: bool = True, minutes: int = 1) -> None:
        """Store a message of the conversation (from the customer, or a reply), `minutes` later."""
        ctx = await self.ctx(wa_id)
        self.clock.advance(minutes=minutes)
        async with self.store.transaction() as tx:
            if inbound:
                event = InboundMessage(
                    channel_key=self.number,
                    message_id=f"wamid.{wa_id}.{self.clock.now().timestamp()}.{next(_message_ids)}",
                    sender=wa_id,
                    timestamp=self.clock.now(),
                    type="text",
                    text=text,
                    raw={},
                )
                channel = await tx.channel_by_key(self.number)
                assert channel is not None
                await tx.store_inbound([Inbound(channel, event, turn_job=None)], now=self.clock.now())
            else:
                await tx.add_outbound(
                    conversation=ctx.conversation,
                    message=Text(body=text),
                    to=wa_id,
                    agent="test",
                    tools=(),
                    latency_ms=None,
                    now=self.clock.now(),
                )

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row the tools can change, to show that a call changed nothing."""
        out: dict[str, list[tuple[Any, ...]]] = {}
        async with self.store.read() as conn:
            for table in (orders, appointments, contacts, staff_tasks, returns):
                rows = await conn.execute(select(table).order_by(table.c.id))
                out[table.name] = [tuple(r) for r in rows]
        return out


def at(text: str) -> datetime:
    """A UTC instant from `2026-11-24T14:00` (London is on UTC in winter)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
