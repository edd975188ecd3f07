"""Received media end to end on SQLite and PostgreSQL: a Cloud API image webhook → the `media` job fetches
it from the fake Graph (a real server) → the file store (a real folder) → staff get it from the API;
failures retried or recorded while the turn still runs; erasure and retention delete the file."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.retention import SqlRetention
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.files.local import LocalFiles
from frontdesk.services.retention import RetentionService
from tests.support.harness import Running, running_frontdesk
from tests.support.media import as_json, send_media, serve_media, stored
from tests.support.payloads import text_message
from tests.support.tenants import add_tenant

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 16
MAX_BYTES = 64 * 1024
MAX_ATTEMPTS = 3


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
def fd(database_url: str, graph_url: str, files_dir: Path) -> Iterator[Running]:
    with running_frontdesk(
        database_url,
        graph_url,
        files_dir=str(files_dir),
        media_max_bytes=MAX_BYTES,
        job_max_attempts=MAX_ATTEMPTS,
    ) as running:
        yield running


def downloads(fd: Running, media_id: str) -> int:
    count: int = fd.client.get(f"{fd.graph_url}/_fake/media/{media_id}").json()["downloads"]
    return count


def media_of(row: Any) -> dict[str, Any]:
    media: dict[str, Any] = as_json(row.content)["media"]
    return media


def mine(job: Any, row: Any) -> bool:
    return bool(as_json(job.payload)["message_id"] == row.id)


def replies(fd: Running) -> list[str]:
    return [s["body"]["text"]["body"] for s in fd.sent() if s["body"].get("type") == "text"]


def media_url(fd: Running, row: Any, *, conversation_id: int | None = None) -> str:
    conversation = row.conversation_id if conversation_id is None else conversation_id
    return f"{fd.url}/api/v1/conversations/{conversation}/messages/{row.id}/media"


def test_an_image_is_fetched_stored_served_and_read_as_an_image(fd: Running, files_dir: Path) -> None:
    media_id = serve_media(fd, JPEG, "image/jpeg")
    row = stored(fd, send_media(fd, media_id))

    key = f"tenants/{row.tenant_id}/media/{row.id}"
    assert media_of(row)["file"] == {"key": key, "size": len(JPEG), "mime_type": "image/jpeg"}
    assert media_of(row)["id"] == media_id  # the channel's reference stays beside it
    assert (files_dir / key).read_bytes() == JPEG
    assert downloads(fd, media_id) == 1

    # The media job ran first, under the turn's key; the turn then read a caption-less image as one.
    fd.wait_for(lambda: "echo: [image]" in replies(fd), what="the turn's reply")
    jobs = [j for j in fd.query("select kind, key, status, payload from jobs order by id") if mine(j, row)]
    assert [(j.kind, j.status) for j in jobs] == [("media", "done"), ("turn", "done")]
    assert jobs[0].key == jobs[1].key == f"conversation:{row.conversation_id}"

    events = fd.query("select payload from events where type = 'message.media'")
    assert as_json(events[-1].payload) == {
        "conversation_id": row.conversation_id,
        "message_id": row.id,
        "media": {"file": {"size": len(JPEG), "mime_type": "image/jpeg"}},
    }

    answer = fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer"))
    assert answer.status_code == 200
    assert answer.content == JPEG
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-disposition"] == f'inline; filename="image-{row.id}.jpg"'
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]


def test_transient_failures_are_retried_and_permanent_ones_recorded_while_turns_run(fd: Running) -> None:
    # Graph fails twice: the job's third attempt stores the file.
    media_id = serve_media(fd, JPEG, "image/jpeg")
    fd.fail_graph(status=503, code=2, times=2, message="Service temporarily unavailable")
    row = stored(fd, send_media(fd, media_id))
    assert media_of(row)["file"]["size"] == len(JPEG)
    assert fd.query("select attempts from jobs where kind = 'media' order by id desc")[0].attempts == 3
    assert downloads(fd, media_id) == 1

    # An id Graph does not know is permanent: recorded at once, and the turn runs.
    row = stored(fd, send_media(fd, "9999999999999999"))
    assert media_of(row)["error"]["code"] == "100"
    assert fd.query("select attempts from jobs where kind = 'media' order by id desc")[0].attempts == 1
    assert fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer")).status_code == 404

    # Over FRONTDESK_MEDIA_MAX_BYTES: refused from Graph's declared size, never downloaded.
    big = serve_media(fd, b"\0" * (MAX_BYTES + 1), "video/mp4")
    row = stored(fd, send_media(fd, big, kind="video", mime_type="video/mp4"))
    assert media_of(row)["error"]["code"] == "media_too_large"
    assert downloads(fd, big) == 0

    # Each turn ran and replied (waited for here: the failures queued next must meet the media job only).
    fd.wait_for(lambda: replies(fd).count("echo: [image]") == 2, what="the replies to both images")
    fd.wait_for(lambda: "echo: [video]" in replies(fd), what="the reply to the large video")

    # Transient until the job's last attempt: recorded then, not dead-lettered; the turn still runs.
    media_id = serve_media(fd, JPEG, "image/jpeg")
    fd.fail_graph(status=503, code=2, times=MAX_ATTEMPTS)
    row = stored(fd, send_media(fd, media_id, caption="my receipt"))
    assert media_of(row)["error"]["code"] == "2"
    assert fd.query("select status from jobs where kind = 'media' order by id desc")[0].status == "done"

    fd.wait_for(lambda: "echo: my receipt" in replies(fd), what="the reply to the captioned image")


def test_a_file_a_browser_could_run_is_a_download(fd: Running) -> None:
    page = b"<html><script>alert(1)</script></html>"
    row = stored(
        fd,
        send_media(
            fd,
            serve_media(fd, page, "text/html"),
            kind="document",
            mime_type="text/html",
            filename="../Fatura março<1>.html",
        ),
    )
    answer = fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer"))
    assert answer.status_code == 200 and answer.content == page
    assert answer.headers["content-type"].startswith("text/html")
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Fatura_mar_o_1_.html"')
    assert "filename*=UTF-8''_Fatura%20mar%C3%A7o%3C1%3E.html" in disposition
    assert answer.headers["x-content-type-options"] == "nosniff"

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    row = stored(fd, send_media(fd, serve_media(fd, svg, "image/svg+xml"), mime_type="image/svg+xml"))
    answer = fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer"))
    assert answer.headers["content-disposition"].startswith("attachment;")


def test_only_the_tenants_staff_get_its_files(fd: Running) -> None:
    row = stored(fd, send_media(fd, serve_media(fd, JPEG, "image/jpeg")))
    add_tenant(fd, "other")
    assert fd.client.get(media_url(fd, row)).status_code == 401
    assert (
        fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer", tenant="other")).status_code
        == 404
    )
    fd.post_webhook(text_message("wamid.OTHER", "hello", sender="447700900102")).raise_for_status()
    sql = "select conversation_id from messages where channel_message_id = 'wamid.OTHER'"
    other_conversation = fd.wait_for(lambda: fd.query(sql))[0].conversation_id
    wrong = media_url(fd, row, conversation_id=other_conversation)
    assert fd.client.get(wrong, headers=fd.staff_headers("owner")).status_code == 404
    missing = f"{fd.url}/api/v1/conversations/{row.conversation_id}/messages/{row.id + 1000}/media"
    assert fd.client.get(missing, headers=fd.staff_headers("owner")).status_code == 404
    assert fd.client.get(media_url(fd, row), headers=fd.staff_headers("viewer")).status_code == 200


def test_erasing_the_contact_deletes_their_files(fd: Running, files_dir: Path) -> None:
    row = stored(fd, send_media(fd, serve_media(fd, JPEG, "image/jpeg")))
    path = files_dir / media_of(row)["file"]["key"]
    assert path.exists()
    contact = fd.query("select contact_id from conversations where id = :c", c=row.conversation_id)[
        0
    ].contact_id
    erased = fd.client.post(f"{fd.url}/api/v1/contacts/{contact}/erase", headers=fd.staff_headers("owner"))
    assert erased.status_code == 200, erased.text
    assert not path.exists()
    assert fd.client.get(media_url(fd, row), headers=fd.staff_headers("owner")).status_code == 404


def test_retention_deletes_the_files_of_the_messages_it_erases(
    fd: Running, database_url: str, files_dir: Path
) -> None:
    row = stored(fd, send_media(fd, serve_media(fd, JPEG, "image/jpeg")))
    path = files_dir / media_of(row)["file"]["key"]
    fd.execute("update tenants set retention_days = 1 where id = :t", t=row.tenant_id)

    async def erase_later() -> int:
        store = SqlStore(make_engine(database_url))
        try:
            job = RetentionService(store=SqlRetention(store), files=LocalFiles(files_dir), clock=_InDays(3))
            return await job.erase_expired()
        finally:
            await store.dispose()

    assert asyncio.run(erase_later()) >= 1
    assert not path.exists()
    assert fd.client.get(media_url(fd, row), headers=fd.staff_headers("owner")).status_code == 404


class _InDays:
    def __init__(self, days: int) -> None:
        self.days = days

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=self.days)


def test_the_fake_graph_serves_what_a_test_registered(graph_url: str) -> None:
    """The fake's media routes, as Graph documents them: the node with a checksum, then the bytes."""
    media_id = "1234567890123"
    httpx.put(f"{graph_url}/_fake/media/{media_id}", content=JPEG, headers={"content-type": "image/jpeg"})
    auth = {"authorization": "Bearer t"}
    node = httpx.get(f"{graph_url}/v21.0/{media_id}", headers=auth).json()
    assert node["sha256"] == hashlib.sha256(JPEG).hexdigest() and node["file_size"] == len(JPEG)
    assert httpx.get(node["url"]).status_code == 401  # the download needs the token too
    assert httpx.get(node["url"], headers=auth).content == JPEG
