"""Request and response bodies of the team endpoints (read, validate, save, try a message)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from frontdesk.api.errors import FieldError
from frontdesk.api.params import WholeNumber
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.outbound import Buttons, ListMessage, OutboundMessage, Text, preview
from frontdesk.domain.team import Agent, Team, TeamError
from frontdesk.domain.team_versions import ChannelTeam
from frontdesk.services.team import TeamState, ToolInfo
from frontdesk.services.team_trial import Trial

MAX_YAML = 200_000
"""Characters of team YAML (the demo team is about 44 000)."""

Yaml = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_YAML, pattern=NO_NUL),
    Field(description="The whole team as YAML (the format of `teams/*.yaml`)."),
]


class AgentOut(BaseModel):
    """One agent (or the supervisor) as staff read it."""

    name: str
    description: str
    instructions: str
    tools: list[str]
    models: list[str] = Field(description="The model chain, first tried first; `local` is the offline brain.")
    skills: int = Field(
        description="How many skills (example phrasings, slots, a reply) the offline brain has."
    )

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls(
            name=agent.name,
            description=agent.description,
            instructions=agent.instructions,
            tools=list(agent.tools),
            models=list(agent.models),
            skills=len(agent.skills),
        )


class SupervisorOut(BaseModel):
    instructions: str
    tools: list[str]
    models: list[str]
    skills: int
    handoff_keywords: list[str] = Field(description="Words that hand the conversation to staff.")


class TeamSummaryOut(BaseModel):
    """The parsed team: its supervisor and agents."""

    name: str
    supervisor: SupervisorOut
    agents: list[AgentOut]

    @classmethod
    def of(cls, team: Team) -> TeamSummaryOut:
        sup = team.supervisor
        return cls(
            name=team.name,
            supervisor=SupervisorOut(
                instructions=sup.instructions,
                tools=list(sup.tools),
                models=list(sup.models),
                skills=len(sup.skills),
                handoff_keywords=list(sup.handoff.keywords),
            ),
            agents=[AgentOut.of(a) for a in team.agents],
        )


class ToolOut(BaseModel):
    name: str
    description: str

    @classmethod
    def of(cls, tool: ToolInfo) -> ToolOut:
        return cls(name=tool.name, description=tool.description)


VersionNumber = Annotated[int, WholeNumber, Field(strict=True, ge=0, le=2**31 - 1)]


class ChannelTeamOut(BaseModel):
    """One of the tenant's numbers and the team version that answers on it."""

    id: int
    name: str | None
    kind: ChannelKind
    display_phone_number: str | None
    enabled: bool
    team_version: int | None = Field(
        description="The version pinned on the number (`PATCH /api/v1/channels/{id}`); null: it follows "
        "the current team."
    )
    answering_version: int = Field(
        description="The version answering on the number now: `team_version`, else the current `version`."
    )

    @classmethod
    def of(cls, channel: ChannelTeam, current: int) -> ChannelTeamOut:
        pinned = channel.team_version
        return cls(
            id=channel.id,
            name=channel.name,
            kind=channel.kind,
            display_phone_number=channel.display_phone_number,
            enabled=channel.enabled,
            team_version=pinned,
            answering_version=current if pinned is None else pinned,
        )


class TeamOut(BaseModel):
    """The team serving the tenant now, and which team answers on each of its numbers."""

    version: int = Field(description="0: the configured team file; 1, 2, ...: versions saved here.")
    source: Literal["file", "saved"]
    yaml: str
    summary: TeamSummaryOut
    tools: list[ToolOut] = Field(description="Every tool a team may name, with what it does.")
    saved_by: str | None = None
    saved_at: datetime | None = None
    channels: list[ChannelTeamOut] = Field(
        description="The tenant's numbers, oldest first, with the version answering on each; a number "
        "may be pinned to any version from 0 (the team file) to `version`."
    )

    @classmethod
    def of(cls, state: TeamState, tools: list[ToolInfo]) -> TeamOut:
        return cls(
            version=state.version,
            source=state.source,
            yaml=state.yaml,
            summary=TeamSummaryOut.of(state.team),
            tools=[ToolOut.of(t) for t in tools],
            saved_by=state.saved_by,
            saved_at=state.saved_at,
            channels=[ChannelTeamOut.of(c, state.version) for c in state.channels],
        )


class ProblemOut(BaseModel):
    path: str = Field(
        description="Where in the team, e.g. `agents[2].skills[0].tool` (empty: the whole file)."
    )
    line: int | None = Field(description="1-based line in the YAML, when known.")
    message: str


class TeamProblemsOut(BaseModel):
    """422: what is wrong. A team edit lists `problems` (path, line, message); a malformed request body
    lists its fields in `detail` as usual."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "invalid team (1 problem)",
                    "problems": [
                        {
                            "path": "agents[0].tools[1]",
                            "line": 31,
                            "message": "unknown tool 'cancel_everything'",
                        }
                    ],
                }
            ]
        }
    )

    detail: list[FieldError] | str
    problems: list[ProblemOut] = []

    @classmethod
    def of(cls, error: TeamError) -> TeamProblemsOut:
        count = len(error.problems)
        return cls(
            detail=f"invalid team ({count} problem{'s' * (count != 1)})",
            problems=[ProblemOut(path=p.location, line=p.line, message=p.message) for p in error.problems],
        )


class TeamDraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: Yaml


class TeamSaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    yaml: Yaml
    base_version: Annotated[int, WholeNumber] = Field(
        strict=True, ge=0, le=2**31 - 1, description="The `version` the edit started from."
    )


class TeamCheckOut(BaseModel):
    """The draft is valid: what it declares."""

    summary: TeamSummaryOut


class TeamTryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096, pattern=NO_NUL)
    ]
    yaml: Yaml | None = Field(None, description="A draft team; the current team when left out.")
    version: VersionNumber | None = Field(
        None,
        description="A saved version to try (0: the team file), e.g. the one a number is pinned to; "
        "not together with `yaml`.",
    )
    wa_id: Annotated[
        str | None, Field(pattern=r"^\d{5,20}$", description="The demo customer (default: the first).")
    ] = None
    tapped: Annotated[
        str | None,
        StringConstraints(min_length=1, max_length=256, pattern=NO_NUL),
        Field(description="A button or row id of the previous reply."),
    ] = None
    state: dict[str, Any] | None = Field(None, description="`state` of the previous try, to continue it.")

    @model_validator(mode="after")
    def _one_team(self) -> TeamTryIn:
        if self.yaml is not None and self.version is not None:
            raise ValueError("give a draft `yaml` or a saved `version`, not both")
        return self


class ReplyOut(BaseModel):
    """One message as WhatsApp would show it."""

    kind: str = Field(description="text, buttons, list, template, media or reaction")
    body: str
    buttons: list[dict[str, str]] = Field(default=[], description="Reply buttons: id and title.")
    list_button: str | None = None
    rows: list[dict[str, str | None]] = Field(default=[], description="List rows: id, title, description.")

    @classmethod
    def of(cls, message: OutboundMessage) -> ReplyOut:
        match message:
            case Buttons():
                buttons = [{"id": b.id, "title": b.title} for b in message.buttons]
                return cls(kind="buttons", body=message.body, buttons=buttons)
            case ListMessage():
                rows = [r.model_dump() for s in message.sections for r in s.rows]
                return cls(kind="list", body=message.body, list_button=message.button, rows=rows)
            case Text():
                return cls(kind="text", body=message.body)
            case _:
                return cls(kind=message.kind, body=preview(message))


class CandidateOut(BaseModel):
    agent: str
    skill: str
    confidence: float


class RoutedPartOut(BaseModel):
    agent: str
    skill: str | None
    text: str
    pending: bool


class RoutingOut(BaseModel):
    understood: bool
    handoff: bool
    reason: str
    parts: list[RoutedPartOut]
    candidates: list[CandidateOut] = Field(description="The classifier's best skills, best first.")
    threshold: float = Field(description="The confidence a skill needs to be understood.")


class ToolCallOut(BaseModel):
    name: str
    args: dict[str, Any]
    ok: bool
    summary: str = Field(description="What the tool answered.")
    confirmed: bool = False


class RefusedWriteOut(BaseModel):
    action: str
    details: dict[str, Any]


class TryContactOut(BaseModel):
    id: int
    wa_id: str
    name: str | None


class TeamTryOut(BaseModel):
    """The team's answer to the message: nothing was stored, sent or changed."""

    contact: TryContactOut
    routing: RoutingOut
    agent: str | None = Field(description="The agent(s) that answered, `+`-joined; `handoff` for staff.")
    replies: list[ReplyOut]
    tools: list[ToolCallOut]
    writes: list[RefusedWriteOut] = Field(description="Changes the tools would have made (not done).")
    handoff: bool
    state: dict[str, Any] | None = Field(description="Send back as `state` to continue this conversation.")
    latency_ms: int

    @classmethod
    def of(cls, trial: Trial) -> TeamTryOut:
        routing = trial.routing
        return cls(
            contact=TryContactOut(id=trial.contact.id, wa_id=trial.contact.wa_id, name=trial.contact.name),
            routing=RoutingOut(
                understood=routing.understood,
                handoff=routing.handoff,
                reason=routing.reason,
                parts=[RoutedPartOut(**asdict(p)) for p in routing.parts],
                candidates=[CandidateOut(**asdict(c)) for c in routing.candidates],
                threshold=routing.threshold,
            ),
            agent=trial.answer.agent,
            replies=[ReplyOut.of(m) for m in trial.answer.messages],
            tools=[ToolCallOut.model_validate(t) for t in _tools(trial)],
            writes=[RefusedWriteOut(action=w.action, details=w.details) for w in trial.writes],
            handoff=trial.handoff,
            state=trial.state,
            latency_ms=trial.latency_ms,
        )


def _tools(trial: Trial) -> list[dict[str, Any]]:
    keys = ("name", "args", "ok", "summary", "confirmed")
    return [{k: t[k] for k in keys if k in t} for t in trial.answer.tools]
