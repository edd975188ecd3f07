"""Tables the agent team adds (migration 0003): staff tasks and returns.

They live on `tables.Base`, so `Base.metadata` is complete only once this module is imported: the
business adapter and the migrations' `env.py` import it. Migration 0003 also adds the nullable JSON
column `conversations.agent_state` (a brain's dialogue state), read with the conversation and written
by `Tx.save_agent_state`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.adapters.db.tables import Base, BigId, foreign_id


class StaffTaskRow(Base):
    """Work only a person can finish: data export or deletion, a return to process, a callback."""

    __tablename__ = "staff_tasks"
    __table_args__ = (Index("ix_staff_tasks_tenant_status_created", "tenant_id", "status", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    contact_id: Mapped[int] = foreign_id("contacts.id")
    conversation_id: Mapped[int | None] = foreign_id("conversations.id", nullable=True, ondelete="SET NULL")
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class ReturnRow(Base):
    """A return of some or all items of an order, with its own life after the order's delivery.

    The order itself moves to `return_requested`, which stops a second return and shows in its status.
    """

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("tenant_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    ref: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = foreign_id("orders.id")
    contact_id: Mapped[int] = foreign_id("contacts.id")
    staff_task_id: Mapped[int | None] = foreign_id("staff_tasks.id", nullable=True, ondelete="SET NULL")
    kind: Mapped[str] = mapped_column(String(16))
    items: Mapped[list[Any]]
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    created_at: Mapped[datetime]


staff_tasks: Table = StaffTaskRow.__table__  # type: ignore[assignment]
returns: Table = ReturnRow.__table__  # type: ignore[assignment]
