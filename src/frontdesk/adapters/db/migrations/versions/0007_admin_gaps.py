"""admin gaps: staff last login, channel connection test outcome

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00

`staff_users.last_login_at`: set on each successful login (the Users page shows it).
`channels.last_test_at`, `last_test_ok`, `last_test_error`: the outcome of the latest "test connection",
so the Channels page shows it after a reload and to other staff.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Adding nullable columns is a plain ALTER on both databases (no batch copy of the tables).
    op.add_column("staff_users", sa.Column("last_login_at", _AT, nullable=True))
    op.add_column("channels", sa.Column("last_test_at", _AT, nullable=True))
    op.add_column("channels", sa.Column("last_test_ok", sa.Boolean(), nullable=True))
    op.add_column("channels", sa.Column("last_test_error", sa.String(length=500), nullable=True))


def downgrade() -> None:
    # Plain ALTER (SQLite >= 3.35): a batch copy of `channels` or `staff_users` would cascade-delete
    # their conversations (and messages) or memberships and sessions.
    for column in ("last_test_error", "last_test_ok", "last_test_at"):
        op.execute(f"ALTER TABLE channels DROP COLUMN {column}")
    op.execute("ALTER TABLE staff_users DROP COLUMN last_login_at")
