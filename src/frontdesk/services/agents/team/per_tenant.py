"""The agent team as the product's responder: one `TeamResponder` per tenant, built on first use.

A tenant's team needs its own vocabulary (its products, services and areas) for the offline brain's
intent classifier and slot reader; building it embeds every example phrasing once, which takes
seconds, so it runs in a thread (the event loop keeps taking webhooks) and only once per tenant.

With a `TeamSource` (the tenant's saved team versions), a tenant's team follows saves without a
restart, in every process: at most every `check_seconds` a turn asks the source for the tenant's
current version number (one indexed query) and rebuilds that tenant's team when it changed; a save in
any process calls `invalidate` here (through the bus's `cache` topic) so its next turn checks at once.
Example embeddings are cached by text (the shared embedder), so a rebuild only embeds new phrasings.

A number can be pinned to one of its tenant's versions (`Turn.team_version`: a team per number, sales
and support). A saved version never changes, so a pinned team is built once and kept by (tenant,
version) without checks, in a small LRU (`max_pinned`: each team holds its examples' embeddings); a pin
to the version that is current shares the current team's responder. A version the source does not know
(it should not happen: the admin API refuses unknown numbers) answers with the current team and logs a
warning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from frontdesk.domain.business import BusinessData, MessageSearch
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.team import Agent, Team
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.brains.contract import Brain
from frontdesk.services.agents.brains.local import LocalBrain
from frontdesk.services.agents.nlu import IntentClassifier, SlotReader
from frontdesk.services.agents.nlu.vocabulary import load_vocabulary
from frontdesk.services.agents.team.responder import TeamResponder
from frontdesk.services.agents.team.supervisor import Supervisor
from frontdesk.services.agents.tools import ToolContext
from frontdesk.services.agents.tools.base import KnowledgeSearch

log = logging.getLogger(__name__)


class TeamSource(Protocol):
    """Which team serves a tenant: its current version number (cheap), and that version's team."""

    async def version(self, tenant_id: int) -> int: ...
    async def team(self, tenant_id: int) -> tuple[int, Team]: ...
    async def team_at(self, tenant_id: int, version: int) -> Team | None:
        """The tenant's team as of `version` (0: the team file); None when it has no such version."""
        ...


@dataclass
class _Built:
    version: int
    responder: TeamResponder
    checked: float
    """When the version was last compared with the source (monotonic seconds)."""


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
        source: TeamSource | None = None,
        check_seconds: float = 2.0,
        max_pinned: int = 16,
    ):
        self.team = team
        """The configured team (file): what serves a tenant without a source or saved version."""
        self._source = source
        self._check_seconds = check_seconds
        self._built: dict[int, _Built] = {}
        self._pinned: OrderedDict[tuple[int, int], TeamResponder] = OrderedDict()
        """Teams of numbers pinned to a version, by (tenant id, version), least recently used first."""
        self._max_pinned = max_pinned
        self._locks: dict[int, asyncio.Lock] = {}
        self._embedder = embedder
        self._dictionary = dictionary
        self._data = data
        self._knowledge = knowledge
        self._messages = messages
        self._clock = clock
        self._brains_for = brains_for
        self._brain_timeout = brain_timeout

    @property
    def data(self) -> BusinessData:
        """The business data the tools use."""
        return self._data

    async def respond(self, turn: Turn) -> Answer:
        """The answer of the team of the number the turn came to: its pinned version, else the tenant's."""
        if turn.team_version is None:
            responder = await self.for_tenant(turn.tenant)
        else:
            responder = await self.for_version(turn.tenant, turn.team_version)
        return await responder.respond(turn)

    async def for_version(self, tenant: Tenant, version: int) -> TeamResponder:
        """The tenant's team as of `version`, built the first time it is needed and kept (LRU)."""
        key = (tenant.id, version)
        if (pinned := self._pinned.get(key)) is not None:
            self._pinned.move_to_end(key)
            return pinned  # the hot path: no I/O
        lock = self._locks.setdefault(tenant.id, asyncio.Lock())
        async with lock:
            if (pinned := self._pinned.get(key)) is not None:
                return pinned
            built = self._built.get(tenant.id)
            if built is not None and built.version == version:
                responder = built.responder  # the current team: built already
            else:
                team = await self._source.team_at(tenant.id, version) if self._source else None
                if team is None:
                    if self._source is not None:
                        log.warning(
                            "team version %s of tenant %s not found; answering with its current team",
                            version,
                            tenant.id,
                        )
                    return await self._current(tenant)
                responder = await self.build(team, tenant)
            self._pinned[key] = responder
            while len(self._pinned) > self._max_pinned:
                self._pinned.popitem(last=False)
            return responder

    async def for_tenant(self, tenant: Tenant) -> TeamResponder:
        """The tenant's current team, built the first time it is needed and again after a save."""
        built = self._built.get(tenant.id)
        if built is not None and (
            self._source is None or time.monotonic() - built.checked < self._check_seconds
        ):
            return built.responder  # the hot path: no I/O
        lock = self._locks.setdefault(tenant.id, asyncio.Lock())
        async with lock:  # one tenant's rebuild never holds up another tenant's turns
            return await self._current(tenant)

    async def _current(self, tenant: Tenant) -> TeamResponder:
        built = self._built.get(tenant.id)
        now = time.monotonic()
        if built is not None and self._source is not None and now - built.checked >= self._check_seconds:
            if await self._source.version(tenant.id) == built.version:
                built.checked = now
            else:
                built = None
        if built is None:
            version, team = await self._source.team(tenant.id) if self._source else (0, self.team)
            built = _Built(version, await self.build(team, tenant), time.monotonic())
            self._built[tenant.id] = built
        return built.responder

    def invalidate(self, tenant_id: int) -> None:
        """The tenant's team may have changed: its next turn compares versions (rebuilding if needed)."""
        if (built := self._built.get(tenant_id)) is not None:
            built.checked = float("-inf")

    def trusted_version(self, tenant_id: int) -> int | None:
        """The version of the tenant's current team its next turn uses without asking the source; None
        when none is built or it was invalidated (a save here, or in another process through the bus)."""
        built = self._built.get(tenant_id)
        return None if built is None or built.checked == float("-inf") else built.version

    async def build(self, team: Team, tenant: Tenant, *, data: BusinessData | None = None) -> TeamResponder:
        """A responder for `team` serving `tenant`; its tools use `data` (default: the business's)."""
        data = data or self._data
        vocabulary = await load_vocabulary(data, tenant.id, business=tenant.name)
        classifier = IntentClassifier(
            self._embedder, team, vocabulary=vocabulary, dictionary=self._dictionary
        )
        await asyncio.to_thread(classifier.prepare)
        reader = SlotReader(vocabulary, timezone=ZoneInfo(tenant.timezone))
        return TeamResponder(
            team,
            supervisor=Supervisor(team, classifier, reader),
            local=LocalBrain(classifier, reader),
            brains_for=self._brains_for,
            tool_context=lambda turn: self.tool_context(turn, data=data),
            brain_timeout=self._brain_timeout,
        )

    def tool_context(self, turn: Turn, *, data: BusinessData | None = None) -> ToolContext:
        """What the tools may touch for this turn: its tenant, its contact, its conversation."""
        return ToolContext(
            tenant=turn.tenant,
            contact=turn.contact,
            conversation=turn.conversation,
            data=data or self._data,
            knowledge=self._knowledge,
            messages=self._messages,
            clock=self._clock,
        )
