"""Dashboard figures for a period: message volume, bot response time, handoffs, agents, tokens and cost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from frontdesk.domain.models import Frozen


class DayCount(Frozen):
    day: date
    """The tenant's local calendar day."""
    inbound: int
    outbound: int


class AgentCount(Frozen):
    agent: str
    messages: int
    tokens_in: int
    tokens_out: int
    cost: Decimal


class Stats(Frozen):
    since: datetime
    until: datetime
    timezone: str
    days: list[DayCount]
    inbound: int
    outbound: int
    response_ms_p50: int | None
    """Median time the bot took to answer (per reply message), None without replies in the period."""
    response_ms_p95: int | None
    replies_timed: int
    conversations: int
    """Conversations with at least one inbound message in the period."""
    handoffs: int
    """Of those, how many went to staff (handed off in the period, or held by staff now)."""
    handoff_rate: float | None
    agents: list[AgentCount]
    tokens_in: int
    tokens_out: int
    cost: Decimal


class StatsReader(Protocol):
    async def stats(
        self, *, tenant_id: int, day_starts: Sequence[datetime], until: datetime, timezone: str
    ) -> Stats:
        """Figures for [day_starts[0], until); `day_starts` are the local midnights (UTC) bucketing days."""
        ...
