"""Composition of the agent team (part of the composition root): the team file, each agent's model
chain from the provider settings, and the per-tenant responder over the business's data.
"""

from __future__ import annotations

import itertools

from pydantic import SecretStr

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.embeddings.words import dictionary_words
from frontdesk.adapters.llm import ProviderConfig, build_model
from frontdesk.adapters.teams import load_team
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.ports import Clock
from frontdesk.domain.team import LOCAL_MODEL, Team
from frontdesk.services.agents.assembly import TeamResponders
from frontdesk.services.agents.brain import Brain
from frontdesk.services.agents.llm_brain import LlmBrain
from frontdesk.services.agents.tools import TOOLS
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.settings import Settings


def team_responders(
    s: Settings, store: SqlStore, knowledge: KnowledgeService, embedder: Embedder, clock: Clock
) -> TeamResponders:
    """The agent team from `FRONTDESK_TEAM_FILE` (or the demo's), with each agent's model chain.

    Every model in the team is built now, so a bad provider name stops the start, not a turn."""
    team = configured_team(s)
    config = provider_config(s)
    remote = {spec for agent in team.agents for spec in agent.models if spec != LOCAL_MODEL}
    brains: dict[str, Brain] = {}
    for spec in sorted(remote):  # one model per spec, however many agents name it
        model = build_model(spec, config)
        if model is not None:
            brains[spec] = LlmBrain(spec, model, timeout=s.llm_timeout_seconds)
    # A chain stops at `local`: the team's offline brain answers from there.
    chains: dict[str, list[Brain]] = {
        agent.name: [
            brains[spec]
            for spec in itertools.takewhile(lambda spec: spec != LOCAL_MODEL, agent.models)
            if spec in brains
        ]
        for agent in team.agents
    }
    return TeamResponders(
        team,
        embedder=embedder,
        dictionary=dictionary_words(),
        data=SqlBusinessData(store),
        knowledge=knowledge,
        messages=SqlMessageSearch(store),
        clock=clock,
        brains_for=lambda agent: chains.get(agent.name, []),
        brain_timeout=s.llm_timeout_seconds,
    )


def configured_team(s: Settings) -> Team:
    """The team file `FRONTDESK_TEAM_FILE` names (or the demo's); `TeamError` saying what is wrong."""
    return load_team(s.team_file or DEMO_DIR / "team.yaml", known_tools=TOOLS)


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
