"""Knowledge base records and ports: extracted documents, chunks, search hits, embedders, errors.

Storage-independent: the extraction adapter produces `DocumentText`, the chunker turns it into
`Chunk`s, a store indexes them (full text and vectors) and answers with `SearchHit`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import Frozen

MAX_QUERY_CHARS = 1000
"""A search query longer than this is refused."""

BLOCK_SEPARATOR = "\n\n"
"""Joins blocks into `DocumentText.text`; chunk offsets count in that text."""


class DocumentFormat(StrEnum):
    MARKDOWN = "markdown"
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"


class Block(Frozen):
    """One structural unit of a document: a heading (with its level 1-6), a paragraph or a list item."""

    kind: BlockKind
    text: str
    level: int = 0


class DocumentText(Frozen):
    """The text and structure extracted from an uploaded file, ready to chunk."""

    title: str
    filename: str
    format: DocumentFormat
    blocks: tuple[Block, ...]

    @property
    def text(self) -> str:
        """The plain text of the whole document, blocks separated by blank lines."""
        return BLOCK_SEPARATOR.join(block.text for block in self.blocks)


class Chunk(Frozen):
    """A bounded piece of a document; `char_start:char_end` locate it in `DocumentText.text`."""

    ordinal: int
    text: str
    title: str
    heading_path: tuple[str, ...] = ()
    char_start: int
    char_end: int

    @property
    def search_text(self) -> str:
        """What to index (full text and embedding): title, heading path and body together."""
        return "\n".join((" > ".join((self.title, *self.heading_path)), self.text))


class SearchHit(Frozen):
    """One answer to a knowledge-base search, with what a reply needs to cite its source.

    `snippet` is a short window around the query's terms (what a search result list shows); `text` is
    the whole chunk (bounded by the chunker), for a reply that quotes the relevant sentences. `text` is
    empty when the producer has no chunk text; use `snippet` then.
    """

    chunk_id: int
    document_id: int
    document_title: str
    filename: str
    heading_path: tuple[str, ...] = ()
    snippet: str
    score: float
    text: str = ""


class SearchMode(StrEnum):
    """Which rankings a search uses: both fused (the default), full text only, or embeddings only."""

    FUSED = "fused"
    TEXT = "text"
    VECTOR = "vector"


class KnowledgeDocument(Frozen):
    """A stored document of a tenant's knowledge base. `content_hash` is the SHA-256 of the file's bytes."""

    id: int
    tenant_id: int
    title: str
    filename: str
    format: DocumentFormat
    content_hash: str
    size_bytes: int
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class NewDocument(Frozen):
    """What a store needs to record a document, besides its chunks."""

    title: str
    filename: str
    format: DocumentFormat
    content_hash: str
    size_bytes: int


class ChunkOutline(Frozen):
    """Where a stored chunk sits in its document (no text): for listing a document's sections."""

    id: int
    ordinal: int
    heading_path: tuple[str, ...] = ()
    chars: int


class DocumentDetail(Frozen):
    document: KnowledgeDocument
    chunks: tuple[ChunkOutline, ...]


class DocumentPage(Frozen):
    """One page of a tenant's documents and how many there are in all."""

    items: tuple[KnowledgeDocument, ...]
    total: int


class StoredChunk(Frozen):
    """A chunk as a search reads it back: its text and where it comes from."""

    id: int
    document_id: int
    document_title: str
    filename: str
    heading_path: tuple[str, ...] = ()
    text: str


@dataclass(frozen=True, slots=True)
class Candidates:
    """What an index found: chunk ids ranked by full text and by vector, and those chunks by id."""

    by_text: tuple[int, ...]
    by_vector: tuple[int, ...]
    chunks: dict[int, StoredChunk]


class IngestOutcome(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


class IngestResult(Frozen):
    """A document after an upload, and what the upload did to it."""

    document: KnowledgeDocument
    outcome: IngestOutcome

    @property
    def changed(self) -> bool:
        """False when the same content was already indexed (nothing was re-indexed)."""
        return self.outcome is not IngestOutcome.UNCHANGED


class Embedder(Protocol):
    """Turns texts into sentence embeddings."""

    @property
    def dim(self) -> int:
        """Length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised float32 row per text, shape (len(texts), dim)."""
        ...


class KnowledgeIndex(Protocol):
    """Stores documents with their chunks and vectors, tenant by tenant, and finds chunks again.

    Every method is scoped to `tenant_id`: another tenant's document id behaves exactly like a missing
    one (`NotFoundError`).
    """

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
        """Store a document and swap in its chunks in one transaction; True when it replaced one.

        Without `document_id` the document is the tenant's one with the same filename, if any; with it,
        that document (`NotFoundError` if missing, `ConflictError` if its new filename is taken).
        `original` is the uploaded file, kept for a business pack's export.
        """
        ...

    async def originals(self, *, tenant_id: int) -> dict[str, bytes]:
        """The tenant's documents' uploaded files by filename (those stored before 0009 have none)."""
        ...

    async def document_by_filename(self, *, tenant_id: int, filename: str) -> KnowledgeDocument | None: ...
    async def get_document(self, *, tenant_id: int, document_id: int) -> KnowledgeDocument: ...
    async def document_detail(self, *, tenant_id: int, document_id: int) -> DocumentDetail: ...
    async def list_documents(self, *, tenant_id: int, limit: int, offset: int) -> DocumentPage: ...
    async def delete_document(self, *, tenant_id: int, document_id: int) -> None:
        """Remove a document, its chunks, their full-text entries and vectors."""
        ...

    async def candidates(
        self, *, tenant_id: int, words: Sequence[str], vector: NDArray[np.float32] | None, limit: int
    ) -> Candidates:
        """Up to `limit` chunks matching any of `words` (best first) and nearest to `vector`, in one read."""
        ...


class DocumentReader(Protocol):
    """Extracts text and structure from an uploaded file."""

    def read(self, data: bytes, *, filename: str, content_type: str | None = None) -> DocumentText:
        """Raise `UnsupportedDocumentType` or `UnreadableDocument` when the file cannot be used."""
        ...


class UnsupportedDocumentType(InvalidInputError):
    """The file's type is not one the knowledge base reads; `supported` lists the ones it does."""

    def __init__(self, given: str, supported: Sequence[str]):
        self.given = given
        self.supported = tuple(supported)
        super().__init__(f"unsupported document type {given!r}; supported: {', '.join(self.supported)}")


class UnreadableDocument(InvalidInputError):
    """The file has a supported type but no usable text: empty, corrupt, image-only, not decodable."""

    def __init__(self, filename: str, reason: str):
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename}: {reason}")


class DocumentTooLarge(InvalidInputError):
    """The file is over the size limit."""

    def __init__(self, size: int, limit: int):
        self.size = size
        self.limit = limit
        super().__init__(f"document is {size} bytes; the limit is {limit} bytes")


class InvalidQuery(InvalidInputError):
    """A search query is empty or longer than `MAX_QUERY_CHARS`."""
