"""A tenant's staff: list, invite, change a role, disable and enable. Owners and admins manage staff;
only an owner may make or unmake an owner, and nobody changes their own role or disables themselves (so a
tenant always keeps an owner).

Admins *invite* (`invite`): the person joins by accepting (see `services.invitations`), and the answer
is the same whether the e-mail has an account elsewhere or not, so the users API is no way to learn
about other tenants' staff. Only the server's operator, on the command line, adds someone directly
(`add`)."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime

from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.invitations import Invitation, InvitationStore, NewInvitation
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import (
    Account,
    AccountStore,
    Member,
    MemberPage,
    PasswordHasher,
    PermissionDeniedError,
    Role,
    Staff,
    check_email,
)
from frontdesk.services.accounts import SessionsChanged, check_password
from frontdesk.services.audit import AuditService
from frontdesk.services.invitations import INVITATION_TTL, new_code


class UserService:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        invitations: InvitationStore,
        passwords: PasswordHasher,
        audit: AuditService,
        clock: Clock,
        sessions_changed: SessionsChanged | None = None,
    ):
        self._accounts = accounts
        self._sessions_changed = sessions_changed
        self._invitations = invitations
        self._passwords = passwords
        self._audit = audit
        self._clock = clock

    async def list(self, actor: Staff, *, limit: int, offset: int) -> MemberPage:
        """The tenant's staff, by e-mail."""
        return await self._accounts.members(actor.tenant.id, limit=limit, offset=offset)

    async def get(self, actor: Staff, user_id: int) -> Member:
        """One member of the tenant; `NotFoundError` for anyone else."""
        member = await self._accounts.member(actor.tenant.id, user_id)
        if member is None:
            raise NotFoundError(f"user {user_id} not found")
        return member

    async def invite(
        self, actor: Staff, *, email: str, name: str, role: Role, password: str
    ) -> tuple[Invitation, str]:
        """Invite `email` with `role`: (the invitation, its one-time code for the admin to hand over);
        the same answer, in about the same time, whether it has an account or not. A new e-mail gets an
        account with this name and password, which joins at its first sign-in; an existing account
        (anywhere) must accept with the code, and keeps its name and password (this one is dropped)."""
        self._may_grant(actor, role)
        check_password(password)
        email = email.strip().lower()
        now = self._clock.now()
        # Hashed in both cases, so the time taken does not tell them apart.
        password_hash = await self._passwords.hash(password)
        account = await self._usable_account(email, now)
        if account is not None and await self._accounts.member(actor.tenant.id, account.id) is not None:
            raise ConflictError("that person is already a member of this tenant")
        code, digest = new_code()
        invitation = NewInvitation(
            tenant_id=actor.tenant.id,
            email=email,
            role=role,
            invited_by=actor.email,
            created_at=now,
            expires_at=now + INVITATION_TTL,
            creates_account=account is None,
            code_digest=digest,
        )
        if account is None:
            try:
                await self._accounts.create_account(
                    email=email, name=name, password_hash=password_hash, now=now
                )
            except ConflictError:  # made a moment ago by someone else: it is an existing account now
                invitation = replace(invitation, creates_account=False)
        invited = await self._invitations.create(invitation)
        await self._audit.record(
            tenant_id=actor.tenant.id,
            actor=actor.email,
            action="invitation.created",
            target_type="invitation",
            target_id=invited.id,
            details={"email": email, "role": role.value, "expires_at": invited.expires_at.isoformat()},
        )
        return invited, code

    async def _usable_account(self, email: str, now: datetime) -> Account | None:
        """The account of `email`, unless nobody can ever use it: never signed in, in no tenant, and no
        live invitation made it (its own invitation expired, was declined or cancelled). Such an
        account is deleted, and the e-mail is new again."""
        account = await self._accounts.account_by_email(email)
        if account is None or account.last_login_at is not None:
            return account
        if await self._invitations.made_account(email, now=now) is not None:
            return account
        return None if await self._accounts.remove_unused(account.id) else account

    async def invitations(self, actor: Staff) -> builtins.list[Invitation]:
        """The tenant's invitations not yet accepted, declined or cancelled (expired ones too), newest
        first."""
        return await self._invitations.of_tenant(actor.tenant.id, now=self._clock.now())

    async def cancel_invitation(self, actor: Staff, invitation_id: int) -> None:
        """Withdraw one of the tenant's invitations; `NotFoundError` for any other id."""
        cancelled = await self._invitations.remove(invitation_id, tenant_id=actor.tenant.id)
        if cancelled is None:
            raise NotFoundError(f"invitation {invitation_id} not found")
        await self._audit.record(
            tenant_id=actor.tenant.id,
            actor=actor.email,
            action="invitation.cancelled",
            target_type="invitation",
            target_id=invitation_id,
            details={"email": cancelled.email, "role": cancelled.role.value},
        )

    async def add(
        self, actor: Staff, *, email: str, name: str, role: Role, password: str
    ) -> tuple[Member, bool]:
        """The operator's command line only (never a tenant's admin): add someone to the tenant at once;
        (the member, whether a new account was made). An existing account keeps its password."""
        self._may_grant(actor, role)
        email = email.strip().lower()
        now = self._clock.now()
        account = await self._accounts.account_by_email(email)
        created = account is None
        if account is None:
            check_password(password)
            password_hash = await self._passwords.hash(password)
            user_id = await self._accounts.create_account(
                email=email, name=name, password_hash=password_hash, now=now
            )
        else:
            user_id = account.id
        await self._accounts.add_membership(user_id=user_id, tenant_id=actor.tenant.id, role=role, now=now)
        await self._audit.record(
            tenant_id=actor.tenant.id,
            actor=actor.email,
            action="user.added",
            target_type="user",
            target_id=user_id,
            details={"email": email, "role": role.value, "new_account": created},
        )
        return await self.get(actor, user_id), created

    async def make_operator(self, *, email: str, name: str, password: str) -> tuple[Account, bool]:
        """The server's command line only: make `email` a platform operator, a new account with this
        password or an existing one promoted (its password unchanged); (the account, new?)."""
        email = check_email(email)
        account = await self._accounts.account_by_email(email)
        created = account is None
        if account is None:
            check_password(password)
            password_hash = await self._passwords.hash(password)
            await self._accounts.create_account(
                email=email, name=name, password_hash=password_hash, now=self._clock.now()
            )
            account = await self._accounts.account_by_email(email)
            assert account is not None
        await self._accounts.set_operator(account.id, operator=True)
        await self._audit.record(
            tenant_id=None,
            actor="cli",
            action="operator.granted",
            target_type="user",
            target_id=account.id,
            details={"email": email, "new_account": created},
        )
        return account, created

    async def operators(self) -> builtins.list[Account]:
        """Every platform operator, by e-mail."""
        return await self._accounts.operators()

    async def update(self, actor: Staff, user_id: int, *, role: Role | None, disabled: bool | None) -> Member:
        """Change a member's role and/or disable or enable them; disabling ends their sessions here."""
        member = await self.get(actor, user_id)
        if user_id == actor.user_id and (role not in (None, member.role) or disabled):
            raise ConflictError("you cannot change your own role or disable yourself")
        if member.role is Role.OWNER or role is Role.OWNER:
            self._may_grant(actor, Role.OWNER)
        now = self._clock.now()
        await self._accounts.update_member(actor.tenant.id, user_id, role=role, disabled=disabled, now=now)
        if disabled:
            await self._accounts.revoke_sessions(now=now, user_id=user_id, tenant_id=actor.tenant.id)
        if (disabled or role is not None) and self._sessions_changed is not None:
            await self._sessions_changed()  # their open connections close now if they must
        changes = {
            **({"role": [member.role.value, role.value]} if role not in (None, member.role) else {}),
            **({"disabled": disabled} if disabled is not None and disabled != member.disabled else {}),
        }
        if changes:
            await self._audit.record(
                tenant_id=actor.tenant.id,
                actor=actor.email,
                action="user.changed",
                target_type="user",
                target_id=user_id,
                details=changes,
            )
        return await self.get(actor, user_id)

    @staticmethod
    def _may_grant(actor: Staff, role: Role) -> None:
        if role is Role.OWNER and actor.role is not Role.OWNER:
            raise PermissionDeniedError("only an owner may make or change an owner")
