"""`KnowledgeService` on the real SQLite store (FTS5, vectors, versions) with the hashing embedder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from sqlalchemy import text

from frontdesk.adapters.db import knowledge as knowledge_store
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.domain.errors import ConflictError, InvalidInputError, NotFoundError
from frontdesk.domain.knowledge import (
    MAX_QUERY_CHARS,
    DocumentText,
    DocumentTooLarge,
    IngestOutcome,
    InvalidQuery,
    SearchMode,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from frontdesk.domain.models import Tenant
from frontdesk.services.knowledge.service import KnowledgeService, clean_filename
from tests.support.documents import blank_pdf, make_pdf
from tests.unit.conftest import FakeClock

KB_DIR = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen/kb"

THERMOSTAT = b"""# Thermostat help

## Error codes
E3 means the boiler relay lost contact. Switch the boiler off and on.

## Batteries
The display fades when the batteries are low; use two AA cells.
"""
THERMOSTAT_V2 = THERMOSTAT.replace(b"E3 means", b"E7 means")


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.texts.extend(texts)
        return super().embed(texts)


class CountingReader(DocumentExtractor):
    def __init__(self) -> None:
        self.calls = 0

    def read(self, data: bytes, *, filename: str, content_type: str | None = None) -> DocumentText:
        self.calls += 1
        return super().read(data, filename=filename, content_type=content_type)


class Kit:
    """A service over a store, with its fakes and helpers for looking into the database."""

    def __init__(self, store: SqlStore, clock: FakeClock, **service: int):
        self.store = store
        self.embedder = CountingEmbedder()
        self.reader = CountingReader()
        self.index = KnowledgeStore(store)
        self.service = KnowledgeService(
            index=self.index, reader=self.reader, embedder=self.embedder, clock=clock, **service
        )

    async def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        async with self.store.engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(text(sql), params)]

    async def chunk_ids(self, document_id: int) -> list[int]:
        rows = await self.rows("select id from kb_chunks where document_id = :d order by id", d=document_id)
        return [int(row[0]) for row in rows]  # type: ignore[call-overload]

    async def fts(self, term: str) -> int:
        rows = await self.rows("select count(*) from kb_chunks_fts where kb_chunks_fts match :t", t=term)
        return int(rows[0][0])  # type: ignore[call-overload]


@pytest.fixture
async def kit(store: SqlStore, clock: FakeClock) -> Kit:
    return Kit(store, clock)


@pytest.fixture
async def lumen(kit: Kit) -> Tenant:
    async with kit.store.transaction() as tx:
        tenant = await tx.tenant_by_slug("lumen")
    assert tenant is not None
    return tenant


@pytest.fixture
async def other(kit: Kit) -> Tenant:
    async with kit.store.engine.begin() as conn:
        await conn.execute(
            text(
                "insert into tenants (slug, name, timezone, currency, profile, created_at) "
                "values ('other', 'Other Ltd', 'UTC', 'GBP', '{}', '2026-11-20 10:00:00')"
            )
        )
    async with kit.store.transaction() as tx:
        tenant = await tx.tenant_by_slug("other")
    assert tenant is not None
    return tenant


async def load_demo(kit: Kit, tenant: Tenant) -> None:
    for path in sorted(KB_DIR.glob("*.md")):
        await kit.service.ingest(tenant=tenant, filename=path.name, data=path.read_bytes())


# --- ingest -------------------------------------------------------------------------------------


async def test_ingest_stores_document_chunks_vectors_and_outline(kit: Kit, lumen: Tenant) -> None:
    result = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    document = result.document
    assert result.outcome is IngestOutcome.ADDED and result.changed
    assert (document.title, document.filename, document.format) == (
        "Thermostat help",
        "thermostat.md",
        "markdown",
    )
    assert document.size_bytes == len(THERMOSTAT) and len(document.content_hash) == 64
    detail = await kit.service.get_document(tenant=lumen, document_id=document.id)
    assert [c.heading_path for c in detail.chunks] == [("Error codes",), ("Batteries",)]
    assert document.chunk_count == 2
    blobs = await kit.rows("select embedding from kb_chunks where document_id = :d", d=document.id)
    assert {len(blob[0]) for blob in blobs} == {64 * 4}  # type: ignore[arg-type]
    assert await kit.fts("relay") == 1


async def test_identical_upload_is_unchanged_and_not_read_or_embedded_again(kit: Kit, lumen: Tenant) -> None:
    first = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    ids = await kit.chunk_ids(first.document.id)
    reads, embedded = kit.reader.calls, len(kit.embedder.texts)
    again = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    assert again.outcome is IngestOutcome.UNCHANGED and not again.changed
    assert again.document == first.document
    assert (kit.reader.calls, len(kit.embedder.texts)) == (reads, embedded)
    assert await kit.chunk_ids(first.document.id) == ids


async def test_changed_upload_swaps_all_chunks(kit: Kit, lumen: Tenant, clock: FakeClock) -> None:
    first = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    old_ids = await kit.chunk_ids(first.document.id)
    clock.advance(minutes=5)
    second = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT_V2)
    assert second.outcome is IngestOutcome.REPLACED
    assert second.document.id == first.document.id
    assert second.document.created_at == first.document.created_at < second.document.updated_at
    new_ids = await kit.chunk_ids(first.document.id)
    assert len(new_ids) == 2 and not set(new_ids) & set(old_ids)
    assert await kit.fts("E3") == 0 and await kit.fts("E7") == 1
    hits = await kit.service.search(tenant=lumen, query="E7", mode=SearchMode.TEXT)
    assert [h.chunk_id for h in hits] == [new_ids[0]]


async def test_replace_by_id_can_rename_but_not_onto_another_document(kit: Kit, lumen: Tenant) -> None:
    doc = (await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)).document
    await kit.service.ingest(tenant=lumen, filename="faq.txt", data=b"Opening hours: 9 to 5.")
    renamed = await kit.service.replace(
        tenant=lumen, document_id=doc.id, filename="heating.md", data=THERMOSTAT_V2
    )
    assert renamed.outcome is IngestOutcome.REPLACED
    assert (renamed.document.id, renamed.document.filename) == (doc.id, "heating.md")
    with pytest.raises(ConflictError, match=r"faq\.txt"):
        await kit.service.replace(tenant=lumen, document_id=doc.id, filename="faq.txt", data=THERMOSTAT)
    current = await kit.service.get_document(tenant=lumen, document_id=doc.id)
    assert current.document == renamed.document
    with pytest.raises(NotFoundError):
        await kit.service.replace(tenant=lumen, document_id=doc.id + 99, filename="x.md", data=THERMOSTAT)


async def test_a_failure_inside_the_swap_keeps_the_old_document_whole(
    kit: Kit, lumen: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    old_ids = await kit.chunk_ids(first.document.id)

    async def explode(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(knowledge_store, "_bump_version", explode)  # after old chunks deleted, new inserted
    with pytest.raises(RuntimeError):
        await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT_V2)
    assert await kit.chunk_ids(first.document.id) == old_ids
    assert await kit.fts("E3") == 1 and await kit.fts("E7") == 0
    stored = await kit.service.find_document(tenant=lumen, filename="thermostat.md")
    assert stored == first.document


async def test_too_large_is_refused_before_reading(store: SqlStore, clock: FakeClock, lumen: Tenant) -> None:
    kit = Kit(store, clock, max_bytes=100)
    with pytest.raises(DocumentTooLarge, match="101 bytes; the limit is 100"):
        await kit.service.ingest(tenant=lumen, filename="big.txt", data=b"x" * 101)
    assert kit.reader.calls == 0
    assert await kit.rows("select id from kb_documents") == []


@pytest.mark.parametrize(
    ("filename", "data", "error", "message"),
    [
        ("empty.md", b"", UnreadableDocument, "empty"),
        ("blank.txt", b"  \n\n \t", UnreadableDocument, "empty"),
        ("scan.pdf", blank_pdf(), UnreadableDocument, "no text layer"),
        ("broken.pdf", make_pdf(["Hello"])[:200], UnreadableDocument, "corrupt"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), UnsupportedDocumentType, "supported: .md"),
        ("binary.txt", bytes(range(256)) * 4, UnreadableDocument, "not text"),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_stored(
    kit: Kit, lumen: Tenant, filename: str, data: bytes, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await kit.service.ingest(tenant=lumen, filename=filename, data=data)
    assert await kit.rows("select id from kb_documents") == []
    assert await kit.rows("select id from kb_chunks") == []


async def test_windows_1252_text_is_decoded(kit: Kit, lumen: Tenant) -> None:
    data = "Caf\u00e9 cr\u00e8me opens at 9 \u2013 closes at 5.".encode("cp1252")
    await kit.service.ingest(tenant=lumen, filename="cafe.txt", data=data)
    hits = await kit.service.search(tenant=lumen, query="café", mode=SearchMode.TEXT)
    assert hits and "Café crème" in hits[0].snippet


async def test_pdf_with_text_layer_is_indexed(kit: Kit, lumen: Tenant) -> None:
    pdf = make_pdf(["Warranty card", "Keep the receipt for two years."], title="Warranty card")
    result = await kit.service.ingest(tenant=lumen, filename="card.pdf", data=pdf)
    assert (result.document.format, result.document.title) == ("pdf", "Warranty card")
    hits = await kit.service.search(tenant=lumen, query="receipt", mode=SearchMode.TEXT)
    assert [h.filename for h in hits] == ["card.pdf"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("faq.md", "faq.md"),
        ("C:\\docs\\faq.md", "faq.md"),
        ("../../etc/faq.md", "faq.md"),
        (" a\x00b.md ", "ab.md"),
    ],
)
def test_filenames_lose_folders_and_control_characters(given: str, expected: str) -> None:
    assert clean_filename(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "docs/", "..", "x" * 256 + ".md"])
def test_unusable_filenames_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        clean_filename(bad)


# --- documents ----------------------------------------------------------------------------------


async def test_list_pages_by_filename_with_total(kit: Kit, lumen: Tenant) -> None:
    await load_demo(kit, lumen)
    first = await kit.service.list_documents(tenant=lumen, limit=3)
    rest = await kit.service.list_documents(tenant=lumen, limit=10, offset=3)
    assert first.total == rest.total == 8
    names = [d.filename for d in (*first.items, *rest.items)]
    assert names == sorted(p.name for p in KB_DIR.glob("*.md"))
    for limit, offset in ((0, 0), (101, 0), (5, -1)):
        with pytest.raises(InvalidInputError):
            await kit.service.list_documents(tenant=lumen, limit=limit, offset=offset)


async def test_delete_removes_chunks_full_text_and_vectors(kit: Kit, lumen: Tenant) -> None:
    doc = (await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)).document
    await kit.service.ingest(tenant=lumen, filename="faq.txt", data=b"Opening hours: 9 to 5.")
    assert await kit.service.search(tenant=lumen, query="boiler relay", mode=SearchMode.VECTOR, k=5)
    await kit.service.delete_document(tenant=lumen, document_id=doc.id)
    assert await kit.chunk_ids(doc.id) == []
    assert await kit.fts("relay") == 0
    hits = await kit.service.search(tenant=lumen, query="boiler relay", mode=SearchMode.VECTOR, k=5)
    assert {h.filename for h in hits} == {"faq.txt"}
    with pytest.raises(NotFoundError):
        await kit.service.get_document(tenant=lumen, document_id=doc.id)
    with pytest.raises(NotFoundError):
        await kit.service.delete_document(tenant=lumen, document_id=doc.id)


async def test_another_tenants_documents_look_missing(kit: Kit, lumen: Tenant, other: Tenant) -> None:
    theirs = (await kit.service.ingest(tenant=other, filename="thermostat.md", data=THERMOSTAT)).document
    ours = (await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT_V2)).document
    assert theirs.id != ours.id  # the same filename in two tenants is two documents
    for call in (
        kit.service.get_document(tenant=lumen, document_id=theirs.id),
        kit.service.delete_document(tenant=lumen, document_id=theirs.id),
        kit.service.replace(tenant=lumen, document_id=theirs.id, filename="x.md", data=THERMOSTAT),
    ):
        with pytest.raises(NotFoundError, match=f"document {theirs.id} not found"):
            await call
    for mode in SearchMode:
        hits = await kit.service.search(tenant=lumen, query="E3 boiler relay", mode=mode, k=10)
        assert {h.document_id for h in hits} == {ours.id}
    assert [d.id for d in (await kit.service.list_documents(tenant=other)).items] == [theirs.id]


# --- search -------------------------------------------------------------------------------------


async def test_exact_code_finds_its_section(kit: Kit, lumen: Tenant) -> None:
    await load_demo(kit, lumen)
    for query, mode in (("E3", SearchMode.FUSED), ("my thermostat says E3", SearchMode.TEXT)):
        top = (await kit.service.search(tenant=lumen, query=query, mode=mode))[0]
        assert top.filename == "troubleshooting-climate.md"
        assert top.heading_path == ('The thermostat shows "E3"',)
        assert "E3" in top.snippet
        assert top.document_title.startswith("Troubleshooting")


async def test_hits_are_ranked_cut_to_k_and_fuse_both_lists(kit: Kit, lumen: Tenant) -> None:
    await load_demo(kit, lumen)
    hits = await kit.service.search(tenant=lumen, query="radiator valves will not pair", k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score > 1 / 61  # found by both rankings


@pytest.mark.parametrize("query", ["", "   ", "x" * (MAX_QUERY_CHARS + 1)])
async def test_empty_or_long_queries_are_invalid(kit: Kit, lumen: Tenant, query: str) -> None:
    with pytest.raises(InvalidQuery):
        await kit.service.search(tenant=lumen, query=query)


async def test_k_must_be_within_the_candidate_depth(kit: Kit, lumen: Tenant) -> None:
    for k in (0, 51):
        with pytest.raises(InvalidQuery, match="k must be"):
            await kit.service.search(tenant=lumen, query="boiler", k=k)
    assert await kit.service.search(tenant=lumen, query="x" * MAX_QUERY_CHARS, k=50) == []


@pytest.mark.parametrize(
    "query",
    ['"E3', "E3 OR", "NEAR(E3 relay)", "*", "E3 AND -relay", "title:E3", "E3^2 {x}", "'; drop table x"],
)
async def test_full_text_syntax_in_a_query_is_only_words(kit: Kit, lumen: Tenant, query: str) -> None:
    await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    hits = await kit.service.search(tenant=lumen, query=query, mode=SearchMode.TEXT)
    if "E3" in query:
        assert hits and hits[0].heading_path == ("Error codes",)


async def test_a_query_of_stopwords_still_gets_vector_hits(kit: Kit, lumen: Tenant) -> None:
    await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    assert await kit.service.search(tenant=lumen, query="how do i", mode=SearchMode.TEXT) == []
    assert await kit.service.search(tenant=lumen, query="how do i the", mode=SearchMode.FUSED)


async def test_vectors_cached_by_one_process_follow_writes_of_another(
    kit: Kit, lumen: Tenant, store: SqlStore, clock: FakeClock
) -> None:
    writer = Kit(SqlStore(store.engine), clock)  # another process: its own store and caches
    await kit.service.ingest(tenant=lumen, filename="thermostat.md", data=THERMOSTAT)
    assert await kit.service.search(tenant=lumen, query="batteries", mode=SearchMode.VECTOR)
    added = await writer.service.ingest(
        tenant=lumen, filename="cafe.txt", data=b"Espresso machine descaling."
    )
    hits = await kit.service.search(tenant=lumen, query="espresso descaling", mode=SearchMode.VECTOR)
    assert hits[0].document_id == added.document.id
    await writer.service.delete_document(tenant=lumen, document_id=added.document.id)
    hits = await kit.service.search(tenant=lumen, query="espresso descaling", mode=SearchMode.VECTOR)
    assert added.document.id not in {h.document_id for h in hits}


# --- the schema -----------------------------------------------------------------------------------


async def test_migration_0002_downgrades_and_upgrades_again(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        await _alembic(engine, "downgrade", "0001")
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(c.dialect.get_table_names(c)))
        assert not {"kb_documents", "kb_chunks", "kb_versions", "kb_chunks_fts"} & tables
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _alembic(engine: object, command_name: str, revision: str) -> None:
    from alembic import command

    from frontdesk.adapters.db.migrate import alembic_config

    def run(connection: object) -> None:
        cfg = alembic_config("sqlite://")
        cfg.attributes["connection"] = connection
        getattr(command, command_name)(cfg, revision)

    async with engine.begin() as conn:  # type: ignore[attr-defined]
        await conn.run_sync(run)
