"""A tenant's agent team as edited in the admin UI: numbered versions of its YAML, newest wins.

Version 0 is the configured team file (`FRONTDESK_TEAM_FILE` or the demo's); every save appends
version n+1. A save names the version it was based on, so two people editing at once cannot overwrite
each other silently: the second gets `StaleTeamError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import ConflictError
from frontdesk.domain.models import Contact

FILE_VERSION = 0
"""The version number of the configured team file (no saved version yet)."""


@dataclass(frozen=True, kw_only=True)
class TeamVersion:
    """One saved version of a tenant's team."""

    tenant_id: int
    version: int
    yaml: str
    saved_by: str
    saved_at: datetime


@dataclass(frozen=True, kw_only=True)
class ChannelTeam:
    """Which team answers on one of a tenant's numbers (a team per number: sales and support)."""

    id: int
    name: str | None
    kind: ChannelKind
    display_phone_number: str | None
    enabled: bool
    team_version: int | None
    """The version pinned on the number; None: the tenant's current team (it follows every save)."""


def unknown_version(version: int, current: int) -> str:
    """Why `version` cannot be used: versions run from 0 (the team file) to the tenant's `current`."""
    if current == FILE_VERSION:
        return f"no team version {version} in this business: it has only version 0 (the team file)"
    return f"no team version {version} in this business: its versions are 0 (the team file) to {current}"


def has_version(version: int, current: int) -> bool:
    """Whether a tenant whose newest version is `current` has `version` (saves number them 1, 2, ...
    without gaps and none is ever deleted, so every number up to the current one exists)."""
    return FILE_VERSION <= version <= current


class StaleTeamError(ConflictError):
    """The team was saved by someone else since the version this save was based on."""

    def __init__(self, *, base_version: int, current: int):
        self.base_version = base_version
        self.current = current
        super().__init__(
            f"someone saved a newer version of the team (version {current}; this edit started from "
            f"version {base_version}): reload it and make the change again"
        )


class TeamStore(Protocol):
    """Where saved team versions live (and what a dry run of the team may read)."""

    async def current_version(self, tenant_id: int) -> int:
        """The tenant's newest saved version number; `FILE_VERSION` when none was saved (cheap)."""
        ...

    async def latest(self, tenant_id: int) -> TeamVersion | None:
        """The tenant's newest saved version; None when none was saved."""
        ...

    async def saved(self, tenant_id: int, version: int) -> TeamVersion | None:
        """The tenant's saved `version`; None when it has no such version (0 is never saved)."""
        ...

    async def channel_teams(self, tenant_id: int) -> list[ChannelTeam]:
        """The tenant's numbers, oldest first, with the team version each is pinned to."""
        ...

    async def append(self, version: TeamVersion, *, audit: AuditEntry) -> TeamVersion:
        """Store `version` (which must be the current number + 1) with its audit entry, atomically.

        `StaleTeamError` when that version number is already taken (someone saved meanwhile)."""
        ...

    async def contact(self, tenant_id: int, wa_id: str | None) -> Contact | None:
        """The tenant's contact with this WhatsApp id, or its first contact when `wa_id` is None."""
        ...
