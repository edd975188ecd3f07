"""The business data API over real HTTP, on SQLite and PostgreSQL, against the seeded demo business:
create, read, edit and delete by key for each table, keyset pages and search, every refusal (a taken
key, an unknown reference, a bad amount, a row others depend on, a role that may not), and the audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import text_message

API = "/api/v1/business"
AMELIA, OLIVER = "447700900101", "447700900102"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def call(fd: Running, method: str, path: str, *, role: str = "admin", **kw: Any) -> httpx.Response:
    return fd.client.request(method, f"{fd.url}{API}{path}", headers=fd.staff_headers(role), **kw)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def every_page(fd: Running, path: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = ok(call(fd, "GET", path, params={**params, **({"cursor": cursor} if cursor else {})}))
        found += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return found


def field_errors(response: httpx.Response) -> list[tuple[Any, ...]]:
    assert response.status_code == 422, response.text
    return [tuple(e["loc"]) for e in response.json()["detail"]]


def audit_actions(fd: Running, target: str) -> list[str]:
    rows = fd.query("select action from audit_log where target_id = :t order by id", t=target)
    return [r[0] for r in rows]


PRODUCT = {"sku": "T-LAMP-1", "name": "Test lamp", "category": "lighting", "price": "19.99", "stock": 4}


def test_product_lifecycle(fd: Running) -> None:
    created = ok(call(fd, "POST", "/products", json=PRODUCT), 201)
    assert created | PRODUCT == created and created["tags"] == [] and created["rating"] is None
    assert ok(call(fd, "GET", "/products/T-LAMP-1", role="viewer")) == created

    changed = ok(call(fd, "PATCH", "/products/T-LAMP-1", json={"price": 17.5, "rating": "4.5", "stock": 0}))
    assert (changed["price"], changed["rating"], changed["stock"]) == ("17.50", "4.5", 0)
    assert fd.query("select price from products where sku = 'T-LAMP-1'")[0][0] == pytest.approx(17.5)

    assert ok(call(fd, "DELETE", "/products/T-LAMP-1"), 204) is None
    assert call(fd, "GET", "/products/T-LAMP-1").status_code == 404
    assert call(fd, "DELETE", "/products/T-LAMP-1").status_code == 404
    assert audit_actions(fd, "T-LAMP-1") == [
        "business.products.create",
        "business.products.update",
        "business.products.delete",
    ]
    detail = fd.query("select details, actor from audit_log where action = 'business.products.update'")
    assert "price" in str(detail[-1][0]) and detail[-1][1] == "admin@lumen.test"


def test_product_refusals(fd: Running) -> None:
    taken = call(fd, "POST", "/products", json={**PRODUCT, "sku": "LH-BULB-E27"})
    assert taken.status_code == 409 and "LH-BULB-E27" in taken.json()["detail"]
    for price in ["abc", -1, 1.234, "1,50", True]:
        assert field_errors(call(fd, "POST", "/products", json={**PRODUCT, "price": price})) == [
            ("body", "price")
        ]
    assert field_errors(call(fd, "POST", "/products", json={**PRODUCT, "stock": "3"})) == [("body", "stock")]
    assert field_errors(call(fd, "POST", "/products", json={**PRODUCT, "sku": "a b"})) == [("body", "sku")]
    assert field_errors(call(fd, "PATCH", "/products/LH-BULB-E27", json={"name": None})) == [("body", "name")]
    assert field_errors(call(fd, "PATCH", "/products/LH-BULB-E27", json={"sku": "X"})) == [("body", "sku")]
    assert call(fd, "PATCH", "/products/NOPE", json={"stock": 1}).status_code == 404
    assert fd.query("select count(*) from products where sku in ('T-LAMP-1', 'X')")[0][0] == 0


def test_roles(fd: Running) -> None:
    assert fd.client.get(f"{fd.url}{API}/products").status_code == 401
    for role in ("viewer", "agent"):
        assert call(fd, "GET", "/orders", role=role).status_code == 200
        assert call(fd, "POST", "/products", role=role, json=PRODUCT).status_code == 403
        assert (
            call(fd, "PATCH", "/orders/LH-100245", role=role, json={"status": "delivered"}).status_code == 403
        )
        assert call(fd, "DELETE", "/products/LH-BULB-E27", role=role).status_code == 403
    assert fd.query("select status from orders where order_ref = 'LH-100245'")[0][0] == "shipped"


def test_pages_in_key_order_and_search(fd: Running) -> None:
    skus = [p["sku"] for p in every_page(fd, "/products", limit=3)]
    assert skus == sorted(skus) and len(skus) == len(set(skus)) >= 20
    assert {p["sku"] for p in every_page(fd, "/products", q="bulb")} == {
        "LH-BULB-E27",
        "LH-BULB-GU10",
        "LH-BULB-FIL",
    }
    assert [c["wa_id"] for c in every_page(fd, "/customers", q="AMELIA")] == [AMELIA]
    assert every_page(fd, "/products", q="100%_") == []
    assert call(fd, "GET", "/products", params={"cursor": "WzFd"}).status_code == 422  # [1]: not a key


def test_orders_filter_and_status_change(fd: Running) -> None:
    amelia = every_page(fd, "/orders", customer=AMELIA)
    assert [o["ref"] for o in amelia] == ["LH-100231", "LH-100245"]
    shipped = every_page(fd, "/orders", status="shipped", limit=1)
    assert shipped and all(o["status"] == "shipped" for o in shipped)
    assert call(fd, "GET", "/orders", params={"status": "lost"}).status_code == 422

    changed = ok(
        call(fd, "PATCH", "/orders/LH-100245", json={"status": "delivered", "delivered_at": "2026-11-20"})
    )
    assert changed["status"] == "delivered" and changed["items"] == [{"sku": "LH-LAMP-FLOOR", "qty": 1}]
    assert changed["customer"] == AMELIA and changed["total"] == "129.00"
    assert ok(call(fd, "PATCH", "/orders/LH-100245", json={"eta": None}))["eta"] is None
    assert field_errors(call(fd, "PATCH", "/orders/LH-100245", json={"status": "lost"})) == [
        ("body", "status")
    ]


ORDER = {
    "ref": "T-ORD-1",
    "customer": OLIVER,
    "items": [{"sku": "LH-SPK-MINI", "qty": 2}],
    "total": 99.98,
    "ordered_at": "2026-12-01",
}


def test_order_references(fd: Running) -> None:
    unknown_sku = {**ORDER, "items": [{"sku": "LH-SPK-MINI"}, {"sku": "NO-SUCH", "qty": 1}]}
    refused = call(fd, "POST", "/orders", json=unknown_sku)
    assert field_errors(refused) == [("body", "items", 1, "sku")] and "NO-SUCH" in refused.text
    assert field_errors(call(fd, "POST", "/orders", json={**ORDER, "customer": "449999999999"})) == [
        ("body", "customer")
    ]
    assert field_errors(call(fd, "POST", "/orders", json={**ORDER, "items": []})) == [("body", "items")]
    assert fd.query("select count(*) from orders where order_ref = 'T-ORD-1'")[0][0] == 0

    created = ok(call(fd, "POST", "/orders", json=ORDER), 201)
    assert created["status"] == "processing" and created["total"] == "99.98"
    assert call(fd, "POST", "/orders", json=ORDER).status_code == 409
    assert field_errors(call(fd, "PATCH", "/orders/T-ORD-1", json={"items": [{"sku": "GONE"}]})) == [
        ("body", "items", 0, "sku")
    ]
    assert ok(call(fd, "DELETE", "/orders/T-ORD-1"), 204) is None


def test_customers_are_contacts(fd: Running) -> None:
    new = {"wa_id": "447700900999", "name": "Test Person", "city": "York", "preferences": {"likes": "tea"}}
    created = ok(call(fd, "POST", "/customers", json=new), 201)
    assert created["vip"] is False and created["email"] is None
    contacts = fd.client.get(
        f"{fd.url}/api/v1/contacts", params={"q": "447700900999"}, headers=fd.staff_headers("admin")
    ).json()["items"]
    assert [(c["name"], c["city"]) for c in contacts] == [("Test Person", "York")]
    assert ok(call(fd, "PATCH", "/customers/447700900999", json={"vip": True, "city": None}))["city"] is None
    assert call(fd, "POST", "/customers", json=new).status_code == 409
    assert field_errors(call(fd, "POST", "/customers", json={**new, "wa_id": "+44 7700"})) == [
        ("body", "wa_id")
    ]
    assert call(fd, "GET", "/customers/not-a-number").status_code == 422

    busy = call(fd, "DELETE", f"/customers/{OLIVER}")
    assert busy.status_code == 409 and "orders" in busy.json()["detail"]
    assert ok(call(fd, "DELETE", "/customers/447700900999"), 204) is None
    # The audit log names a customer by contact id, as the contacts API does: an erasure leaves it alone.
    entries = fd.query(
        "select action, target_type, target_id, details from audit_log "
        "where action like 'business.customers.%' order by id"
    )
    assert [(a, t) for a, t, _, _ in entries] == [
        ("business.customers.create", "contact"),
        ("business.customers.update", "contact"),
        ("business.customers.delete", "contact"),
    ]
    assert len({i for _, _, i, _ in entries}) == 1 and "447700900999" not in repr(entries)


def test_services_technicians_appointments(fd: Running) -> None:
    service = {"code": "t-tune", "name": "Tune-up", "duration_min": 45, "price": "30", "requires": ["LH-HUB"]}
    assert ok(call(fd, "POST", "/services", json=service), 201)["price"] == "30.00"
    assert field_errors(
        call(fd, "POST", "/services", json={**service, "code": "t2", "requires": ["NOPE"]})
    ) == [("body", "requires", 0)]
    tech = {
        "code": "t-tess",
        "name": "Tess",
        "skills": ["t-tune"],
        "areas": ["York"],
        "hours": {"mon": ["09:00", "17:00"]},
    }
    assert ok(call(fd, "POST", "/technicians", json=tech), 201)["hours"] == {"mon": ["09:00", "17:00"]}
    assert field_errors(
        call(fd, "POST", "/technicians", json={**tech, "code": "t3", "skills": ["t-tune", "x"]})
    ) == [("body", "skills", 1)]
    assert field_errors(
        call(fd, "POST", "/technicians", json={**tech, "code": "t4", "hours": {"mon": ["17:00", "09:00"]}})
    ) == [("body", "hours", "mon")]

    # Europe/London is UTC+0 in winter and UTC+1 in summer: a start without offset is read there.
    booking = {
        "ref": "T-APT-1",
        "service": "t-tune",
        "technician": "t-tess",
        "customer": AMELIA,
        "start": "2027-07-05T10:00",
    }
    created = ok(call(fd, "POST", "/appointments", json=booking), 201)
    assert (created["start"], created["end"]) == ("2027-07-05T10:00:00+01:00", "2027-07-05T10:45:00+01:00")
    moved = ok(call(fd, "PATCH", "/appointments/T-APT-1", json={"start": "2027-01-04T09:00:00Z"}))
    assert (moved["start"], moved["end"]) == ("2027-01-04T09:00:00Z", "2027-01-04T09:45:00Z")
    wrong = {**booking, "ref": "T-APT-2", "service": "video-consult"}
    assert field_errors(call(fd, "POST", "/appointments", json=wrong)) == [("body", "technician")]
    assert field_errors(call(fd, "POST", "/appointments", json={**booking, "start": "tomorrow"})) == [
        ("body", "start")
    ]

    for path, what in (("/services/t-tune", "appointments"), ("/technicians/t-tess", "appointments")):
        refused = call(fd, "DELETE", path)
        assert refused.status_code == 409 and what in refused.json()["detail"]
    assert (
        ok(call(fd, "PATCH", "/appointments/T-APT-1", json={"status": "cancelled"}))["status"] == "cancelled"
    )
    for path in ("/appointments/T-APT-1", "/technicians/t-tess", "/services/t-tune"):
        assert ok(call(fd, "DELETE", path), 204) is None


def test_the_customers_next_question_sees_an_order_status_change(database_url: str, graph_url: str) -> None:
    """The agents read the database on every turn: an order staff marked delivered is answered as such."""
    with running_frontdesk(database_url, graph_url, team=True) as fd:

        def answer(wamid: str, count: int) -> str:
            assert fd.post_webhook(text_message(wamid, "where is my order LH-100245?")).status_code == 200
            # The first turn of a process builds the team (embeds its examples): slow on a busy machine.
            sent = fd.wait_for(lambda: s if len(s := fd.sent()) >= count else None, timeout=240, what="reply")
            return json.dumps(sent[count - 1]["body"])

        assert "was delivered" not in answer("wamid.B1", 1)
        ok(call(fd, "PATCH", "/orders/LH-100245", json={"status": "delivered", "delivered_at": "2026-11-20"}))
        assert "was delivered" in answer("wamid.B2", 2)


def test_edits_at_the_same_time_keep_each_others_fields(fd: Running) -> None:
    """Each edit reads the row it overwrites inside its own transaction (the row held on PostgreSQL): six
    edits of different fields sent at once all land."""
    edits = [
        {"name": "Bulb A"},
        {"category": "lamps"},
        {"description": "new words"},
        {"stock": 7},
        {"price": "1.25"},
        {"tags": ["x"]},
    ]
    headers = fd.staff_headers("admin")
    url = f"{fd.url}{API}/products/LH-BULB-E27"
    with ThreadPoolExecutor(len(edits)) as pool:
        answers = list(pool.map(lambda e: fd.client.patch(url, json=e, headers=headers), edits))
    assert [a.status_code for a in answers] == [200] * len(edits)
    final = ok(call(fd, "GET", "/products/LH-BULB-E27"))
    assert final | {k: v for e in edits for k, v in e.items()} == final
