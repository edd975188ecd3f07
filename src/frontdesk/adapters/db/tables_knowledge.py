"""The knowledge base's tables (migration 0002): documents, their chunks, and each tenant's version.

Full-text structures are per dialect and live only in the migration: an FTS5 table `kb_chunks_fts`
kept in step by triggers on SQLite, a generated tsvector column `kb_chunks.search_tsv` with a GIN index
on PostgreSQL. Like the other `tables_*` modules, these join `tables.Base.metadata` when imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.adapters.db.tables import Base, BigId, foreign_id


class KbDocumentRow(Base):
    """An uploaded document; `content_hash` (SHA-256 of the file) tells an identical re-upload apart."""

    __tablename__ = "kb_documents"
    # AUTOINCREMENT: SQLite would otherwise reuse a deleted row's id, and a client still holding it could
    # then fetch, replace or delete a different document.
    __table_args__ = (UniqueConstraint("tenant_id", "filename"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    title: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class KbOriginalRow(Base):
    """A document's uploaded bytes (migration 0009), for exporting a business pack as it came in; apart
    from `kb_documents` so that listing and searching never read them."""

    __tablename__ = "kb_originals"
    document_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("kb_documents.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)


class KbChunkRow(Base):
    """A chunk of a document: its text, what is indexed (`search_text`) and its float32 embedding."""

    __tablename__ = "kb_chunks"
    __table_args__ = (
        Index("ix_kb_chunks_document_id_ordinal", "document_id", "ordinal"),
        {"sqlite_autoincrement": True},  # a replaced chunk's id is never reused
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("kb_documents.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = foreign_id("tenants.id")
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    heading_path: Mapped[list[Any]] = mapped_column(default=list)
    search_text: Mapped[str] = mapped_column(Text)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)


class KbVersionRow(Base):
    """A counter per tenant, bumped by every knowledge-base write: caches of its vectors compare it."""

    __tablename__ = "kb_versions"
    tenant_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(BigInteger, default=0)


kb_chunks: Table = KbChunkRow.__table__  # type: ignore[assignment]
kb_documents: Table = KbDocumentRow.__table__  # type: ignore[assignment]
kb_originals: Table = KbOriginalRow.__table__  # type: ignore[assignment]
kb_versions: Table = KbVersionRow.__table__  # type: ignore[assignment]
