"""Knowledge-base originals in the file store, not the database: an upload writes the file before its row
commits, a replacement writes beside the old file and deletes it once committed, a delete takes the
document's files, a failure on either side leaves no half-write, and originals kept in `kb_originals`
before (migration 0009) are still exported and move to the file store on the way."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import text

from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.adapters.files.local import LocalFiles
from frontdesk.adapters.files.s3 import S3Files
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.files import FileStore, kb_original_key
from frontdesk.domain.models import Tenant
from frontdesk.services.knowledge.service import KnowledgeService
from tests.support.s3 import S3
from tests.unit.conftest import FakeClock

MANUAL = b"# Kettle manual\n\nThe kettle boils a litre in three minutes.\n"
MANUAL_V2 = b"# Kettle manual\n\nThe kettle boils a litre in two minutes.\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def service(store: SqlStore, clock: FakeClock, files: FileStore | None) -> KnowledgeService:
    return KnowledgeService(
        index=KnowledgeStore(store, files=files),
        reader=DocumentExtractor(),
        embedder=HashingEmbedder(),
        clock=clock,
    )


@pytest.fixture
def files(tmp_path: Path) -> LocalFiles:
    return LocalFiles(tmp_path / "files")


@pytest.fixture
async def lumen(store: SqlStore) -> Tenant:
    async with store.transaction() as tx:
        tenant = await tx.tenant_by_slug("lumen")
    assert tenant is not None
    return tenant


async def count(store: SqlStore, sql: str) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def kb_files(files: LocalFiles, tenant: Tenant) -> list[str]:
    folder = files.root / "tenants" / str(tenant.id) / "kb"
    return sorted(str(p.relative_to(files.root)) for p in folder.rglob("*") if p.is_file())


async def test_upload_replace_export_delete(
    store: SqlStore, clock: FakeClock, files: LocalFiles, lumen: Tenant
) -> None:
    kb = service(store, clock, files)
    before = await count(store, "select count(*) from kb_originals")
    added = (await kb.ingest(tenant=lumen, filename="kettle.md", data=MANUAL)).document
    first = kb_original_key(lumen.id, added.id, sha(MANUAL))
    assert (await files.get(first)).data == MANUAL
    assert await count(store, "select count(*) from kb_originals") == before  # not in the database
    assert (await kb.originals(tenant=lumen))["kettle.md"] == MANUAL

    await kb.replace(tenant=lumen, document_id=added.id, filename="kettle.md", data=MANUAL_V2)
    assert await kb_files(files, lumen) == [kb_original_key(lumen.id, added.id, sha(MANUAL_V2))]
    assert (await kb.originals(tenant=lumen))["kettle.md"] == MANUAL_V2

    await kb.delete_document(tenant=lumen, document_id=added.id)
    assert await kb_files(files, lumen) == []
    assert "kettle.md" not in await kb.originals(tenant=lumen)


async def test_an_original_kept_in_the_database_is_exported_and_moved(
    store: SqlStore, clock: FakeClock, files: LocalFiles, lumen: Tenant
) -> None:
    # Stored as before the file store took originals: the bytes in kb_originals.
    old = (await service(store, clock, None).ingest(tenant=lumen, filename="kettle.md", data=MANUAL)).document
    assert await count(store, f"select count(*) from kb_originals where document_id = {old.id}") == 1

    kb = service(store, clock, files)
    assert (await kb.originals(tenant=lumen))["kettle.md"] == MANUAL
    assert await count(store, f"select count(*) from kb_originals where document_id = {old.id}") == 0
    assert (await files.get(kb_original_key(lumen.id, old.id, sha(MANUAL)))).data == MANUAL
    assert (await kb.originals(tenant=lumen))["kettle.md"] == MANUAL  # now from the file store


async def test_an_original_that_cannot_be_moved_is_still_exported(
    store: SqlStore, clock: FakeClock, lumen: Tenant, s3: S3, caplog: pytest.LogCaptureFixture
) -> None:
    old = (await service(store, clock, None).ingest(tenant=lumen, filename="kettle.md", data=MANUAL)).document
    broken = service(store, clock, S3Files("no-such-bucket-here"))
    with caplog.at_level(logging.WARNING, logger="frontdesk.adapters.db.knowledge"):
        assert (await broken.originals(tenant=lumen)) == {"kettle.md": MANUAL}  # the bytes were read
    assert "could not move a knowledge original" in caplog.text
    assert MANUAL.decode()[:40] not in caplog.text  # the file's content is not logged
    # Still in the database: the move is tried again at the next export.
    assert await count(store, f"select count(*) from kb_originals where document_id = {old.id}") == 1


async def test_a_file_store_that_fails_stores_no_document(
    store: SqlStore, clock: FakeClock, files: LocalFiles, lumen: Tenant, s3: S3
) -> None:
    kept = (
        await service(store, clock, files).ingest(tenant=lumen, filename="kettle.md", data=MANUAL)
    ).document
    broken = service(store, clock, S3Files("no-such-bucket-here"))
    with pytest.raises(ClientError):
        await broken.ingest(tenant=lumen, filename="new.md", data=MANUAL)
    with pytest.raises(ClientError):
        await broken.replace(tenant=lumen, document_id=kept.id, filename="kettle.md", data=MANUAL_V2)
    assert await count(store, "select count(*) from kb_documents where filename = 'new.md'") == 0
    unchanged = await service(store, clock, files).originals(tenant=lumen)
    assert unchanged["kettle.md"] == MANUAL and "new.md" not in unchanged


async def test_a_database_that_fails_after_the_file_was_written_leaves_no_file(
    store: SqlStore, clock: FakeClock, files: LocalFiles, lumen: Tenant
) -> None:
    kb = service(store, clock, files)
    kept = (await kb.ingest(tenant=lumen, filename="kettle.md", data=MANUAL)).document
    # A real failure inside the transaction, after the file is written: the version bump is refused.
    async with store.engine.begin() as conn:
        for event in ("INSERT", "UPDATE"):
            await conn.execute(
                text(
                    f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON kb_versions "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
    with pytest.raises(ConflictError):  # SQLite reports a trigger's abort as a constraint failure
        await kb.ingest(tenant=lumen, filename="new.md", data=b"# New\n\nA new document.\n")
    with pytest.raises(ConflictError):  # SQLite reports a trigger's abort as a constraint failure
        await kb.replace(tenant=lumen, document_id=kept.id, filename="kettle.md", data=MANUAL_V2)
    # The old document and its file as they were; neither new file left behind.
    assert await kb_files(files, lumen) == [kb_original_key(lumen.id, kept.id, sha(MANUAL))]
    assert await count(store, "select count(*) from kb_documents where filename = 'new.md'") == 0
    assert (await files.get(kb_original_key(lumen.id, kept.id, sha(MANUAL)))).data == MANUAL
    with pytest.raises(NotFoundError):
        await files.get(kb_original_key(lumen.id, kept.id, sha(MANUAL_V2)))
