"""Which team serves a business: the default team until it has its own; a pack's team.yaml (the demo's)
is adopted once by the seed, and a seed run again never undoes what staff saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import audit_log, tenants
from frontdesk.adapters.db.team_versions import SqlTeamStore
from frontdesk.adapters.teams import DEFAULT_TEAM, load_team
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import Role, Staff
from frontdesk.domain.team import TeamError
from frontdesk.services.team import TeamService
from frontdesk.settings import Settings
from frontdesk.wiring.team import ModelBrains, seed_team, team_file, team_parser
from tests.unit.conftest import FakeClock

DEMO_TEAM_YAML = (DEMO_DIR / "team.yaml").read_text(encoding="utf-8")


class Responders:
    def __init__(self) -> None:
        self.invalidated: list[int] = []

    def invalidate(self, tenant_id: int) -> None:
        self.invalidated.append(tenant_id)


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def service(store: SqlStore, clock: FakeClock, responders: Any) -> TeamService:
    return TeamService(
        store=SqlTeamStore(store),
        parse=team_parser(ModelBrains(settings())),
        file_yaml=team_file(settings()).read_text(encoding="utf-8"),
        file_team=load_team(team_file(settings())),
        responders=responders,
        clock=clock,
    )


async def demo_tenant(store: SqlStore) -> Tenant:
    async with store.read() as conn:
        row = (await conn.execute(select(tenants).where(tenants.c.slug == "lumen"))).one()
    return Tenant(id=row.id, slug=row.slug, name=row.name, timezone=row.timezone)


def test_the_configured_team_is_the_default_team() -> None:
    assert team_file(settings()) == DEFAULT_TEAM


async def test_a_business_without_a_team_is_served_the_default(store: SqlStore, clock: FakeClock) -> None:
    current = await service(store, clock, Responders()).current(tenant=await demo_tenant(store))
    assert (current.version, current.source) == (0, "file")
    assert current.yaml == DEFAULT_TEAM.read_text(encoding="utf-8")


async def test_a_packs_team_is_adopted_once_and_never_over_a_saved_one(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    responders = Responders()
    teams, tenant = service(store, clock, responders), await demo_tenant(store)
    assert await seed_team(teams, tenant, tmp_path / "team.yaml") == 0  # the pack has none
    assert await seed_team(teams, tenant, DEMO_DIR / "team.yaml") == 1
    current = await teams.current(tenant=tenant)
    assert (current.version, current.source, current.saved_by) == (1, "saved", "system")
    assert current.yaml == DEMO_TEAM_YAML and current.team.name == "Lumen Home"
    assert responders.invalidated == [tenant.id]
    async with store.read() as conn:
        actors = (
            await conn.execute(select(audit_log.c.actor).where(audit_log.c.action == "team.updated"))
        ).all()
    assert [a.actor for a in actors] == ["system"]

    assert await seed_team(teams, tenant, DEMO_DIR / "team.yaml") == 0  # seeded again: nothing new
    staff = Staff(tenant=tenant, user_id=1, email="owner@example.com", role=Role.OWNER)
    edited = DEMO_TEAM_YAML.replace("I'm the {business_name} assistant.", "I'm {business_name}'s helper.")
    await teams.save(staff=staff, yaml=edited, base_version=1)
    assert await seed_team(teams, tenant, DEMO_DIR / "team.yaml") == 0
    assert (await teams.current(tenant=tenant)).yaml == edited


async def test_an_invalid_pack_team_is_refused_and_nothing_is_saved(
    store: SqlStore, clock: FakeClock, tmp_path: Path
) -> None:
    teams, tenant = service(store, clock, Responders()), await demo_tenant(store)
    broken = tmp_path / "team.yaml"
    broken.write_text(
        DEMO_TEAM_YAML.replace("tools: [list_orders,", "tools: [cancel_everything, list_orders,", 1)
    )
    with pytest.raises(TeamError):
        await seed_team(teams, tenant, broken)
    assert (await teams.current(tenant=tenant)).source == "file"
