"""Dashboard figures for a period: message volume, bot response time, handoffs, agents, tokens and cost;
and the live counters of right now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from frontdesk.domain.models import Frozen


class DayCount(Frozen):
    """One local day's figures (the same definitions as the period's, for that day alone)."""

    day: date
    """The tenant's local calendar day."""
    inbound: int
    outbound: int
    response_ms_p50: int | None = None
    response_ms_p95: int | None = None
    replies_timed: int = 0
    conversations: int = 0
    """Conversations with an inbound message that day."""
    handoffs: int = 0
    """Of those, how many went to staff (handed off that day, or held by staff now)."""
    handoff_rate: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal("0")
    agents: dict[str, int] = {}
    """Replies per agent that day."""


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


class LiveCounts(Frozen):
    """What is going on right now, for the dashboard's counters (cheap counts, no period)."""

    at: datetime
    day: date
    """The tenant's local today, which `messages_in`/`messages_out` count."""
    timezone: str
    open_bot: int
    """Open conversations the bot answers."""
    open_human: int
    """Open conversations staff hold."""
    unassigned_human: int
    """Of those held by staff, how many nobody is assigned to."""
    unread_conversations: int
    """Open conversations with messages no staff member has read."""
    unread_messages: int
    messages_in: int
    messages_out: int
    failed_jobs: int
    """Dead letters: turns the bot could not answer and replies that could not be sent."""


class StatsReader(Protocol):
    async def stats(
        self, *, tenant_id: int, day_starts: Sequence[datetime], until: datetime, timezone: str
    ) -> Stats:
        """Figures for [day_starts[0], until); `day_starts` are the local midnights (UTC) bucketing days."""
        ...

    async def live_counts(
        self, *, tenant_id: int, day_start: datetime, now: datetime, timezone: str
    ) -> LiveCounts:
        """The counters now; messages counted from `day_start` (local midnight) on."""
        ...
