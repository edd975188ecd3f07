"""The invited person's side of invitations: see them, accept or decline them.

An account joins a tenant only by its own act: accepting an invitation while signed in, with the
invitation's one-time code, or (for an account the tenant's invitation made) signing in for the first
time. The code is what the person got from the inviting admin: being signed in as the e-mail proves
nothing when an admin chose the account's first password and can sign in as it too. Each step is
audited in the inviting tenant; an acceptance is also recorded in the tenants the account already
worked for, so they can see it joined another one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.invitations import CodeCheck, Invitation, InvitationStore
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import AccountStore, Staff
from frontdesk.services.audit import AuditService

INVITATION_TTL = timedelta(days=7)
MAX_CODE = 64
"""Longer than any code we make (22 characters): the API refuses longer ones."""


def new_code() -> tuple[str, str]:
    """A one-time invitation code (128 random bits) and the digest that is stored instead of it."""
    code = secrets.token_urlsafe(16)
    return code, code_digest(code)


def code_digest(code: str) -> str:
    # A plain SHA-256 is enough, as for session tokens: the code is random, not a chosen password.
    return hashlib.sha256(code.encode()).hexdigest()


class InvitationService:
    def __init__(
        self, *, invitations: InvitationStore, accounts: AccountStore, audit: AuditService, clock: Clock
    ):
        self._invitations = invitations
        self._accounts = accounts
        self._audit = audit
        self._clock = clock

    async def mine(self, staff: Staff) -> list[Invitation]:
        """The live invitations to the caller's e-mail, oldest first."""
        return await self._invitations.of_email(staff.email, now=self._clock.now())

    async def accept(self, staff: Staff, invitation_id: int, code: str) -> Invitation:
        """Join the inviting tenant with the invited role; `NotFoundError` unless it is the caller's,
        live, and `code` is its code (a wrong code looks like no invitation, and the fifth cancels it),
        `ConflictError` if they are a member there already."""
        assert staff.user_id is not None
        home = [m.tenant.id for m in await self._accounts.memberships(staff.user_id)]
        check, invitation = await self._invitations.accept(
            invitation_id,
            email=staff.email,
            user_id=staff.user_id,
            now=self._clock.now(),
            code_digest=code_digest(code),  # a missing code ("") is a wrong one, and counted as such
        )
        if check is CodeCheck.CANCELLED and invitation is not None:
            await self._audit.record(
                tenant_id=invitation.tenant.id,
                actor=staff.email,
                action="invitation.cancelled",
                target_type="invitation",
                target_id=invitation.id,
                details={
                    "email": invitation.email,
                    "role": invitation.role.value,
                    "reason": "too many wrong codes",
                },
            )
        if check is not CodeCheck.ACCEPTED or invitation is None:
            raise NotFoundError(f"invitation {invitation_id} not found")
        await self._accepted(invitation, staff.user_id, home)
        return invitation

    async def decline(self, staff: Staff, invitation_id: int) -> None:
        """Say no: the invitation is gone, and the inviting tenant's audit log says so."""
        declined = await self._invitations.remove(invitation_id, email=staff.email, live_at=self._clock.now())
        if declined is None:
            raise NotFoundError(f"invitation {invitation_id} not found")
        await self._audit.record(
            tenant_id=declined.tenant.id,
            actor=staff.email,
            action="invitation.declined",
            target_type="invitation",
            target_id=declined.id,
            details={"email": declined.email, "role": declined.role.value},
        )

    async def accept_at_first_sign_in(self, *, user_id: int, email: str) -> None:
        """Accept the invitation that made this account (signing in with the password it was made with is
        the person's consent); nothing if there is none."""
        now = self._clock.now()
        made = await self._invitations.made_account(email, now=now)
        if made is None:
            return
        # No code: the password this account was made with came with this invitation, from its admin.
        check, accepted = await self._invitations.accept(
            made.id, email=email, user_id=user_id, now=now, code_digest=None
        )
        if check is CodeCheck.ACCEPTED and accepted is not None:
            await self._accepted(accepted, user_id, [])

    async def _accepted(self, invitation: Invitation, user_id: int, home: list[int]) -> None:
        details = {"email": invitation.email, "role": invitation.role.value}
        await self._audit.record(
            tenant_id=invitation.tenant.id,
            actor=invitation.email,
            action="invitation.accepted",
            target_type="user",
            target_id=user_id,
            details={**details, "invitation": invitation.id},
        )
        for tenant_id in home:  # the tenants it already worked for learn it joined another, by its act
            await self._audit.record(
                tenant_id=tenant_id,
                actor=invitation.email,
                action="account.joined_tenant",
                target_type="user",
                target_id=user_id,
                details={**details, "tenant": invitation.tenant.slug},
            )
