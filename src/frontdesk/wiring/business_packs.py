"""Composition of business packs: import and export of a business (`Frontdesk.business_packs`)."""

from __future__ import annotations

from frontdesk.adapters.db.business_export import SqlBusinessPacks
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.ports import Clock
from frontdesk.services.business_packs import BusinessPacks
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.team import TeamService


def build_business_packs(
    *, store: SqlStore, knowledge: KnowledgeService, team: TeamService, clock: Clock
) -> BusinessPacks:
    """The pack service: rows through the database, documents and team through their services."""
    return BusinessPacks(store=SqlBusinessPacks(store), knowledge=knowledge, team=team, clock=clock)
