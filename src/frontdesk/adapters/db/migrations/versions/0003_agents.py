"""agents: staff tasks, returns, and the brain's dialogue state on conversations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00

`staff_tasks`: work a person must finish (data export/deletion, a return, a callback).
`returns`: a return of an order's items; the order moves to `return_requested` with it.
`conversations.agent_state`: nullable JSON, the offline brain's slot-filling state between turns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(column: str, table: str, owner: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{owner}_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "staff_tasks",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=False),
        sa.Column("conversation_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        _fk("tenant_id", "tenants", "staff_tasks"),
        _fk("contact_id", "contacts", "staff_tasks"),
        _fk("conversation_id", "conversations", "staff_tasks", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_tasks")),
    )
    with op.batch_alter_table("staff_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_tasks_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_tasks_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_tasks_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(
            "ix_staff_tasks_tenant_status_created", ["tenant_id", "status", "created_at"], unique=False
        )

    op.create_table(
        "returns",
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("contact_id", _ID, nullable=False),
        sa.Column("staff_task_id", _ID, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("tenant_id", "tenants", "returns"),
        _fk("order_id", "orders", "returns"),
        _fk("contact_id", "contacts", "returns"),
        _fk("staff_task_id", "staff_tasks", "returns", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("tenant_id", "ref", name=op.f("uq_returns_tenant_id_ref")),
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_returns_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_returns_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_returns_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_returns_staff_task_id"), ["staff_task_id"], unique=False)

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_state", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain ALTER (SQLite >= 3.35): a batch copy of `conversations` would cascade-delete its messages.
    op.execute("ALTER TABLE conversations DROP COLUMN agent_state")
    op.drop_table("returns")
    op.drop_table("staff_tasks")
