"""The knowledge-base admin API over real HTTP, on SQLite and PostgreSQL, with the real MiniLM embedder.

The app seeds the demo knowledge base (8 Markdown files) on its first start, so searches run against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.documents import blank_pdf, make_pdf
from tests.support.harness import Running, running_frontdesk

API = "/api/v1/knowledge"
DEMO_DOCUMENTS = 8

MARKDOWN = b"""# Kettle guide

## Descaling
Descale the Lumen kettle every month with citric acid.

## Warranty
The kettle has a three-year warranty.
"""
HTML = b"""<html><head><title>Doorbell FAQ</title><script>var secret = "zebra";</script>
<style>.x{color:red}</style></head><body><h1>Doorbell FAQ</h1><h2>Chime</h2>
<p>The doorbell chime plays a marimba tune.</p><ul><li>Battery lasts six months</li></ul></body></html>"""
TEXT = b"Garden sensor\n\nThe garden sensor measures soil moisture every hour.\n"
PDF = make_pdf(["Projector manual", "The projector lamp lasts 20000 hours."], title="Projector manual")


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def upload(
    fd: Running, name: str, data: bytes, ctype: str = "application/octet-stream", **kw: Any
) -> httpx.Response:
    return fd.client.post(
        f"{fd.url}{API}/documents",
        files={"file": (name, data, ctype)},
        headers=kw.get("headers") or fd.staff_headers(),
    )


def put(fd: Running, document_id: int, name: str, data: bytes) -> httpx.Response:
    return fd.client.put(
        f"{fd.url}{API}/documents/{document_id}", files={"file": (name, data)}, headers=fd.staff_headers()
    )


def get(fd: Running, path: str, headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
    return fd.client.get(f"{fd.url}{API}{path}", params=params, headers=headers or fd.staff_headers())


def search(fd: Running, q: str, **params: Any) -> list[dict[str, Any]]:
    response = get(fd, "/search", q=q, **params)
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()["hits"]
    return hits


def counts(fd: Running) -> tuple[int, int]:
    return (
        fd.query("select count(*) from kb_documents")[0][0],
        fd.query("select count(*) from kb_chunks")[0][0],
    )


def chunk_ids(fd: Running, document_id: int) -> set[int]:
    return {row[0] for row in fd.query("select id from kb_chunks where document_id = :d", d=document_id)}


# --- documents ----------------------------------------------------------------------------------


def test_upload_each_format_then_list_get_and_search(fd: Running) -> None:
    files = [
        ("kettle.md", MARKDOWN, "text/markdown", "markdown", "Kettle guide", "citric acid"),
        ("doorbell.html", HTML, "text/html", "html", "Doorbell FAQ", "marimba tune"),
        ("garden.txt", TEXT, "text/plain", "text", "Garden", "soil moisture"),
        ("projector.pdf", PDF, "application/pdf", "pdf", "Projector manual", "projector lamp"),
    ]
    for name, data, ctype, fmt, title, phrase in files:
        response = upload(fd, name, data, ctype)
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["changed"]) == ("added", True)
        assert (body["document"]["format"], body["document"]["title"]) == (fmt, title)
        hits = search(fd, phrase, k=3)
        assert hits[0]["filename"] == name, (phrase, hits)
    assert not search(fd, "zebra", mode="text")  # script text is not indexed
    listing = get(fd, "/documents", limit=5, offset=0).json()
    assert listing["total"] == DEMO_DOCUMENTS + 4 and len(listing["items"]) == 5
    rest = get(fd, "/documents", limit=100, offset=5).json()["items"]
    names = [d["filename"] for d in listing["items"] + rest]
    assert names == sorted(names) and "projector.pdf" in names
    kettle = next(d for d in listing["items"] + rest if d["filename"] == "kettle.md")
    detail = get(fd, f"/documents/{kettle['id']}").json()
    assert [c["heading_path"] for c in detail["chunks"]] == [["Descaling"], ["Warranty"]]
    assert detail["chunk_count"] == 2 and detail["size_bytes"] == len(MARKDOWN)


def test_replacing_swaps_chunks_and_identical_content_is_not_reindexed(fd: Running) -> None:
    first = upload(fd, "kettle.md", MARKDOWN).json()["document"]
    old_chunks = chunk_ids(fd, first["id"])
    again = upload(fd, "kettle.md", MARKDOWN)
    assert again.status_code == 200
    assert (again.json()["status"], again.json()["changed"]) == ("unchanged", False)
    assert chunk_ids(fd, first["id"]) == old_chunks

    replaced = upload(fd, "kettle.md", MARKDOWN.replace(b"citric acid", b"white vinegar"))
    assert replaced.status_code == 200 and replaced.json()["status"] == "replaced"
    assert replaced.json()["document"]["id"] == first["id"]
    new_chunks = chunk_ids(fd, first["id"])
    assert len(new_chunks) == 2 and not new_chunks & old_chunks
    assert not search(fd, "citric", mode="text")
    assert search(fd, "white vinegar", k=1)[0]["filename"] == "kettle.md"

    by_id = put(fd, first["id"], "kettle-v3.md", MARKDOWN.replace(b"month", b"fortnight"))
    assert by_id.status_code == 200 and by_id.json()["status"] == "replaced"
    assert by_id.json()["document"]["filename"] == "kettle-v3.md"
    assert put(fd, first["id"], "faq.md", MARKDOWN).status_code == 409  # a demo document's name
    assert put(fd, 10**9, "x.md", MARKDOWN).status_code == 404


def test_delete_removes_the_document_its_chunks_and_vectors(fd: Running) -> None:
    document = upload(fd, "kettle.md", MARKDOWN).json()["document"]
    assert search(fd, "descale the kettle", k=1, mode="vector")[0]["document_id"] == document["id"]
    response = fd.client.delete(f"{fd.url}{API}/documents/{document['id']}", headers=fd.staff_headers())
    assert response.status_code == 204 and response.content == b""
    assert chunk_ids(fd, document["id"]) == set()
    assert get(fd, f"/documents/{document['id']}").status_code == 404
    for mode in ("text", "vector", "fused"):
        hits = search(fd, "descale the kettle with citric acid", k=20, mode=mode)
        assert document["id"] not in {h["document_id"] for h in hits}
    assert (
        fd.client.delete(f"{fd.url}{API}/documents/{document['id']}", headers=fd.staff_headers()).status_code
        == 404
    )


# --- search -------------------------------------------------------------------------------------


def test_search_finds_an_exact_code_and_a_paraphrase(fd: Running) -> None:
    exact = search(fd, "E3", k=3)
    assert exact[0]["filename"] == "troubleshooting-climate.md"
    assert exact[0]["heading_path"] == ['The thermostat shows "E3"']
    assert "E3" in exact[0]["snippet"]
    paraphrase = search(fd, "my heating display shows an error", k=3)
    assert paraphrase[0]["filename"] == "troubleshooting-climate.md"
    assert ['The thermostat shows "E3"'] in [h["heading_path"] for h in paraphrase]
    scores = [h["score"] for h in paraphrase]
    assert scores == sorted(scores, reverse=True)
    assert set(paraphrase[0]) == {
        "chunk_id", "document_id", "document_title", "filename", "heading_path", "snippet", "score"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 422),
        ({"q": "   "}, 422),
        ({"q": "x" * 1001}, 422),
        ({"q": "x" * 1000}, 200),
        ({}, 422),
        ({"q": "E3", "k": 0}, 422),
        ({"q": "E3", "k": 21}, 422),
        ({"q": "E3", "mode": "psychic"}, 422),
        ({"q": '"E3" OR NEAR(a b) * -x'}, 200),
    ],
)
def test_bad_queries_are_422_never_500(fd: Running, params: dict[str, Any], status: int) -> None:
    response = get(fd, "/search", **params)
    assert response.status_code == status, response.text
    if status == 422 and params.get("q", "").strip() == "":
        assert ["query", "q"] in [error["loc"] for error in response.json()["detail"]]


# --- refusals -----------------------------------------------------------------------------------


def test_without_a_valid_token_everything_is_401(fd: Running) -> None:
    calls = [
        ("POST", "/documents"),
        ("GET", "/documents"),
        ("GET", "/documents/1"),
        ("PUT", "/documents/1"),
        ("DELETE", "/documents/1"),
        ("GET", "/search?q=E3"),
    ]
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}):
        for method, path in calls:
            files = {"file": ("a.md", b"# A\n\ntext")} if method in ("POST", "PUT") else None
            response = fd.client.request(method, f"{fd.url}{API}{path}", headers=headers, files=files)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
    assert counts(fd)[0] == DEMO_DOCUMENTS


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), 415, "supported: .md, .markdown, .txt"),
        ("slides.pptx", b"PK\x03\x04" + bytes(64), 415, "application/pdf"),
        ("empty.md", b"", 422, "empty"),
        ("corrupt.pdf", PDF[: len(PDF) // 3], 422, "corrupt"),
        ("scan.pdf", blank_pdf(), 422, "no text layer"),
        ("binary.txt", bytes(range(256)) * 8, 422, "not text in a known encoding"),
    ],
)
def test_unusable_files_are_refused_and_nothing_is_stored(
    fd: Running, name: str, data: bytes, status: int, message: str
) -> None:
    before = counts(fd)
    response = upload(fd, name, data)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert counts(fd) == before


def test_windows_1252_text_is_decoded(fd: Running) -> None:
    data = "Caf\u00e9 cr\u00e8me \u2013 the espresso machine needs descaling.".encode("cp1252")
    assert upload(fd, "cafe.txt", data, "text/plain").status_code == 201
    hit = search(fd, "café crème", k=1, mode="text")[0]
    assert hit["filename"] == "cafe.txt" and "Café crème –" in hit["snippet"]


def test_malformed_requests_are_4xx_not_500(fd: Running) -> None:
    url = f"{fd.url}{API}/documents"
    assert fd.client.post(url, headers=fd.staff_headers(), data={"file": "not a file"}).status_code == 422
    assert fd.client.post(url, headers=fd.staff_headers(), json={"file": "x"}).status_code == 422
    assert upload(fd, "", b"# A\n\ntext").status_code == 422  # a part without a file name is no file
    for bad in ("0", "-1", "abc", str(2**63)):
        assert get(fd, f"/documents/{bad}").status_code == 422
    assert get(fd, "/documents", limit=0).status_code == 422
    assert get(fd, "/documents", limit=101).status_code == 422
    assert get(fd, "/documents", offset=-1).status_code == 422
    assert get(fd, "/documents/999999").status_code == 404


def test_over_the_size_limit_is_413_and_nothing_is_stored(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, kb_max_bytes=4096) as fd:
        before = counts(fd)
        small_over = upload(fd, "big.txt", b"word " * 1000)  # 5,000 bytes: passes HTTP, fails the check
        assert small_over.status_code == 413
        assert "the limit is 4096 bytes" in small_over.json()["detail"]
        declared = upload(fd, "huge.txt", b"word " * 40_000)  # 200 kB, refused by Content-Length
        assert declared.status_code == 413
        assert "byte limit" in declared.json()["detail"]
        chunked = _chunked_upload(fd, "huge.txt", b"word " * 40_000)
        assert chunked.status_code == 413
        assert "byte limit" in chunked.json()["detail"]
        assert counts(fd) == before
        assert upload(fd, "fits.txt", b"word " * 800).status_code == 201


def _chunked_upload(fd: Running, name: str, data: bytes) -> httpx.Response:
    """A multipart upload sent with Transfer-Encoding: chunked (no Content-Length)."""
    boundary = "frontdesk-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(body), 16 * 1024):
            yield body[start : start + 16 * 1024]

    headers = {**fd.staff_headers(), "content-type": f"multipart/form-data; boundary={boundary}"}
    return fd.client.post(f"{fd.url}{API}/documents", content=pieces(), headers=headers)


def test_another_tenants_document_is_404_and_never_found(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as lumen:
        lumen.execute(
            "insert into tenants (slug, name, timezone, currency, profile, created_at) "
            "values ('other', 'Other Ltd', 'UTC', 'GBP', '{}', CURRENT_TIMESTAMP)"
        )
        other = lumen.staff_headers(tenant="other")
        theirs = upload(lumen, "secret.md", b"# Secret\n\nThe vault code is zebra-kestrel.", headers=other)
        their_id = theirs.json()["document"]["id"]
        assert get(lumen, f"/documents/{their_id}", headers=other).status_code == 200
        assert get(lumen, "/documents", headers=other).json()["total"] == 1
        assert get(lumen, f"/documents/{their_id}").status_code == 404
        assert put(lumen, their_id, "secret.md", b"# Mine\n\ntext").status_code == 404
        deleted = lumen.client.delete(f"{lumen.url}{API}/documents/{their_id}", headers=lumen.staff_headers())
        assert deleted.status_code == 404
        for mode in ("text", "vector", "fused"):
            hits = search(lumen, "vault code zebra kestrel", k=20, mode=mode)
            assert their_id not in {h["document_id"] for h in hits}
        assert get(lumen, "/documents").json()["total"] == DEMO_DOCUMENTS
        assert lumen.query("select count(*) from kb_chunks where document_id = :d", d=their_id)[0][0] == 1


# --- documentation ------------------------------------------------------------------------------


def test_openapi_documents_every_endpoint_and_its_errors(fd: Running) -> None:
    spec = fd.client.get(f"{fd.url}/openapi.json").json()
    paths = spec["paths"]
    assert set(paths[f"{API}/documents"]) == {"get", "post"}
    assert set(paths[f"{API}/documents/{{document_id}}"]) == {"get", "put", "delete"}
    assert set(paths[f"{API}/search"]) == {"get"}
    post = paths[f"{API}/documents"]["post"]
    assert {"200", "201", "401", "413", "415", "422"} <= set(post["responses"])
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"401", "404", "409", "413", "415", "422"} <= set(
        paths[f"{API}/documents/{{document_id}}"]["put"]["responses"]
    )
    assert {"401", "422"} <= set(paths[f"{API}/search"]["get"]["responses"])
    assert "examples" in spec["components"]["schemas"]["SearchOut"]


def test_only_admins_change_the_knowledge_base_and_everyone_reads_it(fd: Running) -> None:
    viewer = fd.staff_headers("viewer")
    files = {"file": ("viewer.md", b"# Viewer\n\nA viewer may not add this.", "text/markdown")}
    refused = fd.client.post(f"{fd.url}/api/v1/knowledge/documents", files=files, headers=viewer)
    assert refused.status_code == 403
    listed = fd.client.get(f"{fd.url}/api/v1/knowledge/documents", headers=viewer).json()
    assert "viewer.md" not in [d["filename"] for d in listed["items"]]
    document_id = listed["items"][0]["id"]
    assert (
        fd.client.delete(f"{fd.url}/api/v1/knowledge/documents/{document_id}", headers=viewer).status_code
        == 403
    )
    found = fd.client.get(f"{fd.url}/api/v1/knowledge/search", params={"q": "E3 error"}, headers=viewer)
    assert found.status_code == 200
