"""The team admin's pure parts: dry-run business data, following saved versions, model-spec checks."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.domain.models import Tenant
from frontdesk.domain.team import Team, TeamError
from frontdesk.services.agents.team.trial_data import TrialBusinessData
from frontdesk.services.agents.tools import TOOLS
from frontdesk.settings import Settings
from frontdesk.wiring.team import ModelBrains, team_parser
from tests.support.agents import OLIVER, Agents
from tests.support.responders import RecordingResponders

pytest_plugins = ["tests.unit.agents_fixtures"]

TEAM_YAML = (DEMO_DIR / "team.yaml").read_text(encoding="utf-8")


async def dry_run(agents: Agents, tool: str, args: dict[str, Any]) -> tuple[Any, TrialBusinessData]:
    ctx = await agents.ctx(OLIVER)
    data = TrialBusinessData(agents.data)
    return await TOOLS[tool].call(replace(ctx, data=data), args, confirmed=True), data


async def test_a_confirmed_cancel_reads_as_done_but_changes_nothing(agents: Agents) -> None:
    before = await agents.snapshot()
    result, data = await dry_run(agents, "cancel_order", {"order_ref": "LH-100250"})
    assert result.ok and "cancelled" in result.summary
    assert [(w.action, w.details) for w in data.writes] == [
        ("set_order_status", {"order_ref": "LH-100250", "status": "cancelled"})
    ]
    assert await agents.snapshot() == before


@pytest.mark.parametrize(
    ("tool", "args", "action"),
    [
        ("set_marketing_opt_in", {"opt_in": False}, "set_marketing"),
        ("update_preferences", {"preferences": {"likes": "audio"}, "city": "Leeds"}, "update_profile"),
        ("request_data_export", {}, "add_staff_task"),
    ],
)
async def test_account_writes_are_refused_and_listed(
    agents: Agents, tool: str, args: dict[str, Any], action: str
) -> None:
    before = await agents.snapshot()
    result, data = await dry_run(agents, tool, args)
    assert result.ok, result.summary
    assert [w.action for w in data.writes] == [action]
    assert await agents.snapshot() == before


class FakeSource:
    def __init__(self, team: Team):
        self.current, self.team_of, self.asked = 0, team, 0

    async def version(self, tenant_id: int) -> int:
        self.asked += 1
        return self.current

    async def team(self, tenant_id: int) -> tuple[int, Team]:
        return self.current, self.team_of


async def test_a_tenants_team_follows_the_saved_version() -> None:
    team = team_parser(ModelBrains(Settings(_env_file=None)))(TEAM_YAML)  # type: ignore[call-arg]
    source = FakeSource(team)
    responders = RecordingResponders(team, source)  # type: ignore[arg-type]
    tenant = Tenant(id=1, slug="lumen", name="Lumen Home")
    first = await responders.for_tenant(tenant)
    assert await responders.for_tenant(tenant) is first and source.asked == 0  # within check_seconds: no I/O

    responders.invalidate(1)
    assert await responders.for_tenant(tenant) is first and source.asked == 1  # same version: kept

    source.current = 1
    responders.invalidate(1)
    assert await responders.for_tenant(tenant) is not first and len(responders.builds) == 2  # a save: rebuilt


def test_unknown_providers_are_problems_with_path_and_line() -> None:
    parse = team_parser(ModelBrains(Settings(_env_file=None)))  # type: ignore[call-arg]
    text = TEAM_YAML.replace('"anthropic:claude-3-5-haiku-latest"', '"acme:model-x"', 1)
    with pytest.raises(TeamError) as caught:
        parse(text)
    problem = caught.value.problems[0]
    assert problem.location == "supervisor.models[1]" and "unknown provider 'acme'" in problem.message
    assert problem.line is not None and "acme:model-x" in text.splitlines()[problem.line - 1]
