"""The agent team over the seeded demo store, for the team's unit tests and the evaluation."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings.cache import CachedEmbedder
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.adapters.embeddings.words import dictionary_words
from frontdesk.adapters.teams import load_team
from frontdesk.domain.models import Direction, Message, MessageStatus, Tenant
from frontdesk.domain.outbound import OutboundMessage
from frontdesk.domain.ports import Clock
from frontdesk.domain.team import Agent, Team
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.brains.contract import Brain
from frontdesk.services.agents.brains.local import LocalBrain
from frontdesk.services.agents.brains.replies import body_of
from frontdesk.services.agents.nlu import IntentClassifier, SlotReader
from frontdesk.services.agents.nlu.vocabulary import load_vocabulary
from frontdesk.services.agents.team.responder import TeamResponder
from frontdesk.services.agents.team.supervisor import Supervisor
from frontdesk.services.agents.tools import ToolContext
from frontdesk.services.knowledge.service import KnowledgeService
from tests.support.agents import Agents

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src/frontdesk/demo_data/lumen"
_ids = itertools.count(1)


@cache
def team(path: Path = ROOT / "teams/lumen.yaml") -> Team:
    return load_team(path)


@cache
def embedder() -> CachedEmbedder:
    return CachedEmbedder(MiniLMEmbedder(), max_entries=20000)


def customer_cities(pack: Path = DEMO) -> list[str]:
    with (pack / "customers.csv").open() as f:
        return [row["city"] for row in csv.DictReader(f) if row.get("city")]


_classifiers: dict[Path, IntentClassifier] = {}
"""One classifier per team file: preparing one embeds every example, so the evaluation's cases share it."""


async def demo_knowledge(
    store: SqlStore, clock: Clock, tenant: Tenant, pack: Path = DEMO
) -> KnowledgeService:
    """The real knowledge base over `store`, seeded with a pack's articles (the demo's `kb/` by default).

    The same as the app's (`KnowledgeStore`, `DocumentExtractor`, MiniLM); the shared cached embedder
    makes re-seeding a fresh store per evaluation case cheap. Close it with `.close()`.
    """
    knowledge = KnowledgeService(
        index=KnowledgeStore(store), reader=DocumentExtractor(), embedder=embedder(), clock=clock
    )
    for path in sorted((pack / "kb").glob("*.md")):
        await knowledge.ingest(tenant=tenant, filename=path.name, data=path.read_bytes())
    return knowledge


async def build_responder(
    agents: Agents,
    wa_id: str,
    *,
    brains_for: Callable[[Agent], Sequence[Brain]] | None = None,
    team_file: Path = ROOT / "teams/lumen.yaml",
    pack: Path = DEMO,
) -> tuple[TeamResponder, ToolContext]:
    """A team responder for one customer over the seeded store (the demo's by default), with the local
    brain (or `brains_for`)."""
    ctx = await agents.ctx(wa_id)
    vocabulary = await load_vocabulary(
        ctx.data, ctx.tenant.id, cities=customer_cities(pack), business=ctx.tenant.name
    )
    if team_file not in _classifiers:
        classifier = IntentClassifier(
            embedder(), team(team_file), vocabulary=vocabulary, dictionary=dictionary_words()
        )
        classifier.prepare()
        _classifiers[team_file] = classifier
    classifier = _classifiers[team_file]
    reader = SlotReader(vocabulary, timezone=ctx.tz)
    local = LocalBrain(classifier, reader)
    responder = TeamResponder(
        team(team_file),
        supervisor=Supervisor(team(team_file), classifier, reader),
        local=local,
        brains_for=brains_for or (lambda agent: []),
        tool_context=lambda turn: agents.ctx(turn.contact.wa_id),
    )
    return responder, ctx


def message(ctx: ToolContext, text: str, *, direction: Direction, at: datetime, **content: Any) -> Message:
    return Message(
        id=next(_ids),
        tenant_id=ctx.tenant.id,
        conversation_id=ctx.conversation.id,
        direction=direction,
        type="text",
        text=text,
        content=content,
        status=MessageStatus.RECEIVED,
        created_at=at,
    )


@dataclass
class Chat:
    """A conversation with the team: each `say` is one turn; the agent state is kept between turns."""

    responder: TeamResponder
    ctx: ToolContext
    clock_now: Callable[[], datetime]
    state: dict[str, Any] | None = None
    history: list[Message] = field(default_factory=list)
    handed_off: bool = False
    store: Agents | None = None
    """When set, every message is also stored, as the product does, so the message tools see it."""

    async def say(self, text: str, **content: Any) -> Answer:
        inbound = message(self.ctx, text, direction=Direction.IN, at=self.clock_now(), **content)
        if self.store is not None:
            await self.store.say(self.ctx.contact.wa_id, text, minutes=0)
        turn = Turn(
            tenant=self.ctx.tenant,
            contact=self.ctx.contact,
            conversation=self.ctx.conversation,
            message=inbound,
            history=tuple(self.history),
        )
        outcome = await self.responder.respond_with_state(turn, self.state)
        self.state = outcome.state
        self.handed_off = self.handed_off or outcome.handoff
        self.history.append(inbound)
        for out in outcome.messages:
            self.history.append(message(self.ctx, body_of(out), direction=Direction.OUT, at=self.clock_now()))
            if self.store is not None:
                await self.store.say(self.ctx.contact.wa_id, body_of(out), inbound=False, minutes=0)
        return outcome


def reply_text(messages: Sequence[OutboundMessage]) -> str:
    """Everything a reply shows: bodies, buttons' titles, list rows."""
    parts: list[str] = []
    for m in messages:
        dumped = m.model_dump()
        parts.append(body_of(m))
        parts += [str(dumped.get(k) or "") for k in ("header", "footer")]
        parts += [b["title"] for b in dumped.get("buttons") or []]
        for section in dumped.get("sections") or []:
            parts += [str(section.get("title") or "")]
            parts += [f"{r['title']} {r.get('description') or ''}" for r in section["rows"]]
    return "\n".join(p for p in parts if p)


LONDON_NOW = datetime(2026, 11, 21, 10, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Europe/London"))
"""The evaluation's clock: Saturday 2026-11-21 10:00 in London."""


async def chat_with(agents: Agents, wa_id: str, **kwargs: Any) -> Chat:
    responder, ctx = await build_responder(agents, wa_id, **kwargs)
    return Chat(responder, ctx, agents.clock.now, store=agents)
