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


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    total: int
    limit: int
    offset: int


class DayCountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    inbound: int
    outbound: int


class AgentCountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    agent: str
    messages: int
    tokens_in: int
    tokens_out: int
    cost: Decimal


class StatsOut(BaseModel):
    """Figures for the tenant's local days `since` through `until`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-11-15T00:00:00Z",
                    "until": "2026-11-22T00:00:00Z",
                    "timezone": "Europe/London",
                    "days": [{"day": "2026-11-21", "inbound": 120, "outbound": 131}],
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
    inbound: int
    outbound: int
    response_ms_p50: int | None = Field(description="Median time the bot took to answer, per reply")
    response_ms_p95: int | None
    replies_timed: int
    conversations: int = Field(description="Conversations with an inbound message in the period")
    handoffs: int = Field(description="Of those, how many went to staff")
    handoff_rate: float | None
    agents: list[AgentCountOut]
    tokens_in: int
    tokens_out: int
    cost: Decimal


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
                    ],
                }
            ]
        },
    )

    status: str = Field(description="`ready`, or `not ready` (with status 503)")
    checks: list[CheckOut]
