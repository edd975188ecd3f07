"""Staff: the people who work a tenant's inbox, and what their role lets them do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from frontdesk.domain.models import Tenant


class Role(StrEnum):
    """A staff member's role in one tenant, from most to least powerful."""

    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, minimum: Role) -> bool:
        """Whether this role may do what `minimum` may (an owner may do everything an agent may)."""
        return self.rank >= minimum.rank


_RANKS = {Role.VIEWER: 0, Role.AGENT: 1, Role.ADMIN: 2, Role.OWNER: 3}


@dataclass(frozen=True, kw_only=True)
class Staff:
    """The authenticated caller of the admin API: who they are and the tenant they act in."""

    tenant: Tenant
    user_id: int | None
    email: str
    role: Role
