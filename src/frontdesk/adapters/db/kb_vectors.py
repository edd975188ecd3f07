"""Nearest chunks by embedding: exact cosine in numpy over each tenant's vectors, cached in memory.

A tenant's vectors are loaded once into one float32 matrix and kept. Every knowledge-base write bumps
the tenant's row in `kb_versions` in the same transaction; each search reads that counter (one primary
key lookup) in its own snapshot and reloads the matrix when it moved. So several processes (API
replicas, workers) stay correct without talking to each other, and a process never serves vectors of a
state older than the snapshot it searches.

pgvector would replace this class behind the same `VectorSearch` seam when the server has the extension
(`pgvector_available`); it is not used yet: exact numpy search over 10,000 chunks takes about a
millisecond, and the extension is not packaged for the PostgreSQL 15 we run on.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.adapters.db.tables_knowledge import kb_chunks, kb_versions
from frontdesk.domain.errors import ConfigurationError

F32 = NDArray[np.float32]


class VectorSearch(Protocol):
    """Finds a tenant's chunks nearest to a query vector, inside the caller's read transaction."""

    async def nearest(self, conn: AsyncConnection, *, tenant_id: int, vector: F32, k: int) -> list[int]:
        """Up to `k` chunk ids, most similar first."""
        ...

    def forget(self, tenant_id: int) -> None:
        """Drop anything cached for the tenant (called after this process wrote to its index)."""
        ...


async def pgvector_available(conn: AsyncConnection) -> bool:
    """Whether the PostgreSQL server offers the `vector` extension (always False on SQLite)."""
    if conn.dialect.name != "postgresql":
        return False
    found = await conn.execute(text("select 1 from pg_available_extensions where name = 'vector'"))
    return found.first() is not None


async def kb_version(conn: AsyncConnection, tenant_id: int) -> int:
    """The tenant's knowledge-base version: it changes with every write to its documents."""
    found = await conn.execute(select(kb_versions.c.version).where(kb_versions.c.tenant_id == tenant_id))
    return int(found.scalar() or 0)


@dataclass(frozen=True, slots=True)
class _Matrix:
    version: int
    ids: NDArray[np.int64]
    vectors: F32


class NumpyVectors:
    """`VectorSearch` by exact cosine over an in-memory matrix per tenant (the most recent `max_tenants`)."""

    def __init__(self, *, max_tenants: int = 64):
        self._cache: OrderedDict[int, _Matrix] = OrderedDict()
        self._max_tenants = max_tenants
        self._loading = asyncio.Lock()

    async def nearest(self, conn: AsyncConnection, *, tenant_id: int, vector: F32, k: int) -> list[int]:
        """Up to `k` chunk ids, most similar first; reloads the tenant's matrix if its version moved."""
        matrix = await self._matrix(conn, tenant_id)
        if matrix.ids.size == 0:
            return []
        if matrix.vectors.shape[1] != vector.shape[-1]:
            raise ConfigurationError(
                f"stored embeddings have {matrix.vectors.shape[1]} dimensions but the embedder gives "
                f"{vector.shape[-1]}: re-ingest the knowledge base after changing the embedding model"
            )
        return [int(matrix.ids[row]) for row in top_rows(matrix.vectors @ vector.reshape(-1), k)]

    def forget(self, tenant_id: int) -> None:
        self._cache.pop(tenant_id, None)

    async def _matrix(self, conn: AsyncConnection, tenant_id: int) -> _Matrix:
        version = await kb_version(conn, tenant_id)
        cached = self._cache.get(tenant_id)
        if cached is not None and cached.version == version:
            self._cache.move_to_end(tenant_id)
            return cached
        async with self._loading:  # one load at a time: concurrent first searches share it
            cached = self._cache.get(tenant_id)
            if cached is None or cached.version != version:
                cached = await _load(conn, tenant_id, version)
                self._cache[tenant_id] = cached
                while len(self._cache) > self._max_tenants:
                    self._cache.popitem(last=False)
        return cached


async def _load(conn: AsyncConnection, tenant_id: int, version: int) -> _Matrix:
    result = await conn.execute(
        select(kb_chunks.c.id, kb_chunks.c.embedding)
        .where(kb_chunks.c.tenant_id == tenant_id)
        .order_by(kb_chunks.c.id)
    )
    rows = result.all()
    ids = np.fromiter((row.id for row in rows), dtype=np.int64, count=len(rows))
    blobs = [bytes(row.embedding) for row in rows]
    if len({len(blob) for blob in blobs}) > 1:
        raise ConfigurationError(
            "stored embeddings have different lengths: re-ingest the knowledge base with one model"
        )
    dim = len(blobs[0]) // 4 if blobs else 0
    vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(rows), dim)
    return _Matrix(version=version, ids=ids, vectors=vectors)


def top_rows(scores: F32, k: int) -> list[int]:
    """Indices of the `k` highest scores, highest first."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(row) for row in top[np.argsort(-scores[top], kind="stable")]]
