"""A dry run of the team on one message ("try a message" in the admin UI).

The team answers as it would in the customer's conversation, but nothing is stored, sent or changed:
the turn and its conversation exist only in memory (id 0), and the tools' business data refuses every
write and lists it (`TrialBusinessData`). The routing decision is worked out the way the supervisor
makes it, with the classifier's best candidates and their scores as the reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from frontdesk.domain.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Tenant,
)
from frontdesk.domain.team import OFF_TOPIC, SUPERVISOR, Team
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.nlu import IntentClassifier
from frontdesk.services.agents.team.per_tenant import TeamResponders
from frontdesk.services.agents.team.state import ConversationState
from frontdesk.services.agents.team.supervisor import HUMAN_SKILL, Route
from frontdesk.services.agents.team.trial_data import RefusedWrite, TrialBusinessData

CANDIDATES = 3


@dataclass(frozen=True, kw_only=True)
class TrialRequest:
    tenant: Tenant
    contact: Contact
    text: str
    tapped: str | None = None
    """The id of a button or list row the customer tapped (the reply to an earlier try's question)."""
    state: dict[str, Any] | None = None
    """The conversation state an earlier try returned, to continue that conversation."""


@dataclass(frozen=True, kw_only=True)
class Candidate:
    agent: str
    skill: str
    confidence: float


@dataclass(frozen=True, kw_only=True)
class RoutedPart:
    agent: str
    skill: str | None
    text: str
    pending: bool


@dataclass(frozen=True, kw_only=True)
class Routing:
    """Who answers and why."""

    understood: bool
    handoff: bool
    reason: str
    parts: list[RoutedPart]
    candidates: list[Candidate]
    threshold: float


@dataclass(frozen=True, kw_only=True)
class Trial:
    contact: Contact
    routing: Routing
    answer: Answer
    handoff: bool
    writes: list[RefusedWrite] = field(default_factory=list)
    state: dict[str, Any] | None = None
    latency_ms: int = 0
    """How long the team took to answer (not counting building the draft team)."""


async def run_trial(responders: TeamResponders, team: Team, request: TrialRequest, *, now: datetime) -> Trial:
    """Answer `request` with `team` (built for this try) over dry-run business data."""
    data = TrialBusinessData(responders.data)
    responder = await responders.build(team, request.tenant, data=data)
    turn = _turn(request, now)
    state = ConversationState.from_dict(request.state)
    answered_at = time.perf_counter()
    route = responder.supervisor.route(request.text.strip(), state, tapped=request.tapped, now=now)
    outcome = await responder.respond_with_state(turn, request.state)
    latency = int((time.perf_counter() - answered_at) * 1000)
    classifier = responder.supervisor.classifier
    ranked = classifier.rank(request.text, current_agent=state.agent, limit=CANDIDATES)
    routing = Routing(
        understood=route.understood,
        handoff=outcome.handoff or route.handoff,
        reason=_reason(route, state, ranked, classifier),
        parts=[RoutedPart(agent=p.agent, skill=p.skill, text=p.text, pending=p.pending) for p in route.parts],
        candidates=[Candidate(agent=i.agent, skill=i.skill, confidence=i.confidence) for i in ranked],
        threshold=classifier.threshold,
    )
    return Trial(
        contact=request.contact,
        routing=routing,
        answer=outcome,
        handoff=outcome.handoff,
        writes=list(data.writes),
        state=outcome.state,
        latency_ms=latency,
    )


def _turn(request: TrialRequest, now: datetime) -> Turn:
    """A turn in a conversation that exists only for this try (id 0: nothing refers to it)."""
    tenant, contact = request.tenant, request.contact
    conversation = Conversation(
        id=0,
        tenant_id=tenant.id,
        channel_id=0,
        contact_id=contact.id,
        status=ConversationStatus.BOT,
        agent_state=request.state,
    )
    content = {"reply": {"id": request.tapped, "title": request.text}} if request.tapped else {}
    message = Message(
        id=0,
        tenant_id=tenant.id,
        conversation_id=0,
        direction=Direction.IN,
        type="interactive" if request.tapped else "text",
        text=request.text,
        content=content,
        status=MessageStatus.RECEIVED,
        created_at=now,
    )
    return Turn(tenant=tenant, contact=contact, conversation=conversation, message=message, history=())


def _reason(
    route: Route, state: ConversationState, ranked: Sequence[Any], classifier: IntentClassifier
) -> str:
    """Why the supervisor routed the message this way, in a sentence for staff."""
    best = ranked[0] if ranked else None
    score = f"{best.agent}/{best.skill} scored {best.confidence:.2f}" if best else "no skill matched"
    if not route.understood:
        return f"Not understood: no skill reached the threshold {classifier.threshold:.2f} ({score})."
    parts = route.parts
    if route.handoff:
        return "Handed to staff: the customer asked for a person (a handoff keyword or the human skill)."
    if len(parts) == 1 and parts[0].local_only:
        return "STOP always goes to the account agent, which opts the customer out."
    if any(p.pending for p in parts):
        return f"Answers the pending question of the {parts[0].agent} agent."
    if parts[0].agent == SUPERVISOR and parts[0].skill == OFF_TOPIC:
        return f"Off topic: closest to the supervisor's off_topic examples ({score})."
    if len(parts) > 1:
        who = ", ".join(f"{p.agent}/{p.skill}" for p in parts)
        return f"Split into {len(parts)} parts for different agents: {who}."
    part = parts[0]
    if best is not None and (best.agent, best.skill) == (part.agent, part.skill):
        held = " (the topic holds: it stays with the current agent)" if state.agent == part.agent else ""
        return f"Classified as {part.agent}/{part.skill} with score {best.confidence:.2f}{held}."
    if state.agent == part.agent:
        return f"A follow-up: the topic holds, so it stays with {part.agent}/{part.skill}."
    if part.agent == SUPERVISOR and part.skill == HUMAN_SKILL:
        return "Handed to staff."
    return f"Routed to {part.agent}/{part.skill or '?'} ({score})."
