"""A tenant's staff: list, add (a new account, or an existing one joining this tenant), change a role,
disable and enable. Owners and admins manage staff; only an owner may make or unmake an owner, and
nobody changes their own role or disables themselves (so a tenant always keeps an owner)."""

from __future__ import annotations

from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import (
    AccountStore,
    Member,
    MemberPage,
    PasswordHasher,
    PermissionDeniedError,
    Role,
    Staff,
)
from frontdesk.services.accounts import SessionsChanged, check_password
from frontdesk.services.audit import AuditService


class UserService:
    def __init__(
        self,
        *,
        accounts: AccountStore,
        passwords: PasswordHasher,
        audit: AuditService,
        clock: Clock,
        sessions_changed: SessionsChanged | None = None,
    ):
        self._accounts = accounts
        self._sessions_changed = sessions_changed
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

    async def add(
        self, actor: Staff, *, email: str, name: str, role: Role, password: str
    ) -> tuple[Member, bool]:
        """Add someone to the tenant; (the member, whether a new account was made). An existing account
        keeps its password and just joins."""
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
