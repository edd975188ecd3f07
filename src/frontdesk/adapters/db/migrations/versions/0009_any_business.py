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
    # --- business pack ---
    # --- business data API ---
    # --- locale ---
    pass


def downgrade() -> None:
    # --- locale ---
    # --- business data API ---
    # --- business pack ---
    # --- tenants and operators ---
    pass
