"""A team per number, the responders' cache: a pinned version is built once per (tenant, version) and
kept in a bounded LRU, shares the current team when it is the current version, and an unknown version
falls back to the current team with a warning."""

from __future__ import annotations

import logging

import pytest

from frontdesk.domain.models import Tenant
from frontdesk.domain.team import Team
from tests.support.responders import RecordingResponders, team_of

LUMEN = Tenant(id=1, slug="lumen", name="Lumen Home")
ACME = Tenant(id=2, slug="acme", name="Acme")
CURRENT = 3


class Source:
    """Saved versions 1 to `CURRENT` of every tenant; each version's team is a distinct object."""

    def __init__(self) -> None:
        self.teams = {v: Team.model_construct(name=f"v{v}") for v in range(CURRENT + 1)}
        self.asked: list[tuple[int, int]] = []

    async def version(self, tenant_id: int) -> int:
        return CURRENT

    async def team(self, tenant_id: int) -> tuple[int, Team]:
        return CURRENT, self.teams[CURRENT]

    async def team_at(self, tenant_id: int, version: int) -> Team | None:
        self.asked.append((tenant_id, version))
        return self.teams.get(version)


async def test_a_pinned_version_is_built_once_per_tenant() -> None:
    source = Source()
    responders = RecordingResponders(source.teams[0], source)
    first = await responders.for_version(LUMEN, 1)
    assert team_of(first) == "v1"
    assert await responders.for_version(LUMEN, 1) is first and source.asked == [(1, 1)]  # kept: no I/O
    theirs = await responders.for_version(ACME, 1)
    assert theirs is not first and source.asked == [(1, 1), (2, 1)]  # another tenant's is its own


async def test_a_pin_to_the_current_version_shares_the_current_team() -> None:
    source = Source()
    responders = RecordingResponders(source.teams[0], source)
    current = await responders.for_tenant(LUMEN)
    assert await responders.for_version(LUMEN, CURRENT) is current
    assert len(responders.builds) == 1 and source.asked == []


async def test_pinned_teams_are_bounded() -> None:
    source = Source()
    responders = RecordingResponders(source.teams[0], source, max_pinned=2)
    one = await responders.for_version(LUMEN, 1)
    await responders.for_version(LUMEN, 2)
    assert await responders.for_version(LUMEN, 1) is one  # used last: version 2 is now the oldest
    await responders.for_version(LUMEN, 0)  # the third: version 2 goes
    assert await responders.for_version(LUMEN, 1) is one
    rebuilt = await responders.for_version(LUMEN, 2)
    assert team_of(rebuilt) == "v2" and source.asked.count((1, 2)) == 2


async def test_an_unknown_version_answers_with_the_current_team(caplog: pytest.LogCaptureFixture) -> None:
    source = Source()
    responders = RecordingResponders(source.teams[0], source)
    with caplog.at_level(logging.WARNING):
        answered = await responders.for_version(LUMEN, 42)
    assert team_of(answered) == f"v{CURRENT}"
    assert "team version 42 of tenant 1 not found" in caplog.text
