"""The agent team: read it (viewers), validate and save edits (admins), try a message (agents).

An invalid team is a 422 whose `problems` say where (path and YAML line) and what; a save based on an
older version than the current one is a 409 and saves nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from frontdesk.api.auth import Admin, Agent, Viewer
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import services_of
from frontdesk.api.errors import ErrorBody
from frontdesk.api.schemas.team import (
    TeamCheckOut,
    TeamDraftIn,
    TeamOut,
    TeamProblemsOut,
    TeamSaveIn,
    TeamSummaryOut,
    TeamTryIn,
    TeamTryOut,
)
from frontdesk.domain.team import TeamError
from frontdesk.services.team import TeamService, tool_catalog

router = APIRouter(prefix="/api/v1/team", tags=["team"], route_class=ApiBodyRoute)


async def _team_service(request: Request) -> TeamService:
    return services_of(request).team.service


TeamDep = Annotated[TeamService, Depends(_team_service)]

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": TeamProblemsOut,
        "description": "The team is invalid (`problems`), or the body is malformed",
    }
}


def _errors(**described: str) -> dict[int | str, dict[str, Any]]:
    base = {401: "Not signed in", 403: "The caller's role may not do this", 413: "The body is too large"}
    return {int(k): {"model": ErrorBody, "description": v} for k, v in (base | described).items()}


def _invalid(error: TeamError) -> JSONResponse:
    return JSONResponse(TeamProblemsOut.of(error).model_dump(mode="json"), status_code=422)


@router.get("", responses=_errors())
async def get_team(staff: Viewer, service: TeamDep) -> TeamOut:
    """The team serving the tenant: version, source (file or saved), YAML, parsed summary, known tools,
    and its numbers with the version answering on each (a team per number)."""
    return TeamOut.of(await service.current(tenant=staff.tenant), tool_catalog())


@router.post("/validate", responses={**_errors(), **_PROBLEMS})
async def validate_team(body: TeamDraftIn, staff: Admin, service: TeamDep) -> TeamCheckOut:
    """Check a draft exactly as a save would, without saving it."""
    try:
        team = service.check(yaml=body.yaml)
    except TeamError as exc:
        return _invalid(exc)  # type: ignore[return-value]
    return TeamCheckOut(summary=TeamSummaryOut.of(team))


@router.put(
    "", responses={**_errors(**{"409": "Someone saved a newer version since base_version"}), **_PROBLEMS}
)
async def save_team(body: TeamSaveIn, staff: Admin, service: TeamDep) -> TeamOut:
    """Save the team as a new version (validated like `validate`; audited as `team.updated`).

    It serves the tenant's next turns, in every process, without a restart."""
    try:
        state = await service.save(staff=staff, yaml=body.yaml, base_version=body.base_version)
    except TeamError as exc:
        return _invalid(exc)  # type: ignore[return-value]
    return TeamOut.of(state, tool_catalog())


@router.post(
    "/try",
    responses={
        **_errors(**{"400": "`state` is not one a try returned", "404": "No such customer"}),
        422: {
            "model": TeamProblemsOut,
            "description": "The draft is invalid (`problems`), the body is malformed, or its `version` is "
            "not one of the business's (`detail` names `body.version`)",
        },
    },
)
async def try_team(body: TeamTryIn, staff: Agent, service: TeamDep) -> TeamTryOut:
    """Answer a message with a draft, a saved version (the one a number is pinned to) or the current team
    as a customer's conversation would: the routing decision, the replies, the tools with their
    arguments. A dry run: nothing is stored or sent, and no business data changes (the writes the tools
    would make are listed instead)."""
    try:
        trial = await service.try_message(
            tenant=staff.tenant,
            message=body.message,
            yaml=body.yaml,
            version=body.version,
            wa_id=body.wa_id,
            tapped=body.tapped,
            state=body.state,
        )
    except TeamError as exc:
        return _invalid(exc)  # type: ignore[return-value]
    return TeamTryOut.of(trial)
