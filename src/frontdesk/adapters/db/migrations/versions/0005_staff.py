"""staff: accounts, their roles per tenant, their sessions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00

`staff_users`: e-mail, argon2 password hash, failed-login counter and lockout.
`staff_memberships`: a user's role in one tenant (unique per user and tenant); `disabled_at`.
`staff_sessions`: a signed-in device; the refresh token's SHA-256 (rotated on refresh, the previous
one kept to detect replay), expiry and revocation. Access tokens carry the session id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def _fk(column: str, table: str, owner: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{owner}_{column}_{table}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", _ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _AT, nullable=True),
        sa.Column("password_changed_at", _AT, nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "staff_memberships",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("disabled_at", _AT, nullable=True),
        _fk("user_id", "staff_users", "staff_memberships"),
        _fk("tenant_id", "tenants", "staff_memberships"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_memberships")),
        sa.UniqueConstraint("user_id", "tenant_id", name=op.f("uq_staff_memberships_user_id_tenant_id")),
    )
    with op.batch_alter_table("staff_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_memberships_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_memberships_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("refreshed_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("revoked_at", _AT, nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        _fk("user_id", "staff_users", "staff_sessions"),
        _fk("tenant_id", "tenants", "staff_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_staff_sessions_refresh_hash")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sessions_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_sessions_previous_hash"), ["previous_hash"], unique=False)
        batch_op.create_index("ix_staff_sessions_user_id_revoked_at", ["user_id", "revoked_at"], unique=False)


def downgrade() -> None:
    op.drop_table("staff_sessions")
    op.drop_table("staff_memberships")
    op.drop_table("staff_users")
