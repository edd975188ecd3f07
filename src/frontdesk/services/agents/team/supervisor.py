"""The supervisor: which agent(s) answer a message, or whether the team hands it to staff.

Order of decisions: `STOP` (opt out, always, through the account agent); asking for a person (the
team's handoff keywords, as whole words); the answer to a pending question of an agent; otherwise
a bare follow-up that only names something ("and the mini?", "what about the GU10?") continues the
last turn's agent and skill; otherwise classification with stickiness to the current agent, split
into parts when a message asks several agents for different things. The supervisor's own skills
(greetings, thanks, commands, handoff) are answered by the local brain over a pseudo-agent named
`supervisor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from frontdesk.domain.team import OFF_TOPIC, SUPERVISOR, Agent, Team
from frontdesk.services.agents.brains.pending import answer_to
from frontdesk.services.agents.nlu import IntentClassifier, SlotReader
from frontdesk.services.agents.nlu.slots import bare_yes
from frontdesk.services.agents.nlu.words import normalise
from frontdesk.services.agents.team.state import ConversationState
from frontdesk.services.knowledge.ranking import STOPWORDS

HUMAN_SKILL = "human"
OPT_OUT = ("account", "opt_out")
_STOP = re.compile(r"^\W*stop\W*$", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_CONTINUE = re.compile(
    r"^\W*(?:and|what about|how about|also|but|still|the other|other one|which one|ok and)\b", re.IGNORECASE
)
"""How a follow-up to the last answer starts."""
PERSON_MARGIN = 0.1
"""A handoff keyword hands off when asking for a person ranks within this of the best skill."""


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the message for one agent; `skill` is the classifier's choice (None: let it decide)."""

    agent: str
    text: str
    skill: str | None = None
    pending: bool = False
    """The part answers the agent's pending question (its dialogue state goes with it)."""
    local_only: bool = False
    """Answer with the offline brain only (STOP must work whatever the providers do)."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a message goes: agents' parts, or `understood=False` when nothing fits."""

    parts: tuple[Part, ...] = ()
    understood: bool = True
    handoff: bool = False


def supervisor_agent(team: Team) -> Agent:
    """The supervisor as an agent, so its skills run through the same dialogue manager."""
    sup = team.supervisor
    return Agent(
        name=SUPERVISOR,
        description="The front desk.",
        instructions=sup.instructions,
        tools=sup.tools,
        models=sup.models,
        skills=sup.skills,
    )


class Supervisor:
    """Routes each message of a conversation (stateless: the state comes in and is not changed)."""

    def __init__(self, team: Team, classifier: IntentClassifier, reader: SlotReader):
        self.team = team
        self.classifier = classifier
        self.reader = reader
        self.agent = supervisor_agent(team)
        words = sorted(team.supervisor.handoff.keywords, key=len, reverse=True)
        self._person = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)

    def route(self, text: str, state: ConversationState, *, tapped: str | None, now: datetime) -> Route:
        """The parts of `text` and who answers each; `handoff` when a person is asked for."""
        if _STOP.match(text) and self.team.agent(OPT_OUT[0]):
            return Route(parts=(Part(OPT_OUT[0], text, OPT_OUT[1], local_only=True),))
        if self._asks_for_person(text) and not self._pending_part(text, state, tapped, now):
            return self.handoff(text)
        pending = self._pending_part(text, state, tapped, now)
        if pending is not None:
            return Route(parts=(pending,))
        return self._bare_follow_up(text, state) or self._classified(text, state)

    def handoff(self, text: str) -> Route:
        """Hand the conversation to staff through the supervisor's `human` skill."""
        return Route(parts=(Part(SUPERVISOR, text, HUMAN_SKILL, local_only=True),), handoff=True)

    def _asks_for_person(self, text: str) -> bool:
        """A handoff keyword, unless the message is plainly about something else ("what time is
        customer service open on Saturday" asks for opening hours, not for a person)."""
        if not self._person.search(text):
            return False
        ranked = self.classifier.rank(text, limit=3)
        human = next((i for i in ranked if i.agent == SUPERVISOR and i.skill == HUMAN_SKILL), None)
        return human is not None and human.confidence >= ranked[0].confidence - PERSON_MARGIN

    def _pending_part(
        self, text: str, state: ConversationState, tapped: str | None, now: datetime
    ) -> Part | None:
        name = state.pending_agent()
        agent = self.agent if name == SUPERVISOR else self.team.agent(name or "")
        if agent is None:
            return None
        answer = answer_to(self.reader, agent, state.agent_state(agent.name), text, tapped, now=now)
        return Part(agent.name, text, pending=True) if answer is not None else None

    def _follow_up(self, text: str, state: ConversationState) -> Route | None:
        """A message that only makes sense after the last turn ("and the mini?", "the light is red"):
        the same agent and skill again. Needs a cue, a known name or words the team knows."""
        if not state.agent or not state.skill or self.team.agent(state.agent) is None:
            return None
        named = self.reader.vocabulary.products.find(text, limit=1) or self.reader.vocabulary.services.find(
            text, limit=1
        )
        if _CONTINUE.match(text) or named or self.classifier.knows_words(text):
            return Route(parts=(Part(state.agent, text, state.skill),))
        return None

    def _bare_follow_up(self, text: str, state: ConversationState) -> Route | None:
        """ "and the mini?", "what about the GU10?": a cue and a name, nothing else; the last turn's
        question again, about that. Classifying it alone would guess ("and" reads like a comparison)."""
        cue = _CONTINUE.match(text)
        if cue is None or not state.agent or not state.skill:
            return None
        agent = self.team.agent(state.agent)
        if agent is None or agent.skill(state.skill) is None:
            return None
        rest = text[cue.end() :]
        vocabulary = self.reader.vocabulary
        mentions = vocabulary.products.find(rest) or vocabulary.services.find(rest)
        if not mentions:
            return None
        left = normalise(rest)
        for mention in reversed(mentions):
            left = left[: mention.start] + " " + left[mention.end :]
        if any(word not in STOPWORDS for word in _WORD.findall(left)):
            return None
        return Route(parts=(Part(state.agent, text, state.skill),))

    def _classified(self, text: str, state: ConversationState) -> Route:
        if bare_yes(text):
            # A yes to no question must not act (it reads like "yes, send me offers"): ask instead.
            return Route(understood=False)
        current = state.agent
        parts = self.classifier.split_intents(text, current_agent=current)
        understood = [p for p in parts if self.classifier.understood(p.intent)]
        if len(parts) > 1:
            understood = [p for p in understood if p.intent.agent != SUPERVISOR] or understood[:1]
        if not understood:
            off = parts[0].intent
            if off.agent == SUPERVISOR and off.skill == OFF_TOPIC:
                return Route(parts=(Part(SUPERVISOR, text, OFF_TOPIC),))
            return self._follow_up(text, state) or Route(understood=False)
        chosen = tuple(
            Part(p.intent.agent, p.text if len(parts) > 1 else text, p.intent.skill) for p in understood
        )
        if any(p.agent == SUPERVISOR and p.skill == HUMAN_SKILL for p in chosen):
            return self.handoff(text)
        return Route(parts=chosen)
