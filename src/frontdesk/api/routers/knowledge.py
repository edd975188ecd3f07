"""The knowledge-base admin API: upload, list, fetch, replace and delete documents; try a search.

Uploads are multipart (`file`). The whole request body is limited to the document size limit plus
`UPLOAD_OVERHEAD` for the multipart framing: a larger declared Content-Length is refused with 413 before
anything is read, and a body that grows past it while streaming is cut off with 413. A file within that
but over the document limit gets 413 from the service's own check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile, status

from frontdesk.adapters.documents import SUPPORTED_TYPES
from frontdesk.api.auth import CurrentTenant, require_role
from frontdesk.api.body import limited_body_route
from frontdesk.api.deps import KnowledgeDep, services_of
from frontdesk.api.errors import error_model
from frontdesk.api.params import Offset, id_path, limit_query
from frontdesk.api.schemas.knowledge import (
    DocumentDetailOut,
    DocumentListOut,
    SearchHitOut,
    SearchOut,
    UploadOut,
)
from frontdesk.domain.knowledge import MAX_QUERY_CHARS, IngestOutcome, SearchMode
from frontdesk.domain.staff import Role

UPLOAD_OVERHEAD = 64 * 1024
"""Bytes allowed on top of the document limit for multipart boundaries and part headers."""


def _body_limit(request: Request) -> int:
    return services_of(request).settings.kb_max_bytes + UPLOAD_OVERHEAD


router = APIRouter(
    prefix="/api/v1/knowledge", tags=["knowledge"], route_class=limited_body_route(_body_limit)
)

_ERRORS = {
    400: "The upload has no usable file name",
    401: "Not signed in, or the session ended",
    403: "Only admins and owners may change the knowledge base",
    404: "No such document for this tenant",
    409: "Another document already has that file name",
    413: "The file (or the request) is over the size limit (FRONTDESK_KB_MAX_BYTES)",
    415: "Unsupported file type; the message lists the supported ones: " + ", ".join(SUPPORTED_TYPES),
    422: "Empty, corrupt or image-only file, text in an unknown encoding, or a bad parameter; "
    "nothing was stored",
}


def _errors(*codes: int, **overrides: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, each with the `{"detail": ...}` body."""
    return {
        code: {"model": error_model(code), "description": overrides.get(f"e{code}", _ERRORS[code])}
        for code in codes
    }


DocumentId = Annotated[int, id_path("The document's id.")]
Upload = Annotated[
    UploadFile,
    File(description="Markdown, plain text, HTML or PDF (with a text layer). Its name identifies it."),
]
SEARCHABLE = r"^[^\x00]*[^\s\x00-\x20\x7f-\xa0\ufeff][^\x00]*$"
"""Something to search for besides spaces and control characters, written so that JSON Schema, pydantic
(Rust regex) and Python agree on it; no NUL (PostgreSQL refuses it)."""
_UPLOAD_ERRORS = _errors(400, 401, 403, 413, 415, 422)
_ADMIN_ONLY = [Depends(require_role(Role.ADMIN))]
"""Changing the knowledge base is for admins and owners; any staff member may read and search it."""


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    dependencies=_ADMIN_ONLY,
    responses={
        200: {"model": UploadOut, "description": "Replaced the document of that name, or unchanged"},
        **_UPLOAD_ERRORS,
    },
)
async def upload_document(
    tenant: CurrentTenant, knowledge: KnowledgeDep, file: Upload, response: Response
) -> UploadOut:
    """Add a document (201), or replace the one with the same file name (200). Same bytes: unchanged."""
    result = await knowledge.ingest(
        tenant=tenant, filename=file.filename or "", data=await file.read(), content_type=file.content_type
    )
    if result.outcome is not IngestOutcome.ADDED:
        response.status_code = status.HTTP_200_OK
    return UploadOut.of(result)


@router.get("/documents", responses=_errors(401, 422, e422="A bad `limit` or `offset`"))
async def list_documents(
    tenant: CurrentTenant,
    knowledge: KnowledgeDep,
    limit: Annotated[int, limit_query(100)] = 20,
    offset: Offset = 0,
) -> DocumentListOut:
    """The tenant's documents by file name, a page at a time, with the total."""
    page = await knowledge.list_documents(tenant=tenant, limit=limit, offset=offset)
    return DocumentListOut.of(page, limit=limit, offset=offset)


@router.get("/documents/{document_id}", responses=_errors(401, 404, 422, e422="A bad document id"))
async def get_document(
    tenant: CurrentTenant, knowledge: KnowledgeDep, document_id: DocumentId
) -> DocumentDetailOut:
    """A document with the outline (heading path, length) of its chunks."""
    return DocumentDetailOut.of_detail(await knowledge.get_document(tenant=tenant, document_id=document_id))


@router.put(
    "/documents/{document_id}", dependencies=_ADMIN_ONLY, responses={**_UPLOAD_ERRORS, **_errors(404, 409)}
)
async def replace_document(
    tenant: CurrentTenant, knowledge: KnowledgeDep, document_id: DocumentId, file: Upload
) -> UploadOut:
    """Replace a document's content (and file name). Its chunks are swapped in one transaction."""
    result = await knowledge.replace(
        tenant=tenant,
        document_id=document_id,
        filename=file.filename or "",
        data=await file.read(),
        content_type=file.content_type,
    )
    return UploadOut.of(result)


@router.delete(
    "/documents/{document_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=_ADMIN_ONLY,
    responses=_errors(401, 403, 404, 422, e422="A bad document id"),
)
async def delete_document(tenant: CurrentTenant, knowledge: KnowledgeDep, document_id: DocumentId) -> None:
    """Delete a document with its chunks and vectors."""
    await knowledge.delete_document(tenant=tenant, document_id=document_id)


@router.get(
    "/search",
    responses=_errors(401, 422, e422=f"The query is empty or over {MAX_QUERY_CHARS} characters, or bad `k`"),
)
async def search(
    tenant: CurrentTenant,
    knowledge: KnowledgeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            pattern=SEARCHABLE,
            description="What a customer asked: some text besides spaces.",
        ),
    ],
    k: Annotated[int, Query(ge=1, le=20, description="How many chunks to return.")] = 5,
    mode: Annotated[
        SearchMode, Query(description="`fused` (what the bot uses), or `text` / `vector` alone.")
    ] = SearchMode.FUSED,
) -> SearchOut:
    """The chunks the bot would find for a customer's question, best first."""
    hits = await knowledge.search(tenant=tenant, query=q, k=k, mode=mode)
    return SearchOut(query=q, mode=mode, hits=[SearchHitOut.of(hit) for hit in hits])
