"""Tenant isolation over the whole admin API, generic over `/openapi.json`.

A second tenant gets the same kinds of data as the demo one (a number, a contact with a conversation and
messages, a staff member, a knowledge document, a dead turn and a failed send). Then every operation
whose path holds an id is called, with every method, by the demo tenant's owner with the second
tenant's ids: each must answer 404, and no table may change. A new endpoint is covered as soon as it is
in the OpenAPI document; one with a path parameter this file does not know fails until it is added to
`other_tenant_ids`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import OTHER_CUSTOMER, OTHER_NUMBER, OTHER_TENANT, add_other_tenant, write
from tests.support.media import as_json, send_media, serve_media, stored
from tests.support.staff import bearer_login, ensure_staff, password_hash

DOCUMENT = ("returns.md", b"# Returns\n\nYou may return an item within 30 days.\n", "text/markdown")


OPERATORS_ONLY = "/api/v1/tenants/"
"""Paths that are not a tenant's data but the platform's: anyone but an operator gets 403, not 404."""


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def other_tenant_ids(fd: Running) -> list[dict[str, Any]]:
    """The second tenant's data, made through its own owner where the API can; its ids by path
    parameter name. One set of path parameters per dead-letter kind."""
    add_other_tenant(fd)  # tenant, number, a customer who wrote: contact, conversation, message, job
    tenant = fd.query("select id from tenants where slug = :s", s=OTHER_TENANT)[0][0]
    # Their customer sends a photo too: a message with a stored file, in the same conversation.
    photo = serve_media(fd, b"\xff\xd8\xff photo", "image/jpeg", number=OTHER_NUMBER)
    photo_message = stored(fd, send_media(fd, photo, sender=OTHER_CUSTOMER, number=OTHER_NUMBER))
    assert "file" in as_json(photo_message.content)["media"]
    theirs = fd.staff_headers("owner", tenant=OTHER_TENANT)
    api = f"{fd.url}/api/v1"

    conversation = fd.query("select id, contact_id from conversations where tenant_id = :t", t=tenant)[0]
    sent = fd.client.post(
        f"{api}/conversations/{conversation[0]}/messages",
        json={"kind": "text", "body": "Your parcel left today."},
        headers=theirs,
    )
    assert sent.status_code == 201, sent.text
    uploaded = fd.client.post(f"{api}/knowledge/documents", files={"file": DOCUMENT}, headers=theirs)
    assert uploaded.status_code == 201, uploaded.text
    invite = {"email": "new@acme.test", "role": "agent", "password": "a long passphrase"}
    invited = fd.client.post(f"{api}/users", json=invite, headers=theirs)
    assert invited.status_code == 202, invited.text
    fd.wait_for(lambda: quiet(fd), what="turns and sends to finish")

    # A dead turn and a failed send of theirs, as if the bot and the Graph API had kept failing.
    messages = {r[0] for r in fd.query("select id from messages where tenant_id = :t", t=tenant)}
    payloads = [
        (j, p if isinstance(p, dict) else json.loads(p)) for j, p in fd.query("select id, payload from jobs")
    ]
    job = next(j for j, p in sorted(payloads) if p.get("message_id") in messages)
    fd.execute("update jobs set status = 'dead', last_error = 'boom' where id = :j", j=job)
    send = fd.query("select id from outbox where tenant_id = :t", t=tenant)[0][0]
    fd.execute("update outbox set status = 'failed', last_error = 'boom' where id = :o", o=send)

    business = add_business_rows(fd, theirs)
    common = {
        **business,
        "conversation_id": conversation[0],
        "contact_id": conversation[1],
        "message_id": photo_message.id,
        "channel_id": fd.query("select id from channels where tenant_id = :t", t=tenant)[0][0],
        "user_id": ensure_staff(fd.sync_db_url, email="agent@acme.test", role="agent", tenant=OTHER_TENANT),
        "document_id": uploaded.json()["document"]["id"],
        "invitation_id": invited.json()["id"],  # neither theirs to cancel nor addressed to them
        "tenant_id": tenant,  # the operators' tenants API: 403 to a tenant's owner (see OPERATORS_ONLY)
    }
    return [
        {**common, "kind": "turn", "item_id": job},
        {**common, "kind": "send", "item_id": send},
    ]


OTHER_KEY = "ACME-1"
"""The other tenant's order and appointment reference, and (lower case) its service and technician
code; the demo tenant has no row with any of them, so a 404 can only mean hidden."""


def add_business_rows(fd: Running, theirs: dict[str, str]) -> dict[str, str]:
    """The other tenant's own product, order, service, technician and appointment (its customer wrote
    in), made by its owner through the business API; their keys by path parameter name."""
    code = OTHER_KEY.lower()
    rows = {
        "products": {"sku": OTHER_KEY, "name": "Anvil", "category": "tools", "price": "99.00", "stock": 3},
        "orders": {
            "ref": OTHER_KEY,
            "customer": OTHER_CUSTOMER,
            "items": [{"sku": OTHER_KEY, "qty": 1}],
            "total": "99.00",
            "ordered_at": "2026-12-01",
        },
        "services": {"code": code, "name": "Anvil fitting", "duration_min": 60, "price": "10.00"},
        "technicians": {"code": code, "name": "Wile", "skills": [code], "hours": {"mon": ["09:00", "17:00"]}},
        "appointments": {
            "ref": OTHER_KEY,
            "service": code,
            "technician": code,
            "customer": OTHER_CUSTOMER,
            "start": "2027-01-04T10:00",
        },
    }
    for table, row in rows.items():
        made = fd.client.post(f"{fd.url}/api/v1/business/{table}", json=row, headers=theirs)
        assert made.status_code == 201, made.text
    return {"sku": OTHER_KEY, "wa_id": OTHER_CUSTOMER, "ref": OTHER_KEY, "code": code}


def quiet(fd: Running) -> bool:
    busy = fd.query("select count(*) from jobs where status in ('queued', 'running')")[0][0]
    sending = fd.query("select count(*) from outbox where status = 'pending'")[0][0]
    return busy == 0 and sending == 0


def snapshot(fd: Running) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    engine = create_engine(fd.sync_db_url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            return {
                t: sorted(map(tuple, conn.execute(text(f'select * from "{t}"')).all()), key=repr)
                for t in tables
            }
    finally:
        engine.dispose()


def request_body(spec: dict[str, Any], operation: dict[str, Any], me: int) -> dict[str, Any]:
    """A valid body for the operation (its documented example), so only the id can make it fail."""
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return {"files": {"file": DOCUMENT}}
    if "application/json" not in content:
        return {}
    media = content["application/json"]
    if media.get("examples"):
        body = next(iter(media["examples"].values()))["value"]
    else:
        schema = media["schema"]
        schema = schema.get("anyOf", [schema])[0]  # an optional body: its model, then null
        ref = schema["$ref"].rsplit("/", 1)[-1]
        body = spec["components"]["schemas"][ref]["examples"][0]
    if "user_id" in body:
        body = {**body, "user_id": me}  # a member of the caller's tenant: only the path id is foreign
    return {"json": body}


def test_another_tenants_ids_are_404_and_change_nothing(fd: Running) -> None:
    write(fd, "hello, do you deliver on saturdays?")  # the demo tenant has the same kinds of data
    id_sets = other_tenant_ids(fd)
    mine = fd.staff_headers("owner")
    me = fd.client.get(f"{fd.url}/api/v1/auth/me", headers=mine).json()["id"]
    spec = fd.client.get(f"{fd.url}/openapi.json").json()
    before = snapshot(fd)

    tried: list[str] = []
    wrong: list[str] = []
    for path, operations in spec["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        if not names:
            continue
        for method, operation in operations.items():
            for ids in id_sets if "kind" in names else id_sets[:1]:  # both dead-letter kinds
                unknown = set(names) - set(ids)
                assert not unknown, f"{method.upper()} {path}: no other-tenant id for {unknown}; add one"
                url = fd.url + path.format(**ids)
                answer = fd.client.request(
                    method.upper(), url, headers=mine, **request_body(spec, operation, me)
                )
                tried.append(f"{method.upper()} {url}")
                if answer.status_code != (403 if path.startswith(OPERATORS_ONLY) else 404):
                    wrong.append(f"{method.upper()} {path} {ids}: {answer.status_code} {answer.text[:200]}")

    assert not wrong, "\n".join(wrong)
    assert len(tried) >= 25, tried
    fd.wait_for(lambda: quiet(fd), what="anything queued to settle")
    after = snapshot(fd)
    changed = [t for t in before if before[t] != after[t]]
    assert not changed, {t: (len(before[t]), len(after[t])) for t in changed}
    # and the customer of the other tenant still sees their own conversation as before
    assert fd.query("select count(*) from contacts where wa_id = :w", w=OTHER_CUSTOMER)[0][0] == 1


def test_the_id_sets_reach_every_kind_of_data(fd: Running) -> None:
    """Guard: the ids above really exist (in the other tenant), so a 404 means hidden, not missing."""
    ids = other_tenant_ids(fd)[0]
    theirs = fd.staff_headers("owner", tenant=OTHER_TENANT)
    api = f"{fd.url}/api/v1"
    for path in [
        f"/conversations/{ids['conversation_id']}",
        f"/contacts/{ids['contact_id']}",
        f"/channels/{ids['channel_id']}",
        f"/users/{ids['user_id']}",
        f"/knowledge/documents/{ids['document_id']}",
        *(f"/business/{table}/{ids['ref']}" for table in ("orders", "appointments")),
        *(f"/business/{table}/{ids['code']}" for table in ("services", "technicians")),
        f"/business/products/{ids['sku']}",
        f"/business/customers/{ids['wa_id']}",
    ]:
        assert fd.client.get(api + path, headers=theirs).status_code == 200, path
    listed = httpx.get(f"{api}/jobs", headers=theirs, timeout=10).json()["items"]
    assert {(d["kind"], d["id"]) for d in listed} >= {("turn", ids["item_id"])}


def test_two_businesses_share_a_customer_each_sees_only_its_own_rows(fd: Running) -> None:
    """The same person (one WhatsApp number) is a customer of both businesses, with different orders:
    every list, search, filter, export and import of the business API keeps each to its own rows."""
    add_other_tenant(fd)
    theirs = fd.staff_headers("owner", tenant=OTHER_TENANT)
    mine = fd.staff_headers("owner")
    api = f"{fd.url}/api/v1/business"
    amelia = "447700900101"  # a demo customer with orders LH-100231 and LH-100245
    for table, row in [
        ("customers", {"wa_id": amelia, "name": "Amelia at Acme"}),
        ("products", {"sku": OTHER_KEY, "name": "Anvil", "category": "tools", "price": "99.00", "stock": 3}),
        (
            "orders",
            {
                "ref": OTHER_KEY,
                "customer": amelia,
                "items": [{"sku": OTHER_KEY}],
                "total": 99,
                "ordered_at": "2026-12-01",
            },
        ),
    ]:
        made = fd.client.post(f"{api}/{table}", json=row, headers=theirs)
        assert made.status_code == 201, made.text

    def items(path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        answer = fd.client.get(f"{api}{path}", params={"limit": 200, **params}, headers=headers)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["items"]
        return found

    assert [o["ref"] for o in items("/orders", mine, customer=amelia)] == ["LH-100231", "LH-100245"]
    assert [o["ref"] for o in items("/orders", theirs, customer=amelia)] == [OTHER_KEY]
    assert [o["ref"] for o in items("/orders", theirs)] == [OTHER_KEY]
    for headers, name in ((mine, "Amelia Clarke"), (theirs, "Amelia at Acme")):
        assert fd.client.get(f"{api}/customers/{amelia}", headers=headers).json()["name"] == name
    for table in ("products", "customers", "orders", "services", "technicians", "appointments"):
        assert items(f"/{table}", mine, q="acme") == [], table
    assert [c["wa_id"] for c in items("/customers", theirs)] == sorted([amelia, OTHER_CUSTOMER])

    for path in ("/products/export", "/customers/export", "/orders/export", "/export"):
        exported = fd.client.get(f"{api}{path}", headers=mine, timeout=60)
        assert exported.status_code == 200
        content = exported.content
        if path == "/export":
            archive = zipfile.ZipFile(io.BytesIO(content))
            content = b"".join(archive.read(n) for n in archive.namelist())
        assert b"ACME" not in content.upper() and b"Anvil" not in content, path

    # Each business edits and imports its own rows only, even under the same keys.
    renamed = fd.client.patch(f"{api}/customers/{amelia}", json={"name": "Amelia C."}, headers=mine)
    assert renamed.status_code == 200
    csv_body = b"sku,name,category,price,stock\n" + OTHER_KEY.encode() + b",Lumen anvil,misc,1.00,1\n"
    imported = fd.client.post(
        f"{api}/products/import", content=csv_body, headers={**mine, "content-type": "text/csv"}, timeout=60
    )
    assert imported.status_code == 200 and imported.json()["tables"]["products"]["created"] == 1
    assert fd.client.get(f"{api}/customers/{amelia}", headers=theirs).json()["name"] == "Amelia at Acme"
    anvil = fd.client.get(f"{api}/products/{OTHER_KEY}", headers=theirs).json()
    assert (anvil["name"], anvil["price"]) == ("Anvil", "99.00")


def make_operator(fd: Running, email: str) -> dict[str, str]:
    """An operator (a member of no tenant), signed in to the demo tenant."""
    fd.execute(
        "insert into staff_users (email, name, password_hash, failed_logins, password_changed_at, "
        "created_at, operator) values (:e, 'Op', :h, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :op)",
        e=email,
        h=password_hash(),
        op=True,
    )
    return bearer_login(fd.client, fd.url, email=email, tenant="lumen")


def test_tenant_owners_cannot_see_or_change_tenants_and_an_operator_sees_one_tenant_at_a_time(
    fd: Running,
) -> None:
    write(fd, "hello, do you deliver on saturdays?")  # a conversation of the demo's
    add_other_tenant(fd)
    other = fd.query("select id from tenants where slug = :s", s=OTHER_TENANT)[0][0]
    lumen = fd.query("select id from tenants where slug = 'lumen'")[0][0]
    api = f"{fd.url}/api/v1"
    before = fd.query("select id, slug, name, disabled_at from tenants order by id")
    for owner in (fd.staff_headers("owner"), fd.staff_headers("owner", tenant=OTHER_TENANT)):
        assert fd.client.get(f"{api}/tenants", headers=owner).status_code == 403
        assert (
            fd.client.post(f"{api}/tenants", json={"slug": "x-y", "name": "X"}, headers=owner).status_code
            == 403
        )
        for tenant_id in (other, lumen):
            patched = fd.client.patch(f"{api}/tenants/{tenant_id}", json={"disabled": True}, headers=owner)
            assert patched.status_code == 403
    assert fd.query("select id, slug, name, disabled_at from tenants order by id") == before

    # An operator's session in the demo tenant sees the demo's rows only, as its owner would.
    operator = make_operator(fd, "op@platform.test")
    theirs = fd.query("select id from conversations where tenant_id = :t", t=other)[0][0]
    assert fd.client.get(f"{api}/conversations/{theirs}", headers=operator).status_code == 404
    listed = fd.client.get(f"{api}/conversations", headers=operator).json()["items"]
    assert theirs not in {c["id"] for c in listed}
    customers = fd.client.get(f"{api}/business/customers", params={"limit": 200}, headers=operator).json()
    assert OTHER_CUSTOMER not in {c["wa_id"] for c in customers["items"]}
    # Switched to the other tenant, it sees that tenant's rows, and no longer the demo's.
    switched = fd.client.post(f"{api}/auth/switch", json={"tenant": OTHER_TENANT}, headers=operator)
    there = {"Authorization": f"Bearer {switched.json()['access_token']}"}
    assert fd.client.get(f"{api}/conversations/{theirs}", headers=there).status_code == 200
    demo = fd.query("select id from conversations where tenant_id = :t", t=lumen)
    assert demo
    for (conversation,) in demo:
        assert fd.client.get(f"{api}/conversations/{conversation}", headers=there).status_code == 404
