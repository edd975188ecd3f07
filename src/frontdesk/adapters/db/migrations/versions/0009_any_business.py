"""any business: the schema changes of issue #13 (tenants, business packs, business data)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00

Each section below belongs to one part of the issue; see its comment for why the change exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  (used by the sections)
from alembic import op  # noqa: F401

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # --- tenants and operators ---
    # `staff_users.operator`: a platform-level flag above every tenant's owner (may sign in to any
    # tenant, and alone manages tenants). `tenants.disabled_at`: a disabled business's staff cannot sign
    # in, its numbers' webhooks are ignored and no turn runs for it; null is enabled. Plain ALTERs (a
    # constant default and a nullable column are allowed on SQLite), no batch copy (it would cascade).
    op.add_column(
        "staff_users", sa.Column("operator", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("tenants", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    # --- business pack ---
    # --- business data API ---
    # --- locale ---
    pass


def downgrade() -> None:
    # --- locale ---
    # --- business data API ---
    # --- business pack ---
    # --- tenants and operators ---
    # Plain ALTER (SQLite >= 3.35), for the reason above. Disabled tenants become enabled again.
    op.execute("ALTER TABLE tenants DROP COLUMN disabled_at")
    op.execute("ALTER TABLE staff_users DROP COLUMN operator")
    pass
