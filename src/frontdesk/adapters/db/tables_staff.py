"""Tables for staff accounts (migration 0005): users, their memberships of tenants, their sessions.

They live on `tables.Base`, so `Base.metadata` is complete only once this module is imported: the
staff adapter and the migrations' `env.py` import it.

- `staff_users`: one person, one e-mail, one argon2 password hash; `operator` (0009) marks the platform's
  operators, who act in any tenant as an owner and alone manage tenants. (Its `failed_logins` and
  `locked_until` are no longer used: since 0008 failures are counted per e-mail and IP address.)
- `staff_memberships`: the person's role in one tenant (a person may work for several tenants);
  `disabled_at` shuts them out of that tenant only.
- `staff_sessions`: one signed-in device. The refresh token is stored as its SHA-256 only; a refresh
  rotates it (the previous hash is kept to spot a stolen token being replayed); access tokens carry
  the session id, so revoking the session refuses them too.
- `staff_invitations` (0008): a tenant's offer of a role to an e-mail, waiting for the person to accept;
  deleted once accepted, declined or cancelled (the audit log keeps the story).
- `staff_login_failures` (0008): failed sign-ins per (e-mail, IP address), known e-mails or not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.adapters.db.tables import Base, BigId, foreign_id


class StaffUserRow(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]  # migration 0007
    # Platform-level, above every tenant's owner: signs in to any tenant, manages tenants (0009).
    operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class StaffMembershipRow(Base):
    __tablename__ = "staff_memberships"
    __table_args__ = (UniqueConstraint("user_id", "tenant_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = foreign_id("staff_users.id")
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_user_id_revoked_at", "user_id", "revoked_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = foreign_id("staff_users.id")
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    refresh_hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    refreshed_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class StaffInvitationRow(Base):
    __tablename__ = "staff_invitations"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[str] = mapped_column(String(200))
    creates_account: Mapped[bool] = mapped_column(Boolean, default=False)
    code_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the one-time code, never the code
    code_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class StaffLoginFailureRow(Base):
    __tablename__ = "staff_login_failures"
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
