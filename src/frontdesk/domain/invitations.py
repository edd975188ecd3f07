"""Invitations: how a tenant asks a person to join its staff.

A tenant's admin never attaches an account on their own: they invite an e-mail, and the person behind it
accepts (or declines) once signed in. An e-mail without an account gets its account made with the
invitation, and that invitation is accepted by the account's first sign-in (nobody else's consent is
needed for an account the tenant itself made). The admin's answer is the same in both cases, so
inviting never tells whether an e-mail has an account elsewhere.

Being signed in as the e-mail is not enough to accept: whoever chose an account's first password (the
admin whose invitation made it) can sign in as it too, and must not carry it into other tenants. So
every invitation has a one-time *code*, shown once to the inviting admin, who hands it to the person
(there is no e-mail from the product; the admin is the channel, as for a first password). Accepting
takes the code; a few wrong codes cancel the invitation (`MAX_CODE_FAILURES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import Role


@dataclass(frozen=True, kw_only=True)
class Invitation:
    """A tenant's standing offer of a role to whoever signs in with `email`."""

    id: int
    tenant: Tenant
    email: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    expired: bool = False
    """Past `expires_at` when it was read: it can no longer be accepted."""


MAX_CODE_FAILURES = 5
"""Wrong codes an invitation takes before it is cancelled: 5 guesses at a 128-bit code."""


class CodeCheck(Enum):
    """How an acceptance with a code went (`InvitationStore.accept`)."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    """Live and addressed to the caller, but the wrong code: counted."""
    CANCELLED = "cancelled"
    """The wrong code that used up the invitation's allowance: it is deleted."""
    NOT_FOUND = "not_found"


@dataclass(frozen=True, kw_only=True)
class NewInvitation:
    tenant_id: int
    email: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    creates_account: bool
    """The account was made for this invitation: its first sign-in accepts it."""
    code_digest: str
    """SHA-256 (hex) of the one-time code; the code itself is never stored."""


class InvitationStore(Protocol):
    """Where invitations wait. Only live (or expired, not yet replaced) invitations are kept: an accepted,
    declined or cancelled one is deleted, and the audit log remembers it."""

    async def create(self, new: NewInvitation) -> Invitation:
        """Store it, replacing an expired one for the same tenant and e-mail; `ConflictError` if a live
        one exists."""
        ...

    async def of_tenant(self, tenant_id: int, *, now: datetime) -> list[Invitation]:
        """The tenant's invitations, newest first (expired ones too, marked as of `now`)."""
        ...

    async def of_email(self, email: str, *, now: datetime) -> list[Invitation]:
        """The live invitations to `email`, oldest first."""
        ...

    async def made_account(self, email: str, *, now: datetime) -> Invitation | None:
        """The live invitation that made the account of `email`, if any."""
        ...

    async def accept(
        self, invitation_id: int, *, email: str, user_id: int, now: datetime, code_digest: str | None
    ) -> tuple[CodeCheck, Invitation | None]:
        """Make `user_id` a member with the invited role and delete the invitation, in one transaction,
        if it is live, addressed to `email` and `code_digest` matches its code (compared in constant
        time; None skips the check, for the first sign-in of the account it made). A wrong code is
        counted, and the `MAX_CODE_FAILURES`th deletes it. The invitation comes back unless NOT_FOUND.
        `ConflictError` if already a member."""
        ...

    async def remove(
        self,
        invitation_id: int,
        *,
        email: str | None = None,
        tenant_id: int | None = None,
        live_at: datetime | None = None,
    ) -> Invitation | None:
        """Delete it if it is addressed to `email`, sent by `tenant_id` and live at `live_at` (whichever
        are given); what was deleted."""
        ...
