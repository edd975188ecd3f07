"""The knowledge base: ingest a tenant's documents, search them, list, fetch and delete them.

Ingest order: size check, same-content check (an identical file is not read again), extraction,
chunking, embedding, then one short write transaction that swaps the chunks in. Extraction and
embedding are CPU work; they run in worker threads so the event loop keeps serving.

Search: full-text candidates (the database's own ranking over the query's words) and vector candidates
(cosine to the query's embedding), fused by reciprocal rank, cut to `k`, each with a snippet.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.knowledge import (
    DocumentDetail,
    DocumentPage,
    DocumentReader,
    DocumentTooLarge,
    Embedder,
    IngestOutcome,
    IngestResult,
    InvalidQuery,
    KnowledgeDocument,
    KnowledgeIndex,
    NewDocument,
    SearchHit,
    SearchMode,
    StoredChunk,
    UnreadableDocument,
)
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.services.knowledge.chunking import chunk_document
from frontdesk.services.knowledge.ranking import (
    clean_query,
    make_snippet,
    query_words,
    reciprocal_rank_fusion,
)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CANDIDATES = 50
"""How deep each ranking (full text, vectors) goes before fusion; also the largest `k`."""
MAX_QUERY_WORDS = 64
MAX_FILENAME_CHARS = 255
MAX_TITLE_CHARS = 500
MAX_PAGE = 100

_FOLDERS = re.compile(r"[\\/]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class KnowledgeService:
    """A tenant's documents and search over them, on a `KnowledgeIndex`."""

    def __init__(
        self,
        *,
        index: KnowledgeIndex,
        reader: DocumentReader,
        embedder: Embedder,
        clock: Clock,
        max_bytes: int = DEFAULT_MAX_BYTES,
        candidates: int = CANDIDATES,
    ):
        self._index = index
        self._reader = reader
        self._embedder = embedder
        self._clock = clock
        self._max_bytes = max_bytes
        self._candidates = candidates
        # Query embeddings get a thread of their own: numpy/BLAS called from the same thread every time
        # has a shorter tail than the shared pool (p95 8 ms against 10-15 ms measured), and a search
        # never waits behind an upload's long embedding batch (those run in the default pool).
        self._query_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-query-embed")

    def close(self) -> None:
        """Stop the query-embedding thread."""
        self._query_thread.shutdown(wait=False, cancel_futures=True)

    # -- documents

    async def ingest(
        self, *, tenant: Tenant, filename: str, data: bytes, content_type: str | None = None
    ) -> IngestResult:
        """Add a document, or replace the tenant's one with that filename; identical bytes change nothing."""
        self._check_size(data)
        name = clean_filename(filename)
        existing = await self._index.document_by_filename(tenant_id=tenant.id, filename=name)
        return await self._put(tenant, name, data, content_type, existing=existing)

    async def replace(
        self,
        *,
        tenant: Tenant,
        document_id: int,
        filename: str,
        data: bytes,
        content_type: str | None = None,
    ) -> IngestResult:
        """Replace a document's content (and filename); `NotFoundError` when it is not the tenant's."""
        self._check_size(data)
        name = clean_filename(filename)
        existing = await self._index.get_document(tenant_id=tenant.id, document_id=document_id)
        return await self._put(tenant, name, data, content_type, existing=existing, document_id=document_id)

    async def check_document(self, *, filename: str, data: bytes, content_type: str | None = None) -> str:
        """The name `ingest` would store `data` under, if it would take it; its error otherwise
        (`DocumentTooLarge`, `UnsupportedDocumentType`, `UnreadableDocument`). Nothing is stored."""
        self._check_size(data)
        name = clean_filename(filename)
        text = await asyncio.to_thread(self._reader.read, data, filename=name, content_type=content_type)
        if not chunk_document(text):
            raise UnreadableDocument(name, "the file has no text")
        return name

    async def originals(self, *, tenant: Tenant) -> dict[str, bytes]:
        """The tenant's documents as uploaded, by filename (a business pack's `kb/`)."""
        return await self._index.originals(tenant_id=tenant.id)

    async def find_document(self, *, tenant: Tenant, filename: str) -> KnowledgeDocument | None:
        """The tenant's document with this filename, if any."""
        return await self._index.document_by_filename(tenant_id=tenant.id, filename=clean_filename(filename))

    async def get_document(self, *, tenant: Tenant, document_id: int) -> DocumentDetail:
        """A document with an outline of its chunks; `NotFoundError` when it is not the tenant's."""
        return await self._index.document_detail(tenant_id=tenant.id, document_id=document_id)

    async def list_documents(self, *, tenant: Tenant, limit: int = 20, offset: int = 0) -> DocumentPage:
        """The tenant's documents by filename, one page at a time, with the total."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise InvalidInputError(f"need 1 <= limit <= {MAX_PAGE} and offset >= 0")
        return await self._index.list_documents(tenant_id=tenant.id, limit=limit, offset=offset)

    async def delete_document(self, *, tenant: Tenant, document_id: int) -> None:
        """Delete a document with its chunks and vectors; `NotFoundError` when it is not the tenant's."""
        await self._index.delete_document(tenant_id=tenant.id, document_id=document_id)

    # -- search

    async def search(
        self, *, tenant: Tenant, query: str, k: int = 5, mode: SearchMode = SearchMode.FUSED
    ) -> list[SearchHit]:
        """The `k` best chunks for a query, best first; `InvalidQuery` for an empty or too long query."""
        query = clean_query(query)
        if not 1 <= k <= self._candidates:
            raise InvalidQuery(f"k must be between 1 and {self._candidates}")
        words = query_words(query)[:MAX_QUERY_WORDS] if mode is not SearchMode.VECTOR else []
        vector = await self._embed_query(query) if mode is not SearchMode.TEXT else None
        found = await self._index.candidates(
            tenant_id=tenant.id, words=words, vector=vector, limit=self._candidates
        )
        ranked = reciprocal_rank_fusion(found.by_text, found.by_vector)
        best = [(found.chunks[cid], score) for cid, score in ranked if cid in found.chunks][:k]
        return [_hit(chunk, score, query) for chunk, score in best]  # snippets only for what is returned

    # -- inside

    def _check_size(self, data: bytes) -> None:
        if len(data) > self._max_bytes:
            raise DocumentTooLarge(len(data), self._max_bytes)

    async def _put(
        self,
        tenant: Tenant,
        filename: str,
        data: bytes,
        content_type: str | None,
        *,
        existing: KnowledgeDocument | None,
        document_id: int | None = None,
    ) -> IngestResult:
        digest = hashlib.sha256(data).hexdigest()
        if existing is not None and (existing.content_hash, existing.filename) == (digest, filename):
            return IngestResult(document=existing, outcome=IngestOutcome.UNCHANGED)
        text = await asyncio.to_thread(self._reader.read, data, filename=filename, content_type=content_type)
        chunks = chunk_document(text)
        if not chunks:
            raise UnreadableDocument(filename, "the file has no text")
        vectors = await self._embed([chunk.search_text for chunk in chunks])
        record = NewDocument(
            title=text.title[:MAX_TITLE_CHARS],
            filename=filename,
            format=text.format,
            content_hash=digest,
            size_bytes=len(data),
        )
        document, replaced = await self._index.put_document(
            tenant_id=tenant.id,
            document=record,
            chunks=chunks,
            vectors=vectors,
            now=self._clock.now(),
            document_id=document_id,
            original=data,
        )
        outcome = IngestOutcome.REPLACED if replaced else IngestOutcome.ADDED
        return IngestResult(document=document, outcome=outcome)

    async def _embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return await asyncio.to_thread(self._embedder.embed, texts)

    async def _embed_query(self, query: str) -> NDArray[np.float32]:
        loop = asyncio.get_running_loop()
        vectors = await loop.run_in_executor(self._query_thread, self._embedder.embed, [query])
        vector: NDArray[np.float32] = vectors[0]
        return vector


def clean_filename(filename: str) -> str:
    """A file's own name, without folders or control characters; `InvalidInputError` if none is left."""
    name = _CONTROL.sub("", _FOLDERS.split(filename)[-1]).strip()
    if not name or name in (".", ".."):
        raise InvalidInputError("the file has no name")
    if len(name) > MAX_FILENAME_CHARS:
        raise InvalidInputError(f"the file name is over {MAX_FILENAME_CHARS} characters")
    return name


def _hit(chunk: StoredChunk, score: float, query: str) -> SearchHit:
    return SearchHit(
        chunk_id=chunk.id,
        document_id=chunk.document_id,
        document_title=chunk.document_title,
        filename=chunk.filename,
        heading_path=chunk.heading_path,
        snippet=make_snippet(chunk.text, query),
        score=round(score, 6),
        text=chunk.text,
    )
