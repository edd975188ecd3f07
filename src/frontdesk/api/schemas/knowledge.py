"""Response bodies of the knowledge-base API (`/api/v1/knowledge`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, JsonValue

from frontdesk.domain.knowledge import (
    ChunkOutline,
    DocumentDetail,
    DocumentFormat,
    DocumentPage,
    IngestOutcome,
    IngestResult,
    KnowledgeDocument,
    SearchHit,
    SearchMode,
)

_DOCUMENT_EXAMPLE: dict[str, JsonValue] = {
    "id": 7,
    "title": "Climate troubleshooting",
    "filename": "troubleshooting-climate.md",
    "format": "markdown",
    "content_hash": "9f2c4b1e0d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",
    "size_bytes": 2841,
    "chunk_count": 4,
    "created_at": "2026-11-22T09:15:00Z",
    "updated_at": "2026-11-22T09:15:00Z",
}


class DocumentOut(BaseModel):
    """A document of the knowledge base. `content_hash` is the SHA-256 of the uploaded file."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DOCUMENT_EXAMPLE]})

    # The API's fields are written out, not inherited from `KnowledgeDocument`: a field the domain gains
    # must not appear in the published schema unannounced.
    # pylint: disable=duplicate-code
    id: int
    title: str
    filename: str
    format: DocumentFormat
    content_hash: str
    size_bytes: int
    chunk_count: int
    created_at: datetime
    updated_at: datetime
    # pylint: enable=duplicate-code

    @classmethod
    def of(cls, document: KnowledgeDocument) -> DocumentOut:
        return cls.model_validate(document.model_dump(exclude={"tenant_id"}))


class UploadOut(BaseModel):
    """What an upload did: `added` (201), `replaced`, or `unchanged` (same bytes; nothing re-indexed)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "added", "changed": True, "document": _DOCUMENT_EXAMPLE}]}
    )

    status: IngestOutcome
    changed: bool
    document: DocumentOut

    @classmethod
    def of(cls, result: IngestResult) -> UploadOut:
        return cls(status=result.outcome, changed=result.changed, document=DocumentOut.of(result.document))


class DocumentListOut(BaseModel):
    """One page of documents, by filename; `total` counts them all."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_DOCUMENT_EXAMPLE], "total": 1, "limit": 20, "offset": 0}]}
    )

    items: list[DocumentOut]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: DocumentPage, *, limit: int, offset: int) -> DocumentListOut:
        items = [DocumentOut.of(document) for document in page.items]
        return cls(items=items, total=page.total, limit=limit, offset=offset)


class ChunkOut(BaseModel):
    """A chunk of a document: its place, its section's heading path and its length in characters."""

    ordinal: int
    heading_path: list[str]
    chars: int

    @classmethod
    def of(cls, chunk: ChunkOutline) -> ChunkOut:
        return cls(ordinal=chunk.ordinal, heading_path=list(chunk.heading_path), chars=chunk.chars)


class DocumentDetailOut(DocumentOut):
    """A document with the outline of its chunks."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_DOCUMENT_EXAMPLE,
                    "chunks": [{"ordinal": 0, "heading_path": ['The thermostat shows "E3"'], "chars": 512}],
                }
            ]
        }
    )

    chunks: list[ChunkOut]

    @classmethod
    def of_detail(cls, detail: DocumentDetail) -> DocumentDetailOut:
        fields = DocumentOut.of(detail.document).model_dump()
        return cls(**fields, chunks=[ChunkOut.of(chunk) for chunk in detail.chunks])


class SearchHitOut(BaseModel):
    """A chunk that answers the query, with what a reply needs to cite it; `score` is the fused rank score."""

    chunk_id: int
    document_id: int
    document_title: str
    filename: str
    heading_path: list[str]
    snippet: str
    score: float

    @classmethod
    def of(cls, hit: SearchHit) -> SearchHitOut:
        return cls.model_validate({**hit.model_dump(), "heading_path": list(hit.heading_path)})


class SearchOut(BaseModel):
    """The best chunks for a query, best first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "my heating display shows an error",
                    "mode": "fused",
                    "hits": [
                        {
                            "chunk_id": 31,
                            "document_id": 7,
                            "document_title": "Climate troubleshooting",
                            "filename": "troubleshooting-climate.md",
                            "heading_path": ['The thermostat shows "E3"'],
                            "snippet": "E3 means the thermostat lost contact with the boiler relay…",
                            "score": 0.032787,
                        }
                    ],
                }
            ]
        }
    )

    query: str
    mode: SearchMode
    hits: list[SearchHitOut]
