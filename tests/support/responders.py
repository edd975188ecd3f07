"""The real per-tenant team cache (`TeamResponders`) with a build that only records what it was asked to
build: building embeds every example phrasing, which is the slow part the cache saves, and the tests
check which team was built, for whom and when."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.models import Tenant
from frontdesk.domain.team import Team
from frontdesk.services.agents.team.per_tenant import TeamResponders, TeamSource
from frontdesk.services.agents.team.responder import TeamResponder


class Built:
    """Stands for a built responder: which team, for which tenant."""

    def __init__(self, team: Team, tenant: Tenant):
        self.team, self.tenant = team, tenant


class RecordingResponders(TeamResponders):
    """`TeamResponders` serving `team` (the team file) and the saved versions of `source`; `builds`
    lists what it built, in order."""

    def __init__(self, team: Team, source: TeamSource, *, max_pinned: int = 16):
        super().__init__(
            team,
            embedder=None,  # type: ignore[arg-type]
            dictionary=(),
            data=None,  # type: ignore[arg-type]
            knowledge=None,  # type: ignore[arg-type]
            messages=None,  # type: ignore[arg-type]
            clock=None,  # type: ignore[arg-type]
            brains_for=lambda agent: [],
            brain_timeout=1.0,
            source=source,
            check_seconds=3600,
            max_pinned=max_pinned,
        )
        self.builds: list[Built] = []

    async def build(self, team: Team, tenant: Tenant, **_: Any) -> TeamResponder:
        self.builds.append(Built(team, tenant))
        return self.builds[-1]  # type: ignore[return-value]


def team_of(responder: TeamResponder) -> str:
    """The name of the team a `RecordingResponders` answer was built from."""
    built: Built = responder  # type: ignore[assignment]
    return built.team.name
