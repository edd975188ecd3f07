"""Frontdesk with FRONTDESK_S3_BUCKET set, on SQLite and PostgreSQL, against a real S3 endpoint (moto's
server on loopback): a received image is fetched into the bucket and served to staff from it; a
knowledge document's upload lands in the bucket (not in the database), a business pack's export gives it
back, a replacement swaps the object and a delete removes it. No folder is written."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.media import send_media, serve_media, stored
from tests.support.s3 import S3

PREFIX = "frontdesk/test"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 8
GUIDE = b"# Boiler guide\n\nThe boiler's pilot light is blue when it burns cleanly.\n"
GUIDE_V2 = b"# Boiler guide\n\nThe boiler's pilot light is steady and blue when it burns cleanly.\n"


@pytest.fixture
def fd(database_url: str, graph_url: str, s3: S3, tmp_path: Path) -> Iterator[Running]:
    with running_frontdesk(
        database_url, graph_url, s3_bucket=s3.bucket, s3_prefix=PREFIX, files_dir=str(tmp_path / "unused")
    ) as running:
        yield running


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_received_media_goes_to_the_bucket_and_is_served_from_it(fd: Running, s3: S3, tmp_path: Path) -> None:
    row = stored(fd, send_media(fd, serve_media(fd, JPEG, "image/jpeg")))
    name = f"{PREFIX}/tenants/{row.tenant_id}/media/{row.id}"
    assert name in s3.names()
    assert s3.client.get_object(Bucket=s3.bucket, Key=name)["Body"].read() == JPEG
    assert not (tmp_path / "unused").exists()

    url = f"{fd.url}/api/v1/conversations/{row.conversation_id}/messages/{row.id}/media"
    answer = fd.client.get(url, headers=fd.staff_headers("viewer"))
    assert (answer.status_code, answer.content) == (200, JPEG)
    assert answer.headers["content-type"] == "image/jpeg"


def test_knowledge_originals_live_in_the_bucket_and_come_back_in_the_export(fd: Running, s3: S3) -> None:
    api = f"{fd.url}/api/v1/knowledge/documents"
    added = fd.client.post(
        api, files={"file": ("boiler.md", GUIDE, "text/markdown")}, headers=fd.staff_headers()
    )
    assert added.status_code == 201, added.text
    document = added.json()["document"]
    tenant_id = fd.query("select tenant_id from kb_documents where id = :d", d=document["id"])[0].tenant_id
    kb = f"{PREFIX}/tenants/{tenant_id}/kb/{document['id']}"
    assert [n for n in s3.names() if n.startswith(f"{kb}/")] == [f"{kb}/{sha(GUIDE)}"]
    assert fd.query("select count(*) as n from kb_originals")[0].n == 0  # none in the database

    exported = fd.client.get(f"{fd.url}/api/v1/business/export", headers=fd.staff_headers(), timeout=60)
    assert exported.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(exported.content)).read("kb/boiler.md") == GUIDE

    replaced = fd.client.put(
        f"{api}/{document['id']}", files={"file": ("boiler.md", GUIDE_V2)}, headers=fd.staff_headers()
    )
    assert replaced.status_code == 200, replaced.text
    assert [n for n in s3.names() if n.startswith(f"{kb}/")] == [f"{kb}/{sha(GUIDE_V2)}"]

    assert fd.client.delete(f"{api}/{document['id']}", headers=fd.staff_headers()).status_code == 204
    assert [n for n in s3.names() if n.startswith(f"{kb}/")] == []
