"""Operators and tenants over real HTTP on SQLite and PostgreSQL: `/api/v1/tenants` (operators only),
disabled businesses (sign-in, sessions, webhooks), and switching tenant (`POST /api/v1/auth/switch`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import DEMO_NUMBER, text_message
from tests.support.staff import PASSWORD, bearer_login, ensure_staff, login, password_hash
from tests.support.tenants import add_channel

API = "/api/v1/tenants"
OPERATOR = "op@platform.test"
BIKES_OWNER = "owner@bikes.example"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def make_operator(fd: Running, email: str = OPERATOR) -> None:
    """An operator's account, a member of no tenant (the CLI makes them; tests write the row)."""
    fd.execute(
        "insert into staff_users (email, name, password_hash, failed_logins, password_changed_at, "
        "created_at, operator) values (:e, 'Operator', :h, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :op)",
        e=email,
        h=password_hash(),
        op=True,
    )


def operator_headers(fd: Running, tenant: str = "lumen") -> dict[str, str]:
    make_operator(fd)
    return bearer_login(fd.client, fd.url, email=OPERATOR, tenant=tenant)


def create_bikes(fd: Running, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {
        "slug": "bikes",
        "name": "Spoke & Chain Bikes",
        "timezone": "Europe/London",
        "currency": "GBP",
        "owner_email": BIKES_OWNER,
        "owner_password": PASSWORD,
        **extra,
    }
    created = fd.client.post(f"{fd.url}{API}", json=body, headers=headers)
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def me(fd: Running, headers: dict[str, str]) -> httpx.Response:
    return fd.client.get(f"{fd.url}/api/v1/auth/me", headers=headers)


def test_only_operators_manage_tenants(fd: Running) -> None:
    owner = fd.staff_headers("owner")
    lumen_id = fd.query("select id from tenants where slug = 'lumen'")[0][0]
    for method, path, body in (
        ("GET", API, None),
        ("POST", API, {"slug": "mine", "name": "Mine"}),
        ("PATCH", f"{API}/{lumen_id}", {"disabled": True}),
    ):
        answer = fd.client.request(method, f"{fd.url}{path}", json=body, headers=owner)
        assert answer.status_code == 403, (method, answer.text)
        assert answer.json()["detail"] == "only an operator may manage tenants"
    assert fd.query("select count(*) from tenants")[0][0] == 1
    assert fd.query("select disabled_at from tenants")[0][0] is None
    assert fd.client.get(f"{fd.url}{API}").status_code == 401


def test_an_operator_creates_lists_and_renames_tenants(fd: Running) -> None:
    op = operator_headers(fd)
    # An operator acts in any tenant as an owner, member or not; the audit log names them.
    assert me(fd, op).json()["role"] == "owner"
    created = create_bikes(fd, op)
    assert created["slug"] == "bikes" and created["name"] == "Spoke & Chain Bikes"
    assert created["owner"]["email"] == BIKES_OWNER and created["owner"]["created"] is True
    assert (created["staff"], created["channels"], created["disabled"]) == (1, 0, False)

    # The owner signs in to the new business, and sees only it.
    owner = bearer_login(fd.client, fd.url, email=BIKES_OWNER, tenant="bikes")
    assert me(fd, owner).json()["tenants"] == [
        {"slug": "bikes", "name": "Spoke & Chain Bikes", "role": "owner"}
    ]

    listed = fd.client.get(f"{fd.url}{API}", headers=op).json()["items"]
    assert [t["slug"] for t in listed] == ["bikes", "lumen"]
    assert listed[1]["channels"] == 1 and listed[1]["contacts"] > 0

    again = fd.client.post(f"{fd.url}{API}", json={"slug": "bikes", "name": "Again"}, headers=op)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]

    renamed = fd.client.patch(f"{fd.url}{API}/{created['id']}", json={"name": "Spoke & Chain"}, headers=op)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Spoke & Chain"
    assert fd.client.patch(f"{fd.url}{API}/999999", json={}, headers=op).status_code == 404

    audit = fd.query(
        "select a.action, a.actor, t.slug from audit_log a join tenants t on t.id = a.tenant_id "
        "where a.action like 'tenant.%' order by a.id"
    )
    assert [tuple(r) for r in audit] == [
        ("tenant.created", OPERATOR, "bikes"),
        ("tenant.renamed", OPERATOR, "bikes"),
    ]
    logins = fd.query(
        "select details from audit_log where action = 'login.succeeded' and actor = :e", e=OPERATOR
    )
    assert "operator" in str(logins[0][0])


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"slug": "admin"}, "reserved"),
        ({"slug": "Bikes"}, "slug"),
        ({"slug": "-bikes"}, "slug"),
        ({"slug": "b"}, "slug"),
        ({"slug": "b" * 65}, "slug"),
        ({"timezone": "Mars/Olympus"}, "IANA"),
        ({"currency": "XYZ"}, "ISO 4217"),
        ({"owner_password": None}, "password"),
        ({"owner_email": None}, "e-mail"),
        ({"owner_email": "not an e-mail"}, "owner_email"),
        ({"owner_password": "short"}, "owner_password"),
        ({"name": "   "}, "name"),
        ({"name": "Bikes\x00"}, "name"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(fd: Running, body: dict[str, Any], reason: str) -> None:
    op = operator_headers(fd)
    full = {
        "slug": "bikes",
        "name": "Bikes",
        "owner_email": BIKES_OWNER,
        "owner_password": PASSWORD,
        **body,
    }
    answer = fd.client.post(f"{fd.url}{API}", json=full, headers=op)
    assert answer.status_code == 422, answer.text
    assert reason in str(answer.json()["detail"])
    assert fd.query("select count(*) from tenants")[0][0] == 1
    assert fd.query("select count(*) from staff_users where email = :e", e=BIKES_OWNER)[0][0] == 0


def test_a_disabled_business_signs_its_staff_out_and_ignores_its_numbers(fd: Running) -> None:
    op = operator_headers(fd)
    bikes = create_bikes(fd, op)
    add_channel(fd, bikes["id"], "BIKES-NUMBER")
    owner = bearer_login(fd.client, fd.url, email=BIKES_OWNER, tenant="bikes")
    assert me(fd, owner).status_code == 200

    disabled = fd.client.patch(f"{fd.url}{API}/{bikes['id']}", json={"disabled": True}, headers=op)
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    # The owner's session stops at once, and signing in again is refused with a clear reason.
    assert me(fd, owner).status_code == 401
    refused = login(fd.client, fd.url, email=BIKES_OWNER, tenant="bikes")
    assert refused.status_code == 403 and refused.json()["detail"] == "this business is disabled"
    assert login(fd.client, fd.url, email=BIKES_OWNER).status_code == 403  # its only tenant
    # An operator still signs in there (to enable it again).
    inside = bearer_login(fd.client, fd.url, email=OPERATOR, tenant="bikes")
    assert me(fd, inside).json()["tenant"]["slug"] == "bikes"

    # Its number's deliveries are acknowledged and ignored, like a disabled number's; lumen's are not.
    for number, wamid in (("BIKES-NUMBER", "wamid.bikes-1"), (DEMO_NUMBER, "wamid.lumen-1")):
        answer = fd.post_webhook(text_message(wamid, "hello", number=number))
        assert answer.status_code == 200, answer.text
    stored = fd.query("select channel_message_id from messages where direction = 'in'")
    assert [r[0] for r in stored] == ["wamid.lumen-1"]

    enabled = fd.client.patch(f"{fd.url}{API}/{bikes['id']}", json={"disabled": False}, headers=op)
    assert enabled.json()["disabled"] is False
    assert me(fd, owner).status_code == 401  # the ended session stays ended
    assert login(fd.client, fd.url, email=BIKES_OWNER, tenant="bikes").status_code == 200
    actions = fd.query("select action from audit_log where action in ('tenant.disabled', 'tenant.enabled')")
    assert [r[0] for r in actions] == ["tenant.disabled", "tenant.enabled"]


def test_switching_tenant_opens_a_session_there_and_ends_this_one(fd: Running) -> None:
    op = operator_headers(fd)
    create_bikes(fd, op)
    ensure_staff(fd.sync_db_url, email=BIKES_OWNER, role="agent", tenant="lumen")
    here = bearer_login(fd.client, fd.url, email=BIKES_OWNER, tenant="lumen")
    assert {t["slug"] for t in me(fd, here).json()["tenants"]} == {"bikes", "lumen"}

    switched = fd.client.post(f"{fd.url}/api/v1/auth/switch", json={"tenant": "bikes"}, headers=here)
    assert switched.status_code == 200, switched.text
    body = switched.json()
    assert body["tenant"] == {"slug": "bikes", "name": "Spoke & Chain Bikes", "role": "owner"}
    there = {"Authorization": f"Bearer {body['access_token']}"}
    assert me(fd, there).json()["tenant"]["slug"] == "bikes"
    assert me(fd, here).status_code == 401  # the old session ended

    for slug, status in (("nowhere", 404), ("lumen", 200)):
        answer = fd.client.post(f"{fd.url}/api/v1/auth/switch", json={"tenant": slug}, headers=there)
        assert answer.status_code == status, answer.text
    back = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    # Another tenant the account is not a member of: 404, whether it exists or not.
    fd.execute(
        "insert into tenants (slug, name, timezone, currency, profile, created_at) "
        "values ('third', 'Third', 'UTC', 'EUR', '{}', CURRENT_TIMESTAMP)"
    )
    assert (
        fd.client.post(f"{fd.url}/api/v1/auth/switch", json={"tenant": "third"}, headers=back).status_code
        == 404
    )

    # A disabled business: 403 for its staff; an operator switches to it, and to any tenant.
    fd.execute("update tenants set disabled_at = CURRENT_TIMESTAMP where slug = 'bikes'")
    refused = fd.client.post(f"{fd.url}/api/v1/auth/switch", json={"tenant": "bikes"}, headers=back)
    assert refused.status_code == 403 and refused.json()["detail"] == "this business is disabled"
    for slug in ("bikes", "third"):
        moved = fd.client.post(f"{fd.url}/api/v1/auth/switch", json={"tenant": slug}, headers=op)
        assert moved.status_code == 200 and moved.json()["tenant"]["role"] == "owner"
        op = {"Authorization": f"Bearer {moved.json()['access_token']}"}


def _cookies(response: httpx.Response) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for header in response.headers.get_list("set-cookie")
        if (m := re.match(r"([^=]+)=([^;]*)", header))
    }


def _cookie_header(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def test_switching_by_cookie_sets_the_new_session_s_cookies(fd: Running) -> None:
    ensure_staff(fd.sync_db_url, email="two@lumen.test", role="owner", tenant="lumen")
    op = operator_headers(fd)
    create_bikes(fd, op, owner_email="two@lumen.test")
    signed = login(fd.client, fd.url, email="two@lumen.test", tenant="lumen", mode="cookie")
    jar = _cookies(signed)
    switch = f"{fd.url}/api/v1/auth/switch"
    no_header = fd.client.post(switch, json={"tenant": "bikes"}, headers=_cookie_header(jar))
    assert no_header.status_code == 403  # a cookie write needs the CSRF header
    csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
    switched = fd.client.post(switch, json={"tenant": "bikes"}, headers={**_cookie_header(jar), **csrf})
    assert switched.status_code == 200, switched.text
    body = switched.json()
    assert body["access_token"] is None and body["csrf_token"] not in (None, csrf["X-CSRF-Token"])
    new_jar = {**jar, **_cookies(switched)}
    assert me(fd, _cookie_header(new_jar)).json()["tenant"]["slug"] == "bikes"
    assert me(fd, _cookie_header(jar)).status_code == 401
