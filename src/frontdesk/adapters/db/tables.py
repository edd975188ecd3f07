"""The schema. Alembic migrations in `migrations/versions` are written from these tables."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A BIGINT primary key on PostgreSQL, but INTEGER on SQLite, where only that gets rowid autoincrement.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON()
Money = Numeric(12, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: Json, list[Any]: Json, Decimal: Money}


def foreign_id(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Mapped[Any]:
    """An indexed id column referring to `target` (`table.id`); its rows go with the row referred to."""
    return mapped_column(BigId, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class TenantRow(Base):
    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    # Days after which messages' text and content are erased (migration 0008); null keeps them.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    # Set while the business is disabled by an operator (migration 0009): no sign-in, webhooks, turns.
    disabled_at: Mapped[datetime | None]


class ChannelRow(Base):
    """A WhatsApp number, of a `kind` (whatsapp_cloud, wa_bridge, aws_social). `phone_number_id` is the key
    its webhooks name it by: Meta's phone number id, or a bridge number's zapw session id.
    `access_token` is a credential: write-only through the API, never logged;
    stored encrypted (`enc:v1:…`, see `frontdesk.adapters.secret_box`)."""

    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    kind: Mapped[str] = mapped_column(String(32), default="whatsapp_cloud")
    phone_number_id: Mapped[str] = mapped_column(String(64), unique=True)
    waba_id: Mapped[str | None] = mapped_column(String(64))
    display_phone_number: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    access_token: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # The latest "test connection" (migration 0007); never tested while `last_test_at` is null.
    last_test_at: Mapped[datetime | None]
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_test_error: Mapped[str | None] = mapped_column(String(500))
    # A send whose outcome is unknown after a crash or timeout: `resend` or `hold` (migration 0008).
    uncertain_sends: Mapped[str] = mapped_column(String(16), default="resend", server_default="resend")
    # Per kind (migration 0010): AWS's id and region of the number; a bridge number's link status, why,
    # since when, its phone's profile name, and whether group messages start turns; and the team version
    # answering on the number (null: the tenant's current team).
    aws_phone_number_id: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(16))
    status_detail: Mapped[str | None] = mapped_column(String(200))
    status_at: Mapped[datetime | None]
    profile_name: Mapped[str | None] = mapped_column(String(200))
    groups: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    team_version: Mapped[int | None] = mapped_column(Integer)


class ContactRow(Base):
    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "wa_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    wa_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    city: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(16))
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ConversationRow(Base):
    """One thread per (number, contact); `status` says who answers: the bot, a human, or nobody."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel_id", "contact_id"),
        Index("ix_conversations_tenant_updated", "tenant_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    channel_id: Mapped[int] = foreign_id("channels.id")
    contact_id: Mapped[int] = foreign_id("contacts.id")
    status: Mapped[str] = mapped_column(String(16), default="bot")
    assigned_agent: Mapped[str | None] = mapped_column(String(64))
    assignee_user_id: Mapped[int | None] = mapped_column(BigId)
    last_inbound_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    # The offline brain's dialogue state (pending question, filled slots, current agent).
    agent_state: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    conversation_id: Mapped[int] = mapped_column(BigId, ForeignKey("conversations.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The channel's id (wamid). Unique: a redelivered webhook cannot store a message twice.
    channel_message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    reply_to: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(String(64))
    tools: Mapped[list[Any]] = mapped_column(default=list)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    tokens_in: Mapped[int | None] = mapped_column(Integer)
    tokens_out: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    sent_at: Mapped[datetime | None]
    status_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # When the text and content were erased (retention or the contact's erasure; migration 0008).
    erased_at: Mapped[datetime | None]


class StatusEventRow(Base):
    """Every status callback, kept so that one arriving before its wamid is stored still applies."""

    __tablename__ = "message_status_events"
    __table_args__ = (UniqueConstraint("channel_message_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_message_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime]


class JobRow(Base):
    """A durable job. Jobs sharing a `key` (a conversation) run one at a time in id order."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_run_at", "status", "run_at"),
        Index("ix_jobs_key_status", "key", "status"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(128))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class OutboxRow(Base):
    """A reply to send. Written in the transaction that finishes the turn; one row per message."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    message_id: Mapped[int] = mapped_column(BigId, ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    conversation_id: Mapped[int] = foreign_id("conversations.id")
    channel_id: Mapped[int] = foreign_id("channels.id")
    to_wa_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    # When the latest attempt was claimed (status `sending`), before the channel was called (0008).
    attempted_at: Mapped[datetime | None]
    # The latest claim's random token: its outcome is written only while the row still carries it (0008).
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int | None] = foreign_id("tenants.id", nullable=True, ondelete="SET NULL")
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime]


class EventRow(Base):
    """A live event for staff (`message.created`, `conversation.updated`, ...), written in the transaction
    that caused it. The id only grows, so a client that reconnects asks for what came after its last one."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_tenant_id_id", "tenant_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


# -- the business's own data (the demo's, or one's own loaded the same way)


class ProductRow(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "sku"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    price: Mapped[Decimal]
    stock: Mapped[int] = mapped_column(Integer)
    rating: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    restock_eta: Mapped[str | None] = mapped_column(String(32))


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("tenant_id", "order_ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    order_ref: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int] = foreign_id("contacts.id")
    items: Mapped[list[Any]]
    total: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(32))
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking: Mapped[str | None] = mapped_column(String(64))
    ordered_at: Mapped[str] = mapped_column(String(10))
    shipped_at: Mapped[str | None] = mapped_column(String(10))
    delivered_at: Mapped[str | None] = mapped_column(String(10))
    eta: Mapped[str | None] = mapped_column(String(10))


class ServiceRow(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    duration_min: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal]
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    requires: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")


class TechnicianRow(Base):
    __tablename__ = "technicians"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[Any]] = mapped_column(default=list)
    areas: Mapped[list[Any]] = mapped_column(default=list)
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("tenant_id", "ref"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    ref: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[int] = foreign_id("services.id")
    technician_id: Mapped[int] = foreign_id("technicians.id")
    contact_id: Mapped[int] = foreign_id("contacts.id")
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    city: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="booked")


class TeamVersionRow(Base):
    """A saved version of a tenant's agent team (YAML), numbered from 1; the newest one serves."""

    __tablename__ = "team_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    version: Mapped[int] = mapped_column(Integer)
    yaml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(200))
    saved_at: Mapped[datetime]


# SQLAlchemy Core handles on the tables, for the adapters' statements (one place, typed as `Table`).
appointments: Table = AppointmentRow.__table__  # type: ignore[assignment]
audit_log: Table = AuditRow.__table__  # type: ignore[assignment]
channels: Table = ChannelRow.__table__  # type: ignore[assignment]
contacts: Table = ContactRow.__table__  # type: ignore[assignment]
conversations: Table = ConversationRow.__table__  # type: ignore[assignment]
events: Table = EventRow.__table__  # type: ignore[assignment]
jobs: Table = JobRow.__table__  # type: ignore[assignment]
messages: Table = MessageRow.__table__  # type: ignore[assignment]
orders: Table = OrderRow.__table__  # type: ignore[assignment]
outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
products: Table = ProductRow.__table__  # type: ignore[assignment]
services: Table = ServiceRow.__table__  # type: ignore[assignment]
status_events: Table = StatusEventRow.__table__  # type: ignore[assignment]
team_versions: Table = TeamVersionRow.__table__  # type: ignore[assignment]
technicians: Table = TechnicianRow.__table__  # type: ignore[assignment]
tenants: Table = TenantRow.__table__  # type: ignore[assignment]
