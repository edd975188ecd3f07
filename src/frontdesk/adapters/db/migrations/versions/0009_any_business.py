"""any business: the schema changes of issue #13 (tenants, business packs, business data)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00

Each section below belongs to one part of the issue; see its comment for why the change exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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
    # `kb_originals`: a knowledge document's uploaded bytes, so exporting a business pack gives back
    # the files it was given (the chunks hold only the text). A table of its own, so listing and
    # searching documents never read the blobs; it goes with its document.
    op.create_table(
        "kb_originals",
        sa.Column("document_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["kb_documents.id"],
            name=op.f("fk_kb_originals_document_id_kb_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_kb_originals")),
    )
    # --- business data API ---
    # --- locale ---
    pass


def downgrade() -> None:
    # --- locale ---
    # --- business data API ---
    # --- business pack ---
    op.drop_table("kb_originals")
    # --- tenants and operators ---
    # Plain ALTER (SQLite >= 3.35), for the reason above. Disabled tenants become enabled again.
    op.execute("ALTER TABLE tenants DROP COLUMN disabled_at")
    op.execute("ALTER TABLE staff_users DROP COLUMN operator")
    pass
