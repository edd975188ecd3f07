"""Dashboard figures computed in SQL, the same on SQLite and PostgreSQL.

Days are bucketed by comparing `created_at` with the tenant's local midnights (given in UTC), so a
tenant's day is its own on either database without time-zone functions in SQL. Each figure is one
grouped query for all days at once (a 30-day dashboard costs the same few queries as a 1-day one);
per-day percentiles use window functions (SQLite 3.25+, PostgreSQL).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.admin import count_dead_letters
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import conversations, events, messages
from frontdesk.domain import live
from frontdesk.domain.models import ConversationStatus, Direction
from frontdesk.domain.stats import AgentCount, DayCount, LiveCounts, Stats


@dataclass
class _Day:
    """One day's figures while they are gathered from several queries."""

    inbound: int = 0
    outbound: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    agents: dict[str, int] = field(default_factory=dict)
    p50: int | None = None
    p95: int | None = None
    timed: int = 0
    talked: int = 0
    handed: int = 0


class SqlStats:
    """`StatsReader` on the database."""

    def __init__(self, store: SqlStore):
        self._store = store

    async def stats(
        self, *, tenant_id: int, day_starts: Sequence[datetime], until: datetime, timezone: str
    ) -> Stats:
        since = day_starts[0]
        period = and_(
            messages.c.tenant_id == tenant_id, messages.c.created_at >= since, messages.c.created_at < until
        )
        ends = [*day_starts[1:], until]
        days = [_Day() for _ in day_starts]
        async with self._store.read() as conn:
            agents = await _volume(conn, period, ends, days)
            p50, p95, timed = await _latency(conn, period)
            await _daily_latency(conn, period, ends, days)
            talked, handed = await _handoffs(conn, period, tenant_id, since, until)
            await _daily_handoffs(conn, period, tenant_id, since, until, ends, days)
        return Stats(
            since=since,
            until=until,
            timezone=timezone,
            days=[_day_count(start, d) for start, d in zip(day_starts, days, strict=True)],
            inbound=sum(d.inbound for d in days),
            outbound=sum(d.outbound for d in days),
            response_ms_p50=p50,
            response_ms_p95=p95,
            replies_timed=timed,
            conversations=talked,
            handoffs=handed,
            handoff_rate=_rate(handed, talked),
            agents=agents,
            tokens_in=sum(d.tokens_in for d in days),
            tokens_out=sum(d.tokens_out for d in days),
            cost=_money(sum((d.cost for d in days), Decimal(0))),
        )

    async def live_counts(
        self, *, tenant_id: int, day_start: datetime, now: datetime, timezone: str
    ) -> LiveCounts:
        c = conversations.c
        is_open = c.status != ConversationStatus.CLOSED
        human = c.status == ConversationStatus.HUMAN
        open_counts = select(
            func.count(case((c.status == ConversationStatus.BOT, 1))),
            func.count(case((human, 1))),
            func.count(case((and_(human, c.assignee_user_id.is_(None)), 1))),
            func.count(case((and_(is_open, c.unread_count > 0), 1))),
            func.coalesce(func.sum(case((is_open, c.unread_count), else_=0)), 0),
        ).where(c.tenant_id == tenant_id)
        today = select(
            func.count(case((messages.c.direction == Direction.IN, 1))),
            func.count(case((messages.c.direction == Direction.OUT, 1))),
        ).where(messages.c.tenant_id == tenant_id, messages.c.created_at >= day_start)
        async with self._store.read() as conn:
            bot, held, unassigned, unread, unread_messages = (await conn.execute(open_counts)).one()
            messages_in, messages_out = (await conn.execute(today)).one()
            failed = await count_dead_letters(conn, tenant_id)
        return LiveCounts(
            at=now,
            day=day_start.date(),
            timezone=timezone,
            open_bot=bot,
            open_human=held,
            unassigned_human=unassigned,
            unread_conversations=unread,
            unread_messages=int(unread_messages),
            messages_in=messages_in,
            messages_out=messages_out,
            failed_jobs=failed,
        )


def _bucket(column: Any, ends: Sequence[datetime]) -> Any:
    """The index of the day `column` falls in (days end at `ends`, in order)."""
    return case(*[(column < end, i) for i, end in enumerate(ends)], else_=len(ends) - 1)


def _day_count(start: datetime, d: _Day) -> DayCount:
    return DayCount(
        day=start.date(),
        inbound=d.inbound,
        outbound=d.outbound,
        response_ms_p50=d.p50,
        response_ms_p95=d.p95,
        replies_timed=d.timed,
        conversations=d.talked,
        handoffs=d.handed,
        handoff_rate=_rate(d.handed, d.talked),
        tokens_in=d.tokens_in,
        tokens_out=d.tokens_out,
        cost=_money(d.cost),
        agents=d.agents,
    )


async def _volume(
    conn: AsyncConnection, period: Any, ends: Sequence[datetime], days: list[_Day]
) -> list[AgentCount]:
    """Messages, tokens and cost per day, direction and agent (one query); the period's agent list."""
    bucket = _bucket(messages.c.created_at, ends)
    stmt = (
        select(
            bucket.label("day"),
            messages.c.direction,
            messages.c.agent,
            func.count(),
            func.coalesce(func.sum(messages.c.tokens_in), 0),
            func.coalesce(func.sum(messages.c.tokens_out), 0),
            func.coalesce(func.sum(messages.c.cost), 0),
        )
        .where(period)
        .group_by(bucket, messages.c.direction, messages.c.agent)
    )
    per_agent: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0, Decimal(0)])
    for i, direction, agent, n, ti, to, cost in (await conn.execute(stmt)).all():
        day = days[int(i)]
        if direction != Direction.OUT.value:
            day.inbound += n
            continue
        day.outbound += n
        day.tokens_in += int(ti)
        day.tokens_out += int(to)
        day.cost += Decimal(str(cost or 0))
        if agent is not None:
            day.agents[agent] = day.agents.get(agent, 0) + n
            totals = per_agent[agent]
            totals[0] += n
            totals[1] += int(ti)
            totals[2] += int(to)
            totals[3] += Decimal(str(cost or 0))
    ranked = sorted(per_agent.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [
        AgentCount(agent=a, messages=n, tokens_in=ti, tokens_out=to, cost=_money(c))
        for a, (n, ti, to, c) in ranked
    ]


def _timed(period: Any) -> Any:
    return and_(period, messages.c.direction == Direction.OUT, messages.c.latency_ms.is_not(None))


async def _latency(conn: AsyncConnection, period: Any) -> tuple[int | None, int | None, int]:
    """Nearest-rank p50 and p95 of the bot's reply latency, each read with one indexed-order query."""
    timed = _timed(period)
    n = (await conn.execute(select(func.count()).where(timed))).scalar_one()
    if not n:
        return None, None, 0
    out: list[int] = []
    for p in (0.50, 0.95):
        rank = max(math.ceil(p * n) - 1, 0)
        stmt = (
            select(messages.c.latency_ms).where(timed).order_by(messages.c.latency_ms).offset(rank).limit(1)
        )
        out.append(int((await conn.execute(stmt)).scalar_one()))
    return out[0], out[1], n


async def _daily_latency(
    conn: AsyncConnection, period: Any, ends: Sequence[datetime], days: list[_Day]
) -> None:
    """Each day's nearest-rank p50 and p95 in one query: rank replies within their day, pick ranks
    ceil(n/2) and ceil(95n/100) (integer arithmetic, the same on both databases)."""
    bucket = _bucket(messages.c.created_at, ends)
    ranked = (
        select(
            bucket.label("day"),
            messages.c.latency_ms.label("ms"),
            func.row_number().over(partition_by=bucket, order_by=messages.c.latency_ms).label("rank"),
            func.count().over(partition_by=bucket).label("n"),
        )
        .where(_timed(period))
        .subquery()
    )
    r = ranked.c
    stmt = select(
        r.day,
        func.max(r.n),
        func.max(case((r.rank == (r.n + 1) // 2, r.ms))),
        func.max(case((r.rank == (r.n * 95 + 99) // 100, r.ms))),
    ).group_by(r.day)
    for i, n, p50, p95 in (await conn.execute(stmt)).all():
        day = days[int(i)]
        day.timed, day.p50, day.p95 = int(n), int(p50), int(p95)


def _handed_off(tenant_id: int, since: datetime, until: datetime) -> Any:
    """`conversation.updated` events that moved a conversation to staff in the period."""
    return and_(
        events.c.tenant_id == tenant_id,
        events.c.type == live.CONVERSATION_UPDATED,
        events.c.payload["status"].as_string() == ConversationStatus.HUMAN.value,
        events.c.created_at >= since,
        events.c.created_at < until,
    )


async def _handoffs(
    conn: AsyncConnection, period: Any, tenant_id: int, since: datetime, until: datetime
) -> tuple[int, int]:
    """Conversations with inbound messages in the period, and how many of them went to staff."""
    inbound = and_(period, messages.c.direction == Direction.IN)
    talked = (
        await conn.execute(select(func.count(distinct(messages.c.conversation_id))).where(inbound))
    ).scalar_one()
    handed_off = select(events.c.payload["conversation_id"].as_integer()).where(
        _handed_off(tenant_id, since, until)
    )
    stmt = (
        select(func.count(distinct(messages.c.conversation_id)))
        .join(conversations, conversations.c.id == messages.c.conversation_id)
        .where(
            inbound,
            or_(
                conversations.c.status == ConversationStatus.HUMAN,
                messages.c.conversation_id.in_(handed_off.scalar_subquery()),
            ),
        )
    )
    return talked, (await conn.execute(stmt)).scalar_one()


async def _daily_handoffs(
    conn: AsyncConnection,
    period: Any,
    tenant_id: int,
    since: datetime,
    until: datetime,
    ends: Sequence[datetime],
    days: list[_Day],
) -> None:
    """Per day, in one query: (day, conversation) pairs with inbound messages, and of those the ones
    handed off that same day or held by staff now."""
    talked = (
        select(
            _bucket(messages.c.created_at, ends).label("day"),
            messages.c.conversation_id.label("conversation_id"),
        )
        .where(period, messages.c.direction == Direction.IN)
        .distinct()
        .subquery()
    )
    handed = (
        select(
            _bucket(events.c.created_at, ends).label("day"),
            events.c.payload["conversation_id"].as_integer().label("conversation_id"),
        )
        .where(_handed_off(tenant_id, since, until))
        .distinct()
        .subquery()
    )
    went = or_(conversations.c.status == ConversationStatus.HUMAN, handed.c.conversation_id.is_not(None))
    stmt = (
        select(talked.c.day, func.count(), func.count(case((went, 1))))
        .select_from(
            talked.join(conversations, conversations.c.id == talked.c.conversation_id).outerjoin(
                handed,
                and_(handed.c.day == talked.c.day, handed.c.conversation_id == talked.c.conversation_id),
            )
        )
        .group_by(talked.c.day)
    )
    for i, n, went_n in (await conn.execute(stmt)).all():
        days[int(i)].talked, days[int(i)].handed = n, went_n


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.000001"))
