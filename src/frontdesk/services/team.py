"""The agent team in the admin UI: read the tenant's current team, validate an edit, save it as a new
version, and try a message against a draft without side effects.

The tenant's team is its newest saved version, or the configured team file (version 0) while none was
saved. A save is validated exactly like the file at start-up (`parse`: YAML, model, cross-references,
known tools and providers), names the version it started from (`StaleTeamError` if someone saved
since), is audited as `team.updated`, and reaches the running team without a restart (`TeamResponders`
compares version numbers; `invalidate` makes this process's next turn look at once, and `on_saved`
tells the other processes through the bus's `cache` topic).

A number may be pinned to one version (a team per number; `Channel.team_version`): the team state lists
the tenant's numbers with the version answering on each, and a try may run a saved version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_records import InvalidField
from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.domain.models import Contact, Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.domain.team import HANDOFF_TOOL, Team, TeamError
from frontdesk.domain.team_versions import (
    FILE_VERSION,
    ChannelTeam,
    TeamStore,
    TeamVersion,
    has_version,
    unknown_version,
)
from frontdesk.services.agents.team.per_tenant import TeamResponders
from frontdesk.services.agents.tools import TOOLS
from frontdesk.services.audit import staff_entry
from frontdesk.services.team_trial import Trial, TrialRequest, run_trial

log = logging.getLogger(__name__)

TeamParser = Callable[[str], Team]
"""Validates a team's YAML like the start-up does; raises `TeamError` with located problems."""

HANDOFF_DESCRIPTION = "Hand the conversation to staff (every agent and the supervisor may use it)."


@dataclass(frozen=True, kw_only=True)
class TeamState:
    """The team serving a tenant now: its version, where it comes from, its text and parsed form."""

    version: int
    source: Literal["file", "saved"]
    yaml: str
    team: Team
    saved_by: str | None = None
    saved_at: datetime | None = None
    channels: Sequence[ChannelTeam] = ()
    """The tenant's numbers and the version each is pinned to (None: this, the current team)."""


@dataclass(frozen=True, kw_only=True)
class ToolInfo:
    name: str
    description: str


def tool_catalog() -> list[ToolInfo]:
    """Every tool a team may name, with what it does, by name."""
    tools = [ToolInfo(name=name, description=tool.description) for name, tool in TOOLS.items()]
    tools.append(ToolInfo(name=HANDOFF_TOOL, description=HANDOFF_DESCRIPTION))
    return sorted(tools, key=lambda t: t.name)


class StoredTeamSource:
    """The team serving each tenant, for `TeamResponders`: the newest saved version, else the file."""

    def __init__(self, *, store: TeamStore, parse: TeamParser, file_team: Team):
        self._store = store
        self._parse = parse
        self._file_team = file_team

    async def version(self, tenant_id: int) -> int:
        return await self._store.current_version(tenant_id)

    async def team(self, tenant_id: int) -> tuple[int, Team]:
        saved = await self._store.latest(tenant_id)
        if saved is None:
            return FILE_VERSION, self._file_team
        return saved.version, self._team_of(saved)

    async def team_at(self, tenant_id: int, version: int) -> Team | None:
        if version == FILE_VERSION:
            return self._file_team
        saved = await self._store.saved(tenant_id, version)
        return self._team_of(saved) if saved is not None else None

    def _team_of(self, saved: TeamVersion) -> Team:
        return saved_team(saved, parse=self._parse, file_team=self._file_team)


def saved_team(saved: TeamVersion, *, parse: TeamParser, file_team: Team) -> Team:
    """The team a saved version declares; the file's team when this build no longer accepts it."""
    try:
        return parse(saved.yaml)
    except TeamError:
        # Valid when saved, but this build no longer accepts it (a tool or provider was removed): keep
        # answering customers with the file's team; the admin UI shows the problems on validate.
        log.exception(
            "saved team version %s of tenant %s is invalid; using the team file",
            saved.version,
            saved.tenant_id,
        )
        return file_team


class TeamService:
    def __init__(
        self,
        *,
        store: TeamStore,
        parse: TeamParser,
        file_yaml: str,
        file_team: Team,
        responders: TeamResponders,
        clock: Clock,
        on_saved: Callable[[int], None] | None = None,
    ):
        self._store = store
        self._parse = parse
        self._file_yaml = file_yaml
        self._file_team = file_team
        self._responders = responders
        self._clock = clock
        self._on_saved = on_saved
        """Called with the tenant id after a version is saved: tells the other processes' team caches."""

    async def current(self, *, tenant: Tenant) -> TeamState:
        """The tenant's team now: the newest saved version, or the configured file (version 0)."""
        saved = await self._store.latest(tenant.id)
        channels = await self._store.channel_teams(tenant.id)
        if saved is None:
            return TeamState(
                version=FILE_VERSION,
                source="file",
                yaml=self._file_yaml,
                team=self._file_team,
                channels=channels,
            )
        return TeamState(
            version=saved.version,
            source="saved",
            yaml=saved.yaml,
            team=self._parse_saved(saved),
            saved_by=saved.saved_by,
            saved_at=saved.saved_at,
            channels=channels,
        )

    def check(self, *, yaml: str) -> Team:
        """The team `yaml` declares; `TeamError` listing every problem (path, line, message)."""
        return self._parse(yaml)

    async def save(self, *, staff: Staff, yaml: str, base_version: int) -> TeamState:
        """Validate `yaml` and store it as the version after `base_version`; audited as `team.updated`.

        `TeamError` (nothing saved) when invalid; `StaleTeamError` when `base_version` is not current."""
        team = self._parse(yaml)
        now = self._clock.now()
        version = TeamVersion(
            tenant_id=staff.tenant.id, version=base_version + 1, yaml=yaml, saved_by=staff.email, saved_at=now
        )
        entry = staff_entry(
            staff,
            "team.updated",
            target_type="team",
            target_id=version.version,
            now=now,
            details={
                "version": version.version,
                "base_version": base_version,
                "agents": [a.name for a in team.agents],
            },
        )
        await self._store.append(version, audit=entry)
        self._saved(staff.tenant.id)
        return TeamState(
            version=version.version,
            source="saved",
            yaml=yaml,
            team=team,
            saved_by=staff.email,
            saved_at=now,
            channels=await self._store.channel_teams(staff.tenant.id),
        )

    async def adopt(self, *, tenant: Tenant, yaml: str, actor: str) -> bool:
        """Make `yaml` the tenant's team when it has none of its own yet (a business pack's `team.yaml`
        brought in by the demo seed, `actor` `system`); False, changing nothing, once it has one: a seed
        run again never undoes what staff saved since. `TeamError` when invalid."""
        if await self._store.latest(tenant.id) is not None:
            return False
        team = self._parse(yaml)
        now = self._clock.now()
        version = TeamVersion(
            tenant_id=tenant.id, version=FILE_VERSION + 1, yaml=yaml, saved_by=actor, saved_at=now
        )
        entry = AuditEntry(
            tenant_id=tenant.id,
            actor=actor,
            action="team.updated",
            at=now,
            target_type="team",
            target_id=str(version.version),
            details={
                "version": version.version,
                "base_version": FILE_VERSION,
                "agents": [a.name for a in team.agents],
            },
        )
        await self._store.append(version, audit=entry)
        self._saved(tenant.id)
        return True

    def _saved(self, tenant_id: int) -> None:
        self._responders.invalidate(tenant_id)
        if self._on_saved is not None:
            self._on_saved(tenant_id)

    async def try_message(
        self,
        *,
        tenant: Tenant,
        message: str,
        yaml: str | None = None,
        version: int | None = None,
        wa_id: str | None = None,
        tapped: str | None = None,
        state: dict[str, Any] | None = None,
    ) -> Trial:
        """Answer `message` with the draft `yaml` or the saved `version` (default: the current team) as
        `wa_id`'s conversation would, without storing, sending or changing anything (writes are refused
        and listed). `InvalidField` when the tenant has no such version."""
        if yaml is not None:
            team = self._parse(yaml)
        elif version is not None:
            team = await self.team_at(tenant=tenant, version=version)
        else:
            team = (await self.current(tenant=tenant)).team
        contact = await self._contact(tenant, wa_id)
        request = TrialRequest(tenant=tenant, contact=contact, text=message, tapped=tapped, state=state)
        try:
            return await run_trial(self._responders, team, request, now=self._clock.now())
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if state is None:
                raise
            # The state comes from the client: junk must not pass for a server error.
            raise InvalidInputError("state is not one a try returned: start the conversation again") from exc

    async def team_at(self, *, tenant: Tenant, version: int) -> Team:
        """The tenant's team as of `version` (0: the team file); `InvalidField` (on the body's `version`)
        when it has no such version."""
        current = await self._store.current_version(tenant.id)
        if not has_version(version, current):
            raise InvalidField(("body", "version"), unknown_version(version, current))
        if version == FILE_VERSION:
            return self._file_team
        saved = await self._store.saved(tenant.id, version)
        if saved is None:  # a concurrent tenant deletion: nothing else removes a version
            raise InvalidField(("body", "version"), unknown_version(version, current))
        return self._parse_saved(saved)

    async def _contact(self, tenant: Tenant, wa_id: str | None) -> Contact:
        contact = await self._store.contact(tenant.id, wa_id)
        if contact is None:
            raise NotFoundError(f"no customer with WhatsApp number {wa_id}" if wa_id else "no customers yet")
        return contact

    def _parse_saved(self, saved: TeamVersion) -> Team:
        return saved_team(saved, parse=self._parse, file_team=self._file_team)
