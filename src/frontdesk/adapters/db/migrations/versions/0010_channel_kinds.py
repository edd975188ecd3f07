"""channel kinds: the schema changes of issue #14 (the zapw bridge, AWS End User Messaging, a team per number)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:00:00

Each section below belongs to one part of the issue; see its comment for why the change exists.
Plain ALTERs only (nullable columns or constant defaults are allowed on SQLite), no batch copy of
`channels` (it is referenced by conversations and the outbox; a copy would cascade).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_COLUMNS: tuple[sa.Column[object], ...] = (
    # --- channel kinds ---
    # AWS End User Messaging's id of the number and its region (aws_social only).
    sa.Column("aws_phone_number_id", sa.String(length=200), nullable=True),
    sa.Column("region", sa.String(length=32), nullable=True),
    # --- the bridge ---
    # A bridge number's link as zapw reports it (qr_waiting, connected, disconnected...), why, since
    # when, and the WhatsApp profile name of the linked phone; whether group messages start turns.
    sa.Column("status", sa.String(length=16), nullable=True),
    sa.Column("status_detail", sa.String(length=200), nullable=True),
    sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("profile_name", sa.String(length=200), nullable=True),
    sa.Column("groups", sa.Boolean(), nullable=False, server_default=sa.false()),
    # --- a team per number ---
    # The tenant's team version (its number, not a row id) that answers on this number; null: the
    # tenant's current team.
    sa.Column("team_version", sa.Integer(), nullable=True),
)


def upgrade() -> None:
    # --- channel kinds ---
    # Every channel so far is a Cloud API number (the column existed, always written so).
    op.execute("UPDATE channels SET kind = 'whatsapp_cloud' WHERE kind IS NULL OR kind = ''")
    for column in _NEW_COLUMNS:
        op.add_column("channels", column)


def downgrade() -> None:
    # Numbers of the new kinds stay, disabled: the older release knows only the Cloud API.
    op.execute("UPDATE channels SET enabled = false WHERE kind <> 'whatsapp_cloud'")
    for column in reversed(_NEW_COLUMNS):
        op.execute(f"ALTER TABLE channels DROP COLUMN {column.name}")
