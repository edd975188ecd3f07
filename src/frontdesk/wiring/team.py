"""Composition of the agent team (part of the composition root): the team file, each agent's model
chain from the provider settings, the per-tenant responder over the business's data, and the team's
admin service (saved versions, validation, dry runs).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.team_versions import SqlTeamStore
from frontdesk.adapters.embeddings.words import dictionary_words
from frontdesk.adapters.llm import ProviderConfig, build_language_model
from frontdesk.adapters.teams import DEFAULT_TEAM, line_of, load_team, parse_team
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.team import LOCAL_MODEL, Agent, Team, TeamError, TeamProblem
from frontdesk.services.agents.brains.contract import Brain
from frontdesk.services.agents.brains.llm import LlmBrain
from frontdesk.services.agents.team.per_tenant import TeamResponders
from frontdesk.services.agents.tools import TOOLS
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.team import StoredTeamSource, TeamService
from frontdesk.settings import Settings

EDITED_SOURCE = "team (admin UI)"
"""How errors name a team edited in the admin UI (a file's errors name the file)."""


@dataclass(frozen=True, kw_only=True)
class TeamServices:
    responders: TeamResponders
    """The responder of every tenant's current team (the product's `Responder`)."""
    service: TeamService
    """The team admin API's service."""


class ModelBrains:
    """Each model spec's brain, built on first use and kept: one per spec however many agents name it,
    and a saved team may name a spec the file team did not."""

    def __init__(self, s: Settings):
        self._config = provider_config(s)
        self._brains: dict[str, Brain | None] = {}

    def brain(self, spec: str) -> Brain | None:
        """The brain of `spec`; None when its provider has no credentials; `ConfigurationError` when
        the provider is unknown or the spec malformed (the rule the start-up applies)."""
        if spec not in self._brains:
            model = build_language_model(spec, self._config)
            self._brains[spec] = LlmBrain(spec, model) if model is not None else None
        return self._brains[spec]

    def chain(self, agent: Agent) -> list[Brain]:
        """The agent's remote brains in order; the chain stops at `local` (the team's offline brain)."""
        specs = itertools.takewhile(lambda spec: spec != LOCAL_MODEL, agent.models)
        return [brain for spec in specs if (brain := self.brain(spec)) is not None]

    def problems(self, team: Team) -> list[TeamProblem]:
        """The team's model specs that cannot be built, by path (`agents[0].models[1]`)."""
        owners: list[tuple[tuple[str | int, ...], tuple[str, ...]]] = [
            (("supervisor",), team.supervisor.models),
            *((("agents", i), agent.models) for i, agent in enumerate(team.agents)),
        ]
        problems = []
        for path, models in owners:
            for j, spec in enumerate(models):
                if spec == LOCAL_MODEL:
                    continue
                try:
                    self.brain(spec)
                except ConfigurationError as exc:
                    message = str(exc).removeprefix(f"model {spec!r}: ")
                    problems.append(TeamProblem((*path, "models", j), message))
        return problems


def team_parser(brains: ModelBrains) -> Callable[[str], Team]:
    """Validates a team's YAML exactly as the start-up validates the file: `TeamError` with every problem."""

    def parse(text: str) -> Team:
        team = parse_team(text, source=EDITED_SOURCE, known_tools=TOOLS)
        problems = brains.problems(team)
        if problems:
            located = [TeamProblem(p.path, p.message, line_of(text, p.path)) for p in problems]
            raise TeamError(located, source=EDITED_SOURCE)
        return team

    return parse


def build_team(
    s: Settings,
    store: SqlStore,
    knowledge: KnowledgeService,
    embedder: Embedder,
    clock: Clock,
    *,
    on_saved: Callable[[int], None] | None = None,
) -> TeamServices:
    """The agent team: each tenant's saved version, else `FRONTDESK_TEAM_FILE` (or the default team).

    The file team's models are built now, so a bad provider name stops the start, not a turn. `on_saved`
    is called with the tenant id after a save (the bus tells the other processes' team caches)."""
    file_team = configured_team(s)
    brains = ModelBrains(s)
    for agent in file_team.agents:
        brains.chain(agent)
    parse = team_parser(brains)
    versions = SqlTeamStore(store)
    responders = TeamResponders(
        file_team,
        embedder=embedder,
        dictionary=dictionary_words(),
        data=SqlBusinessData(store),
        knowledge=knowledge,
        messages=SqlMessageSearch(store),
        clock=clock,
        brains_for=brains.chain,
        brain_timeout=s.llm_timeout_seconds,
        source=StoredTeamSource(store=versions, parse=parse, file_team=file_team),
    )
    service = TeamService(
        store=versions,
        parse=parse,
        file_yaml=team_file(s).read_text(encoding="utf-8"),
        file_team=file_team,
        responders=responders,
        clock=clock,
        on_saved=on_saved,
    )
    return TeamServices(responders=responders, service=service)


async def seed_team(service: TeamService, tenant: Tenant, path: Path) -> int:
    """A pack's own team (its `team.yaml`, e.g. the demo's) as the tenant's team when it has none yet, so
    that the default team serves every other business; 1 when adopted, 0 otherwise (no file, or the
    tenant already has a team: a seed run again never undoes what staff saved)."""
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except FileNotFoundError:
        return 0
    return int(await service.adopt(tenant=tenant, yaml=text, actor="system"))


def team_file(s: Settings) -> Path:
    """The team file `FRONTDESK_TEAM_FILE` names, or the default team (`teams/default.yaml`)."""
    return s.team_file or DEFAULT_TEAM


def configured_team(s: Settings) -> Team:
    """The team file `FRONTDESK_TEAM_FILE` names (or the default); `TeamError` saying what is wrong."""
    return load_team(team_file(s), known_tools=TOOLS)


def provider_config(s: Settings) -> ProviderConfig:
    """The LLM providers' credentials and limits from the settings."""

    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None

    return ProviderConfig(
        openai_api_key=secret(s.openai_api_key),
        openai_base_url=s.openai_base_url,
        openai_compatible_api_key=secret(s.openai_compatible_api_key),
        anthropic_api_key=secret(s.anthropic_api_key),
        anthropic_base_url=s.anthropic_base_url,
        gemini_api_key=secret(s.gemini_api_key),
        gemini_base_url=s.gemini_base_url,
        bedrock_region=s.bedrock_region,
        bedrock_base_url=s.bedrock_base_url,
        bedrock_access_key_id=secret(s.bedrock_access_key_id),
        bedrock_secret_access_key=secret(s.bedrock_secret_access_key),
        timeout=s.llm_timeout_seconds,
        max_retries=s.llm_max_retries,
        max_tokens=s.llm_max_tokens,
    )
