"""`KnowledgeStore`: the knowledge base on the Frontdesk database (implements `KnowledgeIndex`).

A document's chunks are swapped in one transaction (delete the old ones, insert the new ones, with their
full-text entries and vectors), so a search sees the whole old document or the whole new one. Every
write bumps the tenant's `kb_versions` counter, which vector caches compare (see `kb_vectors`).
A document's uploaded file (its "original", for business-pack exports) goes to the `FileStore`, at a key
holding its hash: it is written inside the transaction, before the row that points at it commits, and
deleted again if that transaction fails; the replaced file is deleted once the new row is committed.
Originals kept in the database before the file store took them (`kb_originals`, migration 0009) are
still read, and move to the file store when their document is next written or exported. Without a
file store (tests), originals stay in `kb_originals`.
Full text: SQLite FTS5 ranked by `bm25()`; PostgreSQL `tsvector` ranked by `ts_rank`. Either way the
query ORs the given words, each passed as a quoted term or a bound parameter: user text never becomes
query syntax.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from functools import reduce
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, column, delete, func, select, table, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.kb_vectors import NumpyVectors, VectorSearch
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables_knowledge import kb_chunks, kb_documents, kb_originals, kb_versions
from frontdesk.adapters.db.transaction import upsert_insert
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.files import FileStore, kb_document_prefix, kb_original_key
from frontdesk.domain.knowledge import (
    Candidates,
    Chunk,
    ChunkOutline,
    DocumentDetail,
    DocumentFormat,
    DocumentPage,
    KnowledgeDocument,
    NewDocument,
    StoredChunk,
)

log = logging.getLogger(__name__)

# FTS5 columns: search_text, tenant ("t<id>", weight 0 in the ranking). See migration 0002.
_SQLITE_MATCH = text(
    "SELECT rowid AS id FROM kb_chunks_fts WHERE kb_chunks_fts MATCH :query "
    "ORDER BY bm25(kb_chunks_fts, 1.0, 0.0) LIMIT :limit"
)
# PostgreSQL's side table of tsvectors (migration 0002); not mapped, only searched.
_search = table("kb_chunk_search", column("chunk_id"), column("tenant_id"), column("search_tsv"))


class KnowledgeStore:
    """Documents, chunks, full-text entries and vectors of every tenant's knowledge base."""

    def __init__(
        self, store: SqlStore, *, files: FileStore | None = None, vectors: VectorSearch | None = None
    ):
        self._store = store
        self._files = files
        self._vectors = vectors or NumpyVectors()

    # -- writes

    async def put_document(
        self,
        *,
        tenant_id: int,
        document: NewDocument,
        chunks: Sequence[Chunk],
        vectors: NDArray[np.float32],
        now: datetime,
        document_id: int | None = None,
        original: bytes | None = None,
    ) -> tuple[KnowledgeDocument, bool]:
        """Store a document and swap in its chunks in one transaction; True when it replaced one."""
        if len(chunks) != vectors.shape[0]:
            raise ValueError(f"{len(chunks)} chunks but {vectors.shape[0]} vectors")
        rows = [_chunk_row(tenant_id, chunk, vector) for chunk, vector in zip(chunks, vectors, strict=True)]
        fields = {**document.model_dump(), "chunk_count": len(rows), "updated_at": now}
        old_key: str | None = None
        written: str | None = None  # the file this call wrote, removed again if its row does not commit
        try:
            async with self._store.begin() as conn:
                if document_id is None:
                    document_id, replaced, old_hash = await _upsert(conn, tenant_id, fields, now)
                else:
                    # Locks the row first (SELECT ... FOR UPDATE on PostgreSQL): a racing replace waits,
                    # and the hash read is the one this write replaces.
                    old_hash = await _current_hash(conn, tenant_id, document_id, lock=True)
                    await _update(conn, tenant_id, document_id, fields)
                    replaced = True
                await conn.execute(delete(kb_chunks).where(kb_chunks.c.document_id == document_id))
                for row in rows:
                    row["document_id"] = document_id
                if rows:
                    await conn.execute(kb_chunks.insert(), rows)
                if self._files is None:
                    await _keep_original(conn, document_id, original)
                else:
                    await _keep_original(conn, document_id, None)  # an old row moves to the file store
                    if old_hash is not None:
                        old_key = kb_original_key(tenant_id, document_id, old_hash)
                    if original is not None:
                        written = kb_original_key(tenant_id, document_id, document.content_hash)
                        await self._files.put(written, original, None)
                await _bump_version(conn, tenant_id)
                stored = await _document(conn, tenant_id, document_id)
        except BaseException as exc:
            if written is not None and written != old_key:
                await self._forget_files(written)
            if isinstance(exc, IntegrityError):  # two uploads raced for one filename
                raise ConflictError(
                    f"a document called {document.filename!r} was written concurrently"
                ) from exc
            raise
        finally:
            self._vectors.forget(tenant_id)
        if old_key is not None and old_key != written:
            await self._forget_files(old_key)
        return stored, replaced

    async def _forget_files(self, key: str, *, prefix: bool = False) -> None:
        """Delete a file (or a document's files) no row points at any more. A failure is logged, not
        raised: the database is already right, and a stray file is only space (the tenant's prefix and
        the document's still cover it)."""
        if self._files is None:
            return
        try:
            await (self._files.delete_prefix(key) if prefix else self._files.delete(key))
        except Exception:
            log.warning(
                "could not delete a knowledge file no document uses", extra={"key": key}, exc_info=True
            )

    async def originals(self, *, tenant_id: int) -> dict[str, bytes]:
        """The tenant's documents' uploaded files by filename: from the file store, or from
        `kb_originals` for a document stored before it (moved to the file store on the way)."""
        async with self._store.read() as conn:
            result = await conn.execute(
                select(
                    kb_documents.c.id,
                    kb_documents.c.filename,
                    kb_documents.c.content_hash,
                    kb_originals.c.data,
                )
                .outerjoin(kb_originals, kb_originals.c.document_id == kb_documents.c.id)
                .where(kb_documents.c.tenant_id == tenant_id)
                .order_by(kb_documents.c.filename)
            )
            rows = result.all()
        found: dict[str, bytes] = {}
        for row in rows:
            key = kb_original_key(tenant_id, row.id, row.content_hash)
            if row.data is not None:
                found[row.filename] = bytes(row.data)
                if self._files is not None:
                    try:
                        await _move_original(self._store, self._files, row.id, key, found[row.filename])
                    except Exception:  # the bytes are read: the export goes on; the move is tried next time
                        log.warning(
                            "could not move a knowledge original to the file store",
                            extra={"document_id": row.id},
                            exc_info=True,
                        )
            elif self._files is not None:
                try:
                    found[row.filename] = (await self._files.get(key)).data
                except NotFoundError:  # stored before originals were kept (0009): nothing to export
                    continue
        return found

    async def delete_document(self, *, tenant_id: int, document_id: int) -> None:
        """Remove a document with its chunks (their full-text entries go with them)."""
        async with self._store.begin() as conn:
            await conn.execute(
                delete(kb_chunks).where(
                    kb_chunks.c.document_id == document_id, kb_chunks.c.tenant_id == tenant_id
                )
            )
            gone = await conn.execute(
                delete(kb_documents).where(
                    kb_documents.c.id == document_id, kb_documents.c.tenant_id == tenant_id
                )
            )
            if gone.rowcount != 1:
                raise NotFoundError(f"document {document_id} not found")
            await _bump_version(conn, tenant_id)
        self._vectors.forget(tenant_id)
        await self._forget_files(kb_document_prefix(tenant_id, document_id), prefix=True)

    # -- documents

    async def document_by_filename(self, *, tenant_id: int, filename: str) -> KnowledgeDocument | None:
        async with self._store.read() as conn:
            row = (
                await conn.execute(
                    select(kb_documents).where(
                        kb_documents.c.tenant_id == tenant_id, kb_documents.c.filename == filename
                    )
                )
            ).first()
        return _to_document(row) if row else None

    async def get_document(self, *, tenant_id: int, document_id: int) -> KnowledgeDocument:
        async with self._store.read() as conn:
            return await _document(conn, tenant_id, document_id)

    async def document_detail(self, *, tenant_id: int, document_id: int) -> DocumentDetail:
        """The document and an outline of its chunks, read in one snapshot."""
        async with self._store.read() as conn:
            document = await _document(conn, tenant_id, document_id)
            rows = await conn.execute(
                select(
                    kb_chunks.c.id,
                    kb_chunks.c.ordinal,
                    kb_chunks.c.heading_path,
                    func.length(kb_chunks.c.text).label("chars"),
                )
                .where(kb_chunks.c.document_id == document_id)
                .order_by(kb_chunks.c.ordinal)
            )
            outline = tuple(
                ChunkOutline(id=r.id, ordinal=r.ordinal, heading_path=tuple(r.heading_path), chars=r.chars)
                for r in rows
            )
        return DocumentDetail(document=document, chunks=outline)

    async def list_documents(self, *, tenant_id: int, limit: int, offset: int) -> DocumentPage:
        """The tenant's documents by filename, `limit` of them from `offset`, and the total."""
        mine = kb_documents.c.tenant_id == tenant_id
        async with self._store.read() as conn:
            total = (await conn.execute(select(func.count()).where(mine))).scalar_one()
            rows = await conn.execute(
                select(kb_documents)
                .where(mine)
                .order_by(kb_documents.c.filename, kb_documents.c.id)
                .limit(limit)
                .offset(offset)
            )
            items = tuple(_to_document(row) for row in rows)
        return DocumentPage(items=items, total=total)

    # -- search

    async def candidates(
        self, *, tenant_id: int, words: Sequence[str], vector: NDArray[np.float32] | None, limit: int
    ) -> Candidates:
        """Chunks matching any of `words` by full-text rank, and nearest to `vector`, from one snapshot."""
        async with self._store.read() as conn:
            by_text = await _full_text(conn, tenant_id, words, limit) if words else []
            by_vector = (
                await self._vectors.nearest(conn, tenant_id=tenant_id, vector=vector, k=limit)
                if vector is not None
                else []
            )
            chunks = await _stored_chunks(conn, tenant_id, {*by_text, *by_vector})
        return Candidates(by_text=tuple(by_text), by_vector=tuple(by_vector), chunks=chunks)


def _chunk_row(tenant_id: int, chunk: Chunk, vector: NDArray[np.float32]) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "ordinal": chunk.ordinal,
        "text": chunk.text,
        "heading_path": list(chunk.heading_path),
        "search_text": chunk.search_text,
        "embedding": np.ascontiguousarray(vector, dtype=np.float32).tobytes(),
    }


async def _upsert(
    conn: AsyncConnection, tenant_id: int, fields: dict[str, Any], now: datetime
) -> tuple[int, bool, str | None]:
    """Insert the document, or update the tenant's one with its filename: (id, whether it existed, the
    content hash it had). The old row is locked before its hash is read (FOR UPDATE on PostgreSQL; SQLite
    holds the write lock already), so a replace racing with this one cannot slip its hash in between."""
    where = (kb_documents.c.tenant_id == tenant_id, kb_documents.c.filename == fields["filename"])
    old = (
        await conn.execute(
            select(kb_documents.c.id, kb_documents.c.content_hash).where(*where).with_for_update()
        )
    ).first()
    stmt = upsert_insert(conn, kb_documents).values(tenant_id=tenant_id, created_at=now, **fields)
    stmt = stmt.on_conflict_do_update(index_elements=["tenant_id", "filename"], set_=fields)
    document_id = (await conn.execute(stmt.returning(kb_documents.c.id))).scalar_one()
    return int(document_id), old is not None, None if old is None else old.content_hash


async def _update(conn: AsyncConnection, tenant_id: int, document_id: int, fields: dict[str, Any]) -> None:
    """Overwrite a document's record; `NotFoundError` if it is not the tenant's, `ConflictError` if its
    new filename belongs to another of the tenant's documents."""
    taken = await conn.execute(
        select(kb_documents.c.id).where(
            kb_documents.c.tenant_id == tenant_id,
            kb_documents.c.filename == fields["filename"],
            kb_documents.c.id != document_id,
        )
    )
    if taken.first() is not None:
        raise ConflictError(f"another document is already called {fields['filename']!r}")
    done = await conn.execute(
        update(kb_documents)
        .where(kb_documents.c.id == document_id, kb_documents.c.tenant_id == tenant_id)
        .values(**fields)
    )
    if done.rowcount != 1:
        raise NotFoundError(f"document {document_id} not found")


async def _move_original(store: SqlStore, files: FileStore, document_id: int, key: str, data: bytes) -> None:
    """Move an original kept in the database to the file store: the file first, then the row. (A
    replacement racing with this has already deleted the row and written its own file; the file written
    here is then a stray under the document's prefix, deleted with the document.)"""
    await files.put(key, data, None)
    async with store.begin() as conn:
        await conn.execute(delete(kb_originals).where(kb_originals.c.document_id == document_id))


async def _current_hash(
    conn: AsyncConnection, tenant_id: int, document_id: int, *, lock: bool = False
) -> str | None:
    """The content hash of the document this write replaces; None if it is not the tenant's. With `lock`,
    the row stays locked until the transaction ends (FOR UPDATE; SQLite ignores it, its writer is alone)."""
    query = select(kb_documents.c.content_hash).where(
        kb_documents.c.tenant_id == tenant_id, kb_documents.c.id == document_id
    )
    found = await conn.execute(query.with_for_update() if lock else query)
    return found.scalar_one_or_none()


async def _keep_original(conn: AsyncConnection, document_id: int, original: bytes | None) -> None:
    """Replace the document's kept upload with `original` (none kept when None)."""
    await conn.execute(delete(kb_originals).where(kb_originals.c.document_id == document_id))
    if original is not None:
        await conn.execute(kb_originals.insert().values(document_id=document_id, data=original))


async def _bump_version(conn: AsyncConnection, tenant_id: int) -> None:
    stmt = upsert_insert(conn, kb_versions).values(tenant_id=tenant_id, version=1)
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["tenant_id"], set_={"version": kb_versions.c.version + 1})
    )


async def _document(conn: AsyncConnection, tenant_id: int, document_id: int) -> KnowledgeDocument:
    row = (
        await conn.execute(
            select(kb_documents).where(
                kb_documents.c.id == document_id, kb_documents.c.tenant_id == tenant_id
            )
        )
    ).first()
    if row is None:
        raise NotFoundError(f"document {document_id} not found")
    return _to_document(row)


def _to_document(row: Any) -> KnowledgeDocument:
    return KnowledgeDocument(
        id=row.id,
        tenant_id=row.tenant_id,
        title=row.title,
        filename=row.filename,
        format=DocumentFormat(row.format),
        content_hash=row.content_hash,
        size_bytes=row.size_bytes,
        chunk_count=row.chunk_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _full_text(conn: AsyncConnection, tenant_id: int, words: Sequence[str], limit: int) -> list[int]:
    """Chunk ids matching any word, best first: FTS5 bm25 on SQLite, ts_rank on PostgreSQL."""
    if conn.dialect.name == "postgresql":
        return await _postgres_full_text(conn, tenant_id, words, limit)
    any_word = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    query = f'tenant : "t{int(tenant_id)}" AND search_text : ({any_word})'
    found = await conn.execute(_SQLITE_MATCH, {"query": query, "limit": limit})
    return [row.id for row in found]


async def _postgres_full_text(
    conn: AsyncConnection, tenant_id: int, words: Sequence[str], limit: int
) -> list[int]:
    terms: list[ColumnElement[Any]] = [func.plainto_tsquery("english", word) for word in words]
    query = reduce(lambda left, right: left.op("||")(right), terms)
    tsv = _search.c.search_tsv
    found = await conn.execute(
        select(_search.c.chunk_id.label("id"))
        .where(_search.c.tenant_id == tenant_id, tsv.op("@@")(query))
        .order_by(func.ts_rank(tsv, query).desc(), _search.c.chunk_id)
        .limit(limit)
    )
    return [row.id for row in found]


async def _stored_chunks(conn: AsyncConnection, tenant_id: int, ids: set[int]) -> dict[int, StoredChunk]:
    if not ids:
        return {}
    rows = await conn.execute(
        select(
            kb_chunks.c.id,
            kb_chunks.c.document_id,
            kb_chunks.c.heading_path,
            kb_chunks.c.text,
            kb_documents.c.title,
            kb_documents.c.filename,
        )
        .join(kb_documents, kb_documents.c.id == kb_chunks.c.document_id)
        .where(kb_chunks.c.id.in_(sorted(ids)), kb_chunks.c.tenant_id == tenant_id)
    )
    return {
        row.id: StoredChunk(
            id=row.id,
            document_id=row.document_id,
            document_title=row.title,
            filename=row.filename,
            heading_path=tuple(row.heading_path),
            text=row.text,
        )
        for row in rows
    }
