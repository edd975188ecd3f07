"""Dashboard statistics (any signed-in role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from frontdesk.api.auth import Viewer
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import StatsDep
from frontdesk.api.errors import ErrorBody
from frontdesk.api.params import Day
from frontdesk.api.schemas.operations import LiveCountsOut, StatsOut

router = APIRouter(prefix="/api/v1/stats", tags=["stats"], route_class=ApiBodyRoute)
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in"},
    422: {"description": "A bad date, `since` after `until`, or a period over 366 days"},
}


@router.get("", responses=_ERRORS)
async def get_stats(
    staff: Viewer,
    service: StatsDep,
    since: Annotated[
        Day | None, Query(description="First local day (default: six days before until)")
    ] = None,
    until: Annotated[Day | None, Query(description="Last local day, included (default: today)")] = None,
) -> StatsOut:
    """The period's figures, and each day's: messages, bot response time p50/p95, handoff rate,
    per-agent counts, tokens and cost."""
    return StatsOut.model_validate(await service.stats(tenant=staff.tenant, since=since, until=until))


@router.get("/now", responses={401: _ERRORS[401]})
async def get_live_counts(staff: Viewer, service: StatsDep) -> LiveCountsOut:
    """The dashboard's live counters: open conversations by who answers, unassigned and unread ones,
    today's messages (the tenant's local day) and failed jobs. Cheap counts: poll or refetch freely."""
    return LiveCountsOut.model_validate(await service.now(tenant=staff.tenant))
