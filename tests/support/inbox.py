"""Helpers for the inbox API tests: a second tenant, customers writing in, waiting for the bot."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support.harness import Running
from tests.support.payloads import AMELIA, DEMO_NUMBER, text_message

API = "/api/v1"
OTHER_TENANT = "acme"
OTHER_NUMBER = "200000000000002"
OTHER_CUSTOMER = "15550001111"

_ids = itertools.count(1)


def add_other_tenant(fd: Running) -> None:
    """A second tenant with its own number, and a customer of its own who has written once."""
    fd.execute(
        "insert into tenants (slug, name, timezone, currency, profile, created_at) "
        "values (:s, 'Acme', 'UTC', 'USD', '{}', CURRENT_TIMESTAMP)",
        s=OTHER_TENANT,
    )
    tenant_id = fd.query("select id from tenants where slug = :s", s=OTHER_TENANT)[0][0]
    fd.execute(
        "insert into channels (tenant_id, kind, phone_number_id, enabled, created_at) "
        "values (:t, 'whatsapp_cloud', :n, true, CURRENT_TIMESTAMP)",
        t=tenant_id,
        n=OTHER_NUMBER,
    )
    write(fd, "hello acme, where is my parcel?", sender=OTHER_CUSTOMER, number=OTHER_NUMBER)


def write(fd: Running, text: str, *, sender: str = AMELIA, number: str = DEMO_NUMBER) -> str:
    """The customer `sender` writes `text` to `number`; waits until the message is stored. Its wamid."""
    wamid = f"wamid.inbox-test-{next(_ids)}-{sender}"
    response = fd.post_webhook(text_message(wamid, text, sender=sender, number=number))
    assert response.status_code == 200, response.text
    fd.wait_for(
        lambda: fd.query("select id from messages where channel_message_id = :w", w=wamid), what="stored"
    )
    return wamid


def turns_done(fd: Running) -> int:
    return int(fd.query("select count(*) from jobs where status = 'done'")[0][0])


def replies(fd: Running) -> list[str]:
    """The texts the fake Graph API received, in order."""
    found: list[str] = []
    for sent in fd.sent():
        body = sent["body"]
        if body.get("type") == "text":
            found.append(body["text"]["body"])
        else:
            found.append(f"[{body.get('type')}]")
    return found


def conversation_of(
    fd: Running, wa_id: str = AMELIA, *, role: str = "owner", tenant: str = "lumen"
) -> dict[str, Any]:
    response = get(fd, "/conversations", role=role, tenant=tenant, q=wa_id)
    assert response.status_code == 200, response.text
    items = [c for c in response.json()["items"] if c["contact"]["wa_id"] == wa_id]
    assert len(items) == 1, response.json()
    conversation: dict[str, Any] = items[0]
    return conversation


def get(
    fd: Running, path: str, *, role: str = "owner", tenant: str = "lumen", **params: Any
) -> httpx.Response:
    return fd.client.get(f"{fd.url}{API}{path}", params=params, headers=fd.staff_headers(role, tenant=tenant))


def post(
    fd: Running, path: str, body: Any = None, *, role: str = "owner", tenant: str = "lumen"
) -> httpx.Response:
    return fd.client.post(f"{fd.url}{API}{path}", json=body, headers=fd.staff_headers(role, tenant=tenant))


def send(fd: Running, conversation_id: int, message: dict[str, Any], **kw: Any) -> httpx.Response:
    return post(fd, f"/conversations/{conversation_id}/messages", message, **kw)
