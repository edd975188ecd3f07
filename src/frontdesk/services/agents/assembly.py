"""The agent team as the product's responder: one `TeamResponder` per tenant, built on first use.

A tenant's team needs its own vocabulary (its products, services and areas) for the offline brain's
intent classifier and slot reader; building it embeds every example phrasing once, which takes
seconds, so it runs in a thread (the event loop keeps taking webhooks) and only once per tenant.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from zoneinfo import ZoneInfo

from frontdesk.domain.business import BusinessData, MessageSearch
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.team import Agent, Team
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.brain import Brain
from frontdesk.services.agents.local_brain import LocalBrain
from frontdesk.services.agents.nlu import IntentClassifier, SlotReader
from frontdesk.services.agents.responder import TeamResponder
from frontdesk.services.agents.supervisor import Supervisor
from frontdesk.services.agents.tools import ToolContext
from frontdesk.services.agents.tools.base import KnowledgeSearch
from frontdesk.services.agents.vocabulary import load_vocabulary


class TeamResponders:
    """Answers each turn with its tenant's team (a `Responder`)."""

    def __init__(
        self,
        team: Team,
        *,
        embedder: Embedder,
        dictionary: Collection[str],
        data: BusinessData,
        knowledge: KnowledgeSearch,
        messages: MessageSearch,
        clock: Clock,
        brains_for: Callable[[Agent], Sequence[Brain]],
        brain_timeout: float,
    ):
        self.team = team
        self._embedder = embedder
        self._dictionary = dictionary
        self._data = data
        self._knowledge = knowledge
        self._messages = messages
        self._clock = clock
        self._brains_for = brains_for
        self._brain_timeout = brain_timeout
        self._teams: dict[int, TeamResponder] = {}
        self._lock = asyncio.Lock()

    async def respond(self, turn: Turn) -> Answer:
        """The answer of the turn's tenant's team."""
        responder = await self.for_tenant(turn.tenant)
        return await responder.respond(turn)

    async def for_tenant(self, tenant: Tenant) -> TeamResponder:
        """The tenant's team, built the first time it is needed."""
        if (ready := self._teams.get(tenant.id)) is not None:
            return ready
        async with self._lock:
            if tenant.id not in self._teams:
                self._teams[tenant.id] = await self._build(tenant)
            return self._teams[tenant.id]

    async def _build(self, tenant: Tenant) -> TeamResponder:
        vocabulary = await load_vocabulary(self._data, tenant.id)
        classifier = IntentClassifier(
            self._embedder, self.team, vocabulary=vocabulary, dictionary=self._dictionary
        )
        await asyncio.to_thread(classifier.prepare)
        reader = SlotReader(vocabulary, timezone=ZoneInfo(tenant.timezone))
        return TeamResponder(
            self.team,
            supervisor=Supervisor(self.team, classifier, reader),
            local=LocalBrain(classifier, reader),
            brains_for=self._brains_for,
            tool_context=self.tool_context,
            brain_timeout=self._brain_timeout,
        )

    def tool_context(self, turn: Turn) -> ToolContext:
        """What the tools may touch for this turn: its tenant, its contact, its conversation."""
        return ToolContext(
            tenant=turn.tenant,
            contact=turn.contact,
            conversation=turn.conversation,
            data=self._data,
            knowledge=self._knowledge,
            messages=self._messages,
            clock=self._clock,
        )
