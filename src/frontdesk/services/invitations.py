"""The invited person's side of invitations: see them, accept or decline them.

An account joins a tenant only by its own act: accepting an invitation while signed in, or (for an
account the tenant's invitation made) signing in for the first time. Each step is audited in the
inviting tenant; an acceptance is also recorded in the tenants the account already worked for, so they
can see it joined another one.
"""

from __future__ import annotations

from datetime import timedelta

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.invitations import Invitation, InvitationStore
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import AccountStore, Staff
from frontdesk.services.audit import AuditService

INVITATION_TTL = timedelta(days=7)


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

    async def accept(self, staff: Staff, invitation_id: int) -> Invitation:
        """Join the inviting tenant with the invited role; `NotFoundError` unless it is the caller's and
        live, `ConflictError` if they are a member there already."""
        assert staff.user_id is not None
        home = [m.tenant.id for m in await self._accounts.memberships(staff.user_id)]
        accepted = await self._invitations.accept(
            invitation_id, email=staff.email, user_id=staff.user_id, now=self._clock.now()
        )
        if accepted is None:
            raise NotFoundError(f"invitation {invitation_id} not found")
        await self._accepted(accepted, staff.user_id, home)
        return accepted

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
        accepted = await self._invitations.accept(made.id, email=email, user_id=user_id, now=now)
        if accepted is not None:
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
