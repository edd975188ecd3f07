"""Done when (#13): `frontdesk tenants create SLUG --pack DIR --owner-email … --password-stdin` makes a
working second business whose customers, writing to its number, are answered from its own data by the
offline brain, while the demo keeps working unchanged. On SQLite and PostgreSQL.

The bike shop's pack (tests/data/packs/bikes) shares a customer with the demo: Amelia (447700900101)
has order LH-100245 at Lumen and SC-55501 at the bike shop. She writes to both numbers; each answer
comes from the business she wrote to, never from the other.
"""

from __future__ import annotations

import json
from typing import Any

from tests.integration.test_cli import ROOT, run
from tests.integration.test_users_cli import SECRETS
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, DEMO_NUMBER, text_message
from tests.support.staff import login

BIKES_PACK = ROOT / "tests" / "data" / "packs" / "bikes"
BIKES_NUMBER = "109876543210555"
OWNER = "owner@bikes.example"
PASSWORD = "a-long-secret-pass"


def create_bikes(database_url: str) -> None:
    """The command as an operator types it, in its own process, against the running server's database."""
    env = {"FRONTDESK_ENV": "prod", "FRONTDESK_DATABASE_URL": database_url, "FRONTDESK_DEMO_SEED": "false"}
    args = (
        "tenants",
        "create",
        "bikes",
        "--pack",
        str(BIKES_PACK),
        "--owner-email",
        OWNER,
        "--password-stdin",
    )
    created = run(*args, env={**env, **SECRETS}, stdin=f"{PASSWORD}\n")
    assert created.returncode == 0, created.stderr
    assert "created tenant bikes (Spoke & Chain Bikes)" in created.stdout


def ask(fd: Running, number: str, wamid: str, question: str) -> dict[str, Any]:
    """Send Amelia's question to `number`; the reply stored, once the fake Graph API got it from that
    number (`sent`: every message that number sent her so far)."""
    before = len(_sent(fd, number))
    assert fd.post_webhook(text_message(wamid, question, number=number)).status_code == 200

    def answered() -> dict[str, Any] | None:
        asked = fd.query("select id from messages where channel_message_id = :w", w=wamid)
        if not asked:
            return None
        replies = fd.query(
            "select m.text, m.content from messages m where m.direction = 'out' and m.id > :id "
            "and m.conversation_id = (select conversation_id from messages where id = :id) order by m.id",
            id=asked[0][0],
        )
        if not replies:
            return None
        sent = _sent(fd, number)
        if len(sent) <= before:
            return None
        return {"text": " ".join(json.dumps(r[1]) + (r[0] or "") for r in replies), "sent": sent}

    # The first turn of a process builds the team (embeds its examples): generous on a busy machine.
    result: dict[str, Any] = fd.wait_for(answered, timeout=180, what=f"the answer to {question!r}")
    return result


def _sent(fd: Running, number: str) -> list[dict[str, Any]]:
    return [r for r in fd.sent() if r["phone_number_id"] == number and r["body"]["to"] == AMELIA]


def test_a_second_business_answers_from_its_own_data(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        create_bikes(database_url)

        bikes = ask(fd, BIKES_NUMBER, "wamid.bikes-1", "where is my order SC-55501?")
        assert "SC-55501" in bikes["text"] and "processing" in bikes["text"], bikes
        assert "Aero Road Helmet" in bikes["text"]
        assert "LH-" not in bikes["text"] and "Lumen" not in bikes["text"]

        # The demo, unchanged: the same person, the demo's number, the demo's order and tracking.
        lumen = ask(fd, DEMO_NUMBER, "wamid.lumen-1", "where is my order LH-100245?")
        assert "LH-100245" in lumen["text"] and "15501234567890" in lumen["text"]
        assert "SC-" not in lumen["text"]

        # Asking each business about the other's order finds nothing of the other's.
        crossed = ask(fd, BIKES_NUMBER, "wamid.bikes-2", "where is my order LH-100245?")
        assert "15501234567890" not in crossed["text"] and "DPD" not in crossed["text"]
        crossed = ask(fd, DEMO_NUMBER, "wamid.lumen-2", "where is my order SC-55501?")
        assert "Aero" not in crossed["text"] and "143.50" not in crossed["text"]

        # One contact per business for the same phone number, each in its own tenant.
        contacts = fd.query(
            "select t.slug from contacts c join tenants t on t.id = c.tenant_id "
            "where c.wa_id = :w order by 1",
            w=AMELIA,
        )
        assert [r[0] for r in contacts] == ["bikes", "lumen"]

        # The new owner signs in and sees their own business's conversation only.
        signed = login(fd.client, fd.url, email=OWNER, password=PASSWORD, tenant="bikes")
        assert signed.status_code == 200, signed.text
        owner = {"Authorization": f"Bearer {signed.json()['access_token']}"}
        listed = fd.client.get(f"{fd.url}/api/v1/conversations", headers=owner).json()["items"]
        assert len(listed) == 1
        lumen_owner = fd.staff_headers("owner")
        lumen_listed = fd.client.get(f"{fd.url}/api/v1/conversations", headers=lumen_owner).json()["items"]
        assert listed[0]["id"] not in {c["id"] for c in lumen_listed}
