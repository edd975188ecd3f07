"""hardening: the schema changes of the adversarial-run fixes (issue #11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00

Each section below belongs to one fix; see its comment for why the change exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # --- invitations (adding an existing account to a tenant) ---
    # A tenant invites an e-mail; the person accepts (an account made for the invitation accepts it at
    # its first sign-in). Failed sign-ins are counted per (e-mail, IP) so a stranger cannot lock the
    # real user out from elsewhere; `staff_users.failed_logins`/`locked_until` are no longer used.
    # Accepting takes the invitation's one-time code (`code_digest`, its SHA-256): signing in as the
    # e-mail is not enough, as the admin who chose an account's first password can do that too;
    # `code_failures` counts wrong codes, and a few cancel the invitation.
    _id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    _at = sa.DateTime(timezone=True)
    op.create_table(
        "staff_invitations",
        sa.Column("id", _id, nullable=False),
        sa.Column("tenant_id", _id, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("invited_by", sa.String(length=200), nullable=False),
        sa.Column("creates_account", sa.Boolean(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column("code_failures", sa.Integer(), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.Column("expires_at", _at, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_staff_invitations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitations")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_staff_invitations_tenant_id_email")),
    )
    op.create_index(op.f("ix_staff_invitations_tenant_id"), "staff_invitations", ["tenant_id"])
    op.create_index(op.f("ix_staff_invitations_email"), "staff_invitations", ["email"])
    op.create_table(
        "staff_login_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", _at, nullable=False),
        sa.Column("locked_until", _at, nullable=True),
        sa.PrimaryKeyConstraint("email", "ip", name=op.f("pk_staff_login_failures")),
    )
    op.create_index(
        op.f("ix_staff_login_failures_last_failed_at"), "staff_login_failures", ["last_failed_at"]
    )
    # --- uncertain sends after a crash (per-channel policy) ---
    # `channels.uncertain_sends`: what the dispatcher does with a reply whose send may have reached
    # WhatsApp without the outcome being recorded (a crash mid-send, a Graph timeout): `resend`, as
    # before, or `hold` it for staff. `outbox.attempted_at`: when the latest attempt was claimed.
    # Plain ALTERs (a constant default is allowed on SQLite), no batch copy.
    op.add_column(
        "channels",
        sa.Column("uncertain_sends", sa.String(length=16), nullable=False, server_default="resend"),
    )
    op.add_column("outbox", sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    # `outbox.claim`: a random token each claim sets; a send's outcome is written only while the row is
    # still `sending` under that token, so a slow attempt whose row was reclaimed changes nothing.
    op.add_column("outbox", sa.Column("claim", sa.String(length=32), nullable=True))
    # --- secrets at rest, retention ---
    # Channel tokens are encrypted by the application (it holds the keys, the migration does not): plain
    # ones from before are encrypted at the next start. `tenants.retention_days`: after so many days a
    # message's text and content are erased (null: kept for ever); `messages.erased_at` says when.
    # Nullable columns: a plain ALTER on both databases, no batch copy (which would cascade-delete).
    op.add_column("tenants", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("messages", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # --- secrets at rest, retention ---
    # Plain ALTER (SQLite >= 3.35), for the reason above. Encrypted tokens stay encrypted: decrypt them
    # first (there is no command for it) if the older release must read them.
    op.execute("ALTER TABLE messages DROP COLUMN erased_at")
    op.execute("ALTER TABLE tenants DROP COLUMN retention_days")
    # --- uncertain sends after a crash (per-channel policy) ---
    # Rows held as `uncertain` go back to `failed`, which staff can retry or discard in that release.
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'uncertain'")
    op.execute("ALTER TABLE outbox DROP COLUMN claim")
    op.execute("ALTER TABLE outbox DROP COLUMN attempted_at")
    op.execute("ALTER TABLE channels DROP COLUMN uncertain_sends")
    # --- invitations (adding an existing account to a tenant) ---
    op.drop_table("staff_login_failures")
    op.drop_table("staff_invitations")
