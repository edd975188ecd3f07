"""The business data as files over real HTTP, on SQLite and PostgreSQL: each CSV table exported and
imported back (a dry run writes nothing; a refused file writes nothing and names file, row and column),
CSV as the body or a multipart file, the whole pack as a zip or single files, 413 over the size limit,
and who may do it."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.harness import Running, running_frontdesk

API = "/api/v1/business"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def call(
    fd: Running,
    method: str,
    path: str,
    *,
    role: str = "admin",
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> httpx.Response:
    headers = {**fd.staff_headers(role), **(headers or {})}
    return fd.client.request(method, f"{fd.url}{API}{path}", headers=headers, timeout=60, **kw)


def report(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"dry_run", "ok", "tables", "kb_documents", "team", "problems"}
    return body


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def price_of(fd: Running, sku: str) -> float:
    return float(fd.query("select price from products where sku = :s", s=sku)[0][0])


def test_table_round_trip_dry_run_and_refusal(fd: Running) -> None:
    exported = call(fd, "GET", "/products/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    products = rows_of(exported.content)
    assert products[0]["sku"] and {"sku", "name", "price", "stock"} <= set(products[0])
    same = report(
        call(fd, "POST", "/products/import", content=exported.content, headers={"content-type": "text/csv"})
    )
    assert same["ok"] and same["tables"]["products"]["unchanged"] == len(products)

    bulb = next(p for p in products if p["sku"] == "LH-BULB-E27")
    before = price_of(fd, "LH-BULB-E27")
    bulb["price"] = "9.99"
    dry = report(call(fd, "POST", "/products/import", params={"dry_run": "true"}, content=as_csv(products)))
    assert (
        dry["dry_run"] and dry["tables"]["products"]["updated"] == 1 and price_of(fd, "LH-BULB-E27") == before
    )

    bulb["price"] = "abc"
    refused = report(call(fd, "POST", "/products/import", content=as_csv(products)), 422)
    assert not refused["ok"] and price_of(fd, "LH-BULB-E27") == before
    (problem,) = refused["problems"]
    row = products.index(bulb) + 1
    assert (problem["file"], problem["row"], problem["column"]) == ("products.csv", row, "price")
    assert problem["text"].startswith(f"products.csv row {row}: ") and "abc" in problem["text"]

    bulb["price"] = "9.99"
    upload = {"file": ("products.csv", as_csv(products), "text/csv")}
    applied = report(call(fd, "POST", "/products/import", files=upload))
    assert applied["tables"]["products"]["updated"] == 1 and price_of(fd, "LH-BULB-E27") == 9.99
    audit = fd.query("select action from audit_log where action like 'business.%' order by id")
    assert [a for (a,) in audit] == ["business.products.export", "business.imported", "business.imported"]


def test_orders_refer_to_known_customers_and_products(fd: Running) -> None:
    orders = rows_of(call(fd, "GET", "/orders/export").content)
    first = orders[0]
    new = {**first, "order_id": "T-ORD-9", "items": "NO-SUCH x1", "wa_id": "449999999999"}
    refused = report(call(fd, "POST", "/orders/import", content=as_csv([new])), 422)
    assert {p["column"] for p in refused["problems"]} >= {"items", "wa_id"}
    assert fd.query("select count(*) from orders where order_ref = 'T-ORD-9'")[0][0] == 0
    customers = call(fd, "GET", "/customers/export")
    assert customers.status_code == 200 and b"447700900101" in customers.content


def test_no_file_is_422(fd: Running) -> None:
    response = call(fd, "POST", "/products/import", files={"other": ("a.csv", b"sku\n", "text/csv")})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]


def test_pack_zip_and_single_files(fd: Running) -> None:
    exported = call(fd, "GET", "/export")
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert "business.yaml" in names and "products.csv" in names

    again = report(
        call(
            fd,
            "POST",
            "/import",
            params={"dry_run": True},
            content=exported.content,
            headers={"content-type": "application/zip"},
        )
    )
    assert again["ok"] and again["dry_run"]
    assert all(c["created"] == c["updated"] == 0 for c in again["tables"].values())

    product = b"sku,name,category,price,stock\nT-NEW-1,New thing,misc,5.00,3\n"
    single = report(call(fd, "POST", "/import", files=[("files", ("products.csv", product, "text/csv"))]))
    assert single["tables"]["products"]["created"] == 1
    assert fd.query("select name from products where sku = 'T-NEW-1'")[0][0] == "New thing"

    services = zipfile.ZipFile(io.BytesIO(exported.content)).read("services.yaml")
    alone = report(call(fd, "POST", "/import", files=[("files", ("services.yaml", services, "text/yaml"))]))
    assert alone["ok"] and alone["tables"]["appointments"]["unchanged"] >= 3

    zipped = call(fd, "POST", "/import", files=[("files", ("pack.zip", exported.content, "application/zip"))])
    assert report(zipped)["ok"]
    broken = report(
        call(fd, "POST", "/import", content=b"not a zip", headers={"content-type": "application/zip"}), 422
    )
    assert broken["problems"] and not broken["ok"]


def test_roles(fd: Running) -> None:
    for role in ("viewer", "agent"):
        assert call(fd, "GET", "/products/export", role=role).status_code == 403
        assert call(fd, "GET", "/export", role=role).status_code == 403
        assert call(fd, "POST", "/products/import", role=role, content=b"sku\n").status_code == 403
        assert call(fd, "POST", "/import", role=role, content=b"PK").status_code == 403
    assert fd.client.get(f"{fd.url}{API}/export").status_code == 401


def test_over_the_size_limit_is_413(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, pack_max_bytes=4096) as fd:
        big = b"sku,name,category,price,stock\n" + b"X-1,a,b,1.00,1\n" * 10_000
        response = call(fd, "POST", "/products/import", content=big, headers={"content-type": "text/csv"})
        assert response.status_code == 413
        zipped = call(fd, "POST", "/import", files=[("files", ("products.csv", big, "text/csv"))])
        assert zipped.status_code == 413
        assert fd.query("select count(*) from products where sku = 'X-1'")[0][0] == 0


def test_file_routes_are_not_read_as_keys(fd: Running) -> None:
    """`/products/export` is the export: another method there is 405 with its real `Allow`, not a
    product called `export`."""
    for method, path, allowed in (("PATCH", "/products/export", "GET"), ("DELETE", "/orders/import", "POST")):
        answer = call(fd, method, path)
        assert (answer.status_code, answer.headers.get("allow")) == (405, allowed), answer.text
    assert call(fd, "GET", "/customers/import").status_code == 405
