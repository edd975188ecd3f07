"""team versions: the agent team as edited in the admin UI

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00

`team_versions`: one row per save of a tenant's team (its YAML), numbered 1, 2, ... per tenant (unique,
so two saves from the same base cannot both win). The newest row serves; a tenant without rows uses the
configured team file (version 0).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "team_versions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_team_versions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_versions")),
        sa.UniqueConstraint("tenant_id", "version", name=op.f("uq_team_versions_tenant_id_version")),
    )
    with op.batch_alter_table("team_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_versions_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    op.drop_table("team_versions")
