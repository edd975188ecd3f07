"""Dashboard figures computed in SQL, the same on SQLite and PostgreSQL.

Days are bucketed by comparing `created_at` with the tenant's local midnights (given in UTC), so a
tenant's day is its own on either database without time-zone functions in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import conversations, events, messages
from frontdesk.domain import live
from frontdesk.domain.models import ConversationStatus, Direction
from frontdesk.domain.stats import AgentCount, DayCount, Stats


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
        async with self._store.read() as conn:
            days = await _days(conn, period, day_starts, until)
            p50, p95, timed = await _latency(conn, period)
            agents = await _agents(conn, period)
            tokens_in, tokens_out, cost = await _totals(conn, period)
            talked, handed = await _handoffs(conn, period, tenant_id, since, until)
        return Stats(
            since=since,
            until=until,
            timezone=timezone,
            days=days,
            inbound=sum(d.inbound for d in days),
            outbound=sum(d.outbound for d in days),
            response_ms_p50=p50,
            response_ms_p95=p95,
            replies_timed=timed,
            conversations=talked,
            handoffs=handed,
            handoff_rate=round(handed / talked, 4) if talked else None,
            agents=agents,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=cost,
        )


async def _days(
    conn: AsyncConnection, period: Any, day_starts: Sequence[datetime], until: datetime
) -> list[DayCount]:
    ends = [*day_starts[1:], until]
    bucket = case(*[(messages.c.created_at < end, i) for i, end in enumerate(ends)], else_=len(ends))
    stmt = (
        select(bucket.label("day"), messages.c.direction, func.count())
        .where(period)
        .group_by(bucket, messages.c.direction)
    )
    counts: dict[tuple[int, str], int] = {}
    for day, direction, count in (await conn.execute(stmt)).all():
        counts[(int(day), direction)] = count
    return [
        DayCount(
            day=start.date(),
            inbound=counts.get((i, Direction.IN.value), 0),
            outbound=counts.get((i, Direction.OUT.value), 0),
        )
        for i, start in enumerate(day_starts)
    ]


async def _latency(conn: AsyncConnection, period: Any) -> tuple[int | None, int | None, int]:
    """Nearest-rank p50 and p95 of the bot's reply latency, each read with one indexed-order query."""
    timed = and_(period, messages.c.direction == Direction.OUT, messages.c.latency_ms.is_not(None))
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


async def _agents(conn: AsyncConnection, period: Any) -> list[AgentCount]:
    stmt = (
        select(
            messages.c.agent,
            func.count(),
            func.coalesce(func.sum(messages.c.tokens_in), 0),
            func.coalesce(func.sum(messages.c.tokens_out), 0),
            func.coalesce(func.sum(messages.c.cost), 0),
        )
        .where(period, messages.c.direction == Direction.OUT, messages.c.agent.is_not(None))
        .group_by(messages.c.agent)
        .order_by(func.count().desc(), messages.c.agent)
    )
    return [
        AgentCount(agent=a, messages=n, tokens_in=int(ti), tokens_out=int(to), cost=_money(c))
        for a, n, ti, to, c in (await conn.execute(stmt)).all()
    ]


async def _totals(conn: AsyncConnection, period: Any) -> tuple[int, int, Decimal]:
    stmt = select(
        func.coalesce(func.sum(messages.c.tokens_in), 0),
        func.coalesce(func.sum(messages.c.tokens_out), 0),
        func.coalesce(func.sum(messages.c.cost), 0),
    ).where(period, messages.c.direction == Direction.OUT)
    ti, to, cost = (await conn.execute(stmt)).one()
    return int(ti), int(to), _money(cost)


async def _handoffs(
    conn: AsyncConnection, period: Any, tenant_id: int, since: datetime, until: datetime
) -> tuple[int, int]:
    """Conversations with inbound messages in the period, and how many of them went to staff."""
    inbound = and_(period, messages.c.direction == Direction.IN)
    talked = (
        await conn.execute(select(func.count(distinct(messages.c.conversation_id))).where(inbound))
    ).scalar_one()
    handed_off = select(events.c.payload["conversation_id"].as_integer()).where(
        events.c.tenant_id == tenant_id,
        events.c.type == live.CONVERSATION_UPDATED,
        events.c.payload["status"].as_string() == ConversationStatus.HUMAN.value,
        events.c.created_at >= since,
        events.c.created_at < until,
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


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.000001"))
