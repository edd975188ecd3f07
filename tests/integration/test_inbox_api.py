"""The inbox API over real HTTP, on SQLite and PostgreSQL: conversations, takeover, staff messages through
the outbox to the fake Graph API, contacts (edit, opt-out, export, erase), commands, roles and isolation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import (
    OTHER_CUSTOMER,
    OTHER_TENANT,
    add_other_tenant,
    conversation_of,
    get,
    post,
    replies,
    send,
    turns_done,
    write,
)
from tests.support.payloads import AMELIA, DEMO_NUMBER, envelope
from tests.support.staff import ensure_staff

OLIVER = "447700900102"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def audit_actions(fd: Running, target_id: int, target_type: str = "conversation") -> list[str]:
    # by type too: another kind's id may be the same number (the demo's team version 1, say)
    rows = fd.query(
        "select action from audit_log where target_type = :k and target_id = :t order by id",
        k=target_type,
        t=str(target_id),
    )
    return [r[0] for r in rows]


def event_types(fd: Running, conversation_id: int) -> list[str]:
    found = fd.query("select type, payload from events order by id")
    payloads = [(t, p if isinstance(p, dict) else json.loads(p)) for t, p in found]
    return [t for t, p in payloads if p.get("conversation_id") == conversation_id]


# --- takeover, staff replies, hand back -----------------------------------------------------------


def test_takeover_staff_reply_and_hand_back(fd: Running) -> None:
    write(fd, "hello")
    fd.wait_for(lambda: "echo: hello" in replies(fd), what="the bot's reply")
    conversation = conversation_of(fd)
    cid = conversation["id"]
    assert conversation["status"] == "bot"
    assert conversation["contact"]["name"]

    taken = post(fd, f"/conversations/{cid}/takeover")
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "human"
    assert post(fd, f"/conversations/{cid}/takeover").json()["status"] == "human"  # no-op
    assert audit_actions(fd, cid) == ["conversation.takeover"]
    assert "conversation.updated" in event_types(fd, cid)

    done = turns_done(fd)
    write(fd, "is anyone there?")
    fd.wait_for(lambda: turns_done(fd) > done, what="the silent turn")
    assert replies(fd) == ["echo: hello"]  # the bot stayed silent

    sent = send(fd, cid, {"kind": "text", "body": "Hi, Sam from Lumen here. Let me check."})
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "pending"
    assert sent.json()["agent"] == "staff:owner@lumen.test"
    fd.wait_for(lambda: "Hi, Sam from Lumen here. Let me check." in replies(fd), what="the staff reply")
    buttons = {"kind": "buttons", "body": "Shall I?", "buttons": [{"id": "y", "title": "Yes"}]}
    assert send(fd, cid, buttons).status_code == 201
    fd.wait_for(lambda: "[interactive]" in replies(fd), what="the buttons")

    messages = get(fd, f"/conversations/{cid}/messages").json()["items"]
    assert [m["direction"] for m in messages] == ["in", "out", "in", "out", "out"]
    assert messages[1]["agent"] == "echo" and messages[1]["latency_ms"] is not None
    assert messages[3]["text"] == "Hi, Sam from Lumen here. Let me check."

    back = post(fd, f"/conversations/{cid}/handback")
    assert back.json()["status"] == "bot"
    write(fd, "thanks")
    fd.wait_for(lambda: "echo: thanks" in replies(fd), what="the bot answering again")
    assert audit_actions(fd, cid) == ["conversation.takeover", "conversation.handback"]


def test_close_reopen_and_refusals(fd: Running) -> None:
    write(fd, "hello")
    cid = conversation_of(fd)["id"]
    assert post(fd, f"/conversations/{cid}/close").json()["status"] == "closed"
    refused = send(fd, cid, {"kind": "text", "body": "still there?"})
    assert refused.status_code == 409
    assert "closed" in refused.json()["detail"]
    assert post(fd, f"/conversations/{cid}/takeover").status_code == 409
    assert post(fd, f"/conversations/{cid}/handback").status_code == 409
    assert post(fd, f"/conversations/{cid}/reopen").json()["status"] == "bot"
    assert post(fd, f"/conversations/{cid}/reopen").json()["status"] == "bot"  # no-op
    assert audit_actions(fd, cid) == ["conversation.close", "conversation.reopen"]


def test_inbox_changes_are_listed_under_the_staff_members_email(fd: Running) -> None:
    """The audit list's actor filter is the e-mail (docs/web.md): conversation and contact changes record
    the same actor as every other change, so filtering by it finds them."""
    write(fd, "hello")
    conversation = conversation_of(fd)
    assert post(fd, f"/conversations/{conversation['id']}/close").status_code == 200
    assert post(fd, f"/contacts/{conversation['contact']['id']}/opt-out").status_code == 200
    listed = get(fd, "/audit", actor="owner@lumen.test", limit=50)
    assert listed.status_code == 200, listed.text
    assert {"conversation.close", "contact.opt_out"} <= {e["action"] for e in listed.json()["items"]}


def test_window_closed_allows_only_templates(fd: Running) -> None:
    write(fd, "hello")
    cid = conversation_of(fd)["id"]
    fd.execute(
        "update conversations set last_inbound_at = :t where id = :c",
        t=datetime.now(UTC) - timedelta(hours=30),
        c=cid,
    )
    refused = send(fd, cid, {"kind": "text", "body": "a late answer"})
    assert refused.status_code == 409
    assert "24-hour" in refused.json()["detail"] and "template" in refused.json()["detail"]
    template = {"kind": "template", "name": "order_update", "language": "en_GB"}
    assert send(fd, cid, template).status_code == 201
    fd.wait_for(lambda: "[template]" in replies(fd), what="the template")


def test_opted_out_contact_gets_no_template(fd: Running) -> None:
    write(fd, "hello")
    conversation = conversation_of(fd)
    contact_id = conversation["contact"]["id"]
    out = post(fd, f"/contacts/{contact_id}/opt-out")
    assert out.status_code == 200 and out.json()["opted_out_at"] and not out.json()["marketing_opt_in"]
    refused = send(fd, conversation["id"], {"kind": "template", "name": "promo"})
    assert refused.status_code == 409 and "opted out" in refused.json()["detail"]
    assert send(fd, conversation["id"], {"kind": "text", "body": "Answering you"}).status_code == 201
    assert post(fd, f"/contacts/{contact_id}/opt-in").json()["opted_out_at"] is None
    assert audit_actions(fd, contact_id, "contact")[-2:] == ["contact.opt_out", "contact.opt_in"]


def test_send_validation(fd: Running) -> None:
    write(fd, "hello")
    cid = conversation_of(fd)["id"]
    bad = send(fd, cid, {"kind": "text", "body": ""})
    assert bad.status_code == 422 and "body" in str(bad.json()["detail"])
    assert send(fd, cid, {"kind": "reaction", "message_id": "x"}).status_code == 422
    too_many = [{"id": str(i), "title": "b"} for i in range(4)]
    assert send(fd, cid, {"kind": "buttons", "body": "x", "buttons": too_many}).status_code == 422
    assert send(fd, 999_999, {"kind": "text", "body": "hi"}).status_code == 404
    assert (
        send(fd, cid, {"kind": "text", "body": "a\u0000b"}).status_code == 422
    )  # PostgreSQL cannot store it
    assert get(fd, "/conversations", q="a\u0000").status_code == 422


def test_text_no_database_stores_is_refused_with_where_it_is(fd: Running) -> None:
    """A lone surrogate cannot be encoded as UTF-8 (a 500 on SQLite); NUL is refused by PostgreSQL."""
    write(fd, "hello")
    cid = conversation_of(fd)["id"]
    for body, where in [
        ({"kind": "text", "body": "x\ud83d"}, ["body", "body"]),
        (
            {"kind": "buttons", "body": "x", "buttons": [{"id": "\udc00", "title": "b"}]},
            ["body", "buttons", 0, "id"],
        ),
        ({"kind": "text", "body": "ok", "\ud800": 1}, ["body", "\ufffd"]),
    ]:
        answer = fd.client.post(  # as escapes: httpx would refuse to encode a lone surrogate itself
            f"{fd.url}/api/v1/conversations/{cid}/messages",
            content=json.dumps(body).encode(),
            headers={**fd.staff_headers(), "content-type": "application/json"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"] == where
    assert get(fd, f"/conversations/{cid}/messages", cursor="a\u0000").status_code == 422
    assert fd.client.get(f"{fd.url}/api/v1/conversations/1%00", headers=fd.staff_headers()).status_code == 422
    assert not fd.query("select id from messages where direction = 'out' and text in ('ok', 'x')")


# --- lists, filters, assignment, read ---------------------------------------------------------------


def test_list_filters_and_pages(fd: Running) -> None:
    write(fd, "my lamp flickers")
    write(fd, "where is my order", sender=OLIVER)
    write(fd, "hi there", sender="447700900999")
    everyone = get(fd, "/conversations", limit=2).json()
    assert len(everyone["items"]) == 2 and everyone["next_cursor"]
    rest = get(fd, "/conversations", limit=2, cursor=everyone["next_cursor"]).json()
    ids = [c["id"] for c in everyone["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 3 and rest["next_cursor"] is None
    assert [c["contact"]["wa_id"] for c in get(fd, "/conversations", q="flickers").json()["items"]] == [
        AMELIA
    ]

    oliver = conversation_of(fd, OLIVER)
    post(fd, f"/conversations/{oliver['id']}/takeover")
    humans = get(fd, "/conversations", status="human").json()["items"]
    assert [c["id"] for c in humans] == [oliver["id"]]
    assert oliver["unread_count"] >= 1
    assert post(fd, f"/conversations/{oliver['id']}/read").json()["unread_count"] == 0
    unread = {c["id"] for c in get(fd, "/conversations", unread="true").json()["items"]}
    assert oliver["id"] not in unread and len(unread) == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert get(fd, "/conversations", updated_since=future).json()["items"] == []

    for params, field in [
        ({"status": "asleep"}, "status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"updated_since": "2026-01-01T00:00:00"}, "updated_since"),
    ]:
        response = get(fd, "/conversations", **params)
        assert response.status_code == 422, params
        assert field in str(response.json()["detail"])


def test_assign_to_staff(fd: Running) -> None:
    write(fd, "hello")
    cid = conversation_of(fd)["id"]
    agent_id = ensure_staff(fd.sync_db_url, email="agent@lumen.test", role="agent")
    assigned = fd.client.put(
        f"{fd.url}/api/v1/conversations/{cid}/assignee",
        json={"user_id": agent_id},
        headers=fd.staff_headers(),
    )
    assert assigned.status_code == 200 and assigned.json()["assignee_user_id"] == agent_id
    mine = get(fd, "/conversations", assignee=agent_id).json()["items"]
    assert [c["id"] for c in mine] == [cid]
    missing = fd.client.put(
        f"{fd.url}/api/v1/conversations/{cid}/assignee", json={"user_id": 987654}, headers=fd.staff_headers()
    )
    assert missing.status_code == 404
    bad = fd.client.put(
        f"{fd.url}/api/v1/conversations/{cid}/assignee", json={"user": 1}, headers=fd.staff_headers()
    )
    assert bad.status_code == 422
    assert audit_actions(fd, cid) == ["conversation.assign"]


def test_assignees_are_the_tenants_active_staff(fd: Running) -> None:
    agent_id = ensure_staff(fd.sync_db_url, email="agent@lumen.test", role="agent")
    gone_id = ensure_staff(fd.sync_db_url, email="gone@lumen.test", role="agent")
    fd.execute("update staff_memberships set disabled_at = CURRENT_TIMESTAMP where user_id = :u", u=gone_id)
    add_other_tenant(fd)
    ensure_staff(fd.sync_db_url, email="only@acme.test", role="agent", tenant=OTHER_TENANT)

    listed = get(fd, "/conversations/assignees", role="agent")
    assert listed.status_code == 200, listed.text
    by_email = {m["email"]: m for m in listed.json()["items"]}
    assert by_email["agent@lumen.test"] == {
        "id": agent_id,
        "email": "agent@lumen.test",
        "name": "agent",
        "role": "agent",
    }
    assert "gone@lumen.test" not in by_email and "only@acme.test" not in by_email
    assert get(fd, "/conversations/assignees", role="viewer").status_code == 403
    assert fd.client.get(f"{fd.url}/api/v1/conversations/assignees").status_code == 401


def test_messages_quote_the_message_they_reply_to(fd: Running) -> None:
    first = write(fd, "Where is my order LH-100245?")
    fd.wait_for(lambda: replies(fd), what="the bot's reply")
    cid = conversation_of(fd)["id"]
    bot = fd.wait_for(
        lambda: fd.query(
            "select channel_message_id from messages where direction = 'out' "
            "and channel_message_id is not null"
        ),
        what="the reply's wamid",
    )[0][0]
    for wamid, quoted, text in (
        ("wamid.reply-1", bot, "Thanks, and when will it arrive?"),
        ("wamid.reply-2", first, "Sorry, I meant this one"),
        ("wamid.reply-3", "wamid.not-stored", "And this?"),
    ):
        message = {
            "from": AMELIA,
            "id": wamid,
            "timestamp": str(int(datetime.now(UTC).timestamp())),
            "type": "text",
        }
        message |= {"text": {"body": text}, "context": {"from": AMELIA, "id": quoted}}
        assert fd.post_webhook(envelope(DEMO_NUMBER, messages=[message])).status_code == 200
    fd.wait_for(
        lambda: fd.query("select id from messages where channel_message_id = 'wamid.reply-3'"), what="stored"
    )

    items = {m["channel_message_id"]: m for m in get(fd, f"/conversations/{cid}/messages").json()["items"]}
    to_bot = items["wamid.reply-1"]["reply_to_message"]
    assert to_bot["direction"] == "out" and to_bot["text"] == replies(fd)[0]
    assert items["wamid.reply-2"]["reply_to_message"]["text"] == "Where is my order LH-100245?"
    assert items["wamid.reply-3"]["reply_to"] == "wamid.not-stored"
    assert items["wamid.reply-3"]["reply_to_message"] is None
    assert items[first]["reply_to_message"] is None


# --- commands ---------------------------------------------------------------------------------------


def test_commands(fd: Running) -> None:
    write(fd, "Can you send me the invoice for order LH-100245 please?")
    fd.wait_for(lambda: replies(fd), what="the bot's reply")
    cid = conversation_of(fd)["id"]
    summary = get(fd, f"/conversations/{cid}/summary").json()
    assert "LH-100245" in summary["facts"]["references"]
    tasks = get(fd, f"/conversations/{cid}/tasks").json()["tasks"]
    assert tasks and tasks[0]["by"] == "customer" and "invoice" in tasks[0]["text"]
    found = get(fd, "/messages/search", q="invoice").json()["items"]
    assert found and found[0]["conversation_id"] == cid
    assert get(fd, "/messages/search").status_code == 422
    assert get(fd, "/conversations/999999/summary").status_code == 404


# --- contacts ---------------------------------------------------------------------------------------


def test_contacts_list_view_edit_export(fd: Running) -> None:
    write(fd, "hello")
    found = get(fd, "/contacts", q="amelia").json()["items"]
    assert [c["wa_id"] for c in found] == [AMELIA]
    contact_id = found[0]["id"]
    page = get(fd, "/contacts", limit=1).json()
    assert len(page["items"]) == 1 and page["next_cursor"]

    detail = get(fd, f"/contacts/{contact_id}").json()
    assert detail["contact"]["name"] == "Amelia Clarke" and len(detail["conversations"]) == 1

    patch = {"city": "Bristol", "preferences": {"contact_time": "evenings"}, "email": None}
    edited = fd.client.patch(f"{fd.url}/api/v1/contacts/{contact_id}", json=patch, headers=fd.staff_headers())
    assert edited.status_code == 200, edited.text
    assert edited.json()["city"] == "Bristol" and edited.json()["email"] is None
    assert edited.json()["name"] == "Amelia Clarke"
    bad = fd.client.patch(
        f"{fd.url}/api/v1/contacts/{contact_id}", json={"email": "nope"}, headers=fd.staff_headers()
    )
    assert bad.status_code == 422 and "email" in str(bad.json()["detail"])

    export = get(fd, f"/contacts/{contact_id}/export").json()
    assert export["contact"]["city"] == "Bristol"
    assert export["conversations"][0]["messages"][0]["text"] == "hello"
    assert {o["order_ref"] for o in export["records"]["orders"]} >= {"LH-100231", "LH-100245"}
    assert "contact.export" in audit_actions(fd, contact_id, "contact")


def test_erase_redacts_and_keeps_audit(fd: Running) -> None:
    write(fd, "my address is 1 Secret Lane")
    fd.wait_for(lambda: replies(fd), what="the bot's reply")
    conversation = conversation_of(fd)
    contact_id = conversation["contact"]["id"]
    erased = post(fd, f"/contacts/{contact_id}/erase")
    assert erased.status_code == 200, erased.text
    assert erased.json()["messages_redacted"] == 2

    texts = fd.query("select text from messages where conversation_id = :c", c=conversation["id"])
    assert [t[0] for t in texts] == [None, None]
    raw = str(fd.query("select content from messages where conversation_id = :c", c=conversation["id"]))
    assert "Secret Lane" not in raw
    events = str(fd.query("select payload from events"))
    assert "Secret Lane" not in events
    contact = get(fd, f"/contacts/{contact_id}").json()["contact"]
    assert contact["wa_id"] == f"erased:{contact_id}" and contact["name"] is None and contact["email"] is None
    assert get(fd, f"/conversations/{conversation['id']}").json()["status"] == "closed"
    assert audit_actions(fd, contact_id, "contact")[-1] == "contact.erase"
    edit = fd.client.patch(
        f"{fd.url}/api/v1/contacts/{contact_id}", json={"name": "X"}, headers=fd.staff_headers()
    )
    assert edit.status_code == 409


# --- roles and isolation ----------------------------------------------------------------------------


def test_roles(fd: Running) -> None:
    write(fd, "hello")
    conversation = conversation_of(fd, role="viewer")
    cid, contact_id = conversation["id"], conversation["contact"]["id"]
    assert get(fd, f"/conversations/{cid}/messages", role="viewer").status_code == 200
    assert post(fd, f"/conversations/{cid}/takeover", role="viewer").status_code == 403
    assert send(fd, cid, {"kind": "text", "body": "hi"}, role="viewer").status_code == 403
    assert post(fd, f"/conversations/{cid}/takeover", role="agent").status_code == 200
    assert send(fd, cid, {"kind": "text", "body": "hi"}, role="agent").status_code == 201
    assert get(fd, f"/contacts/{contact_id}/export", role="agent").status_code == 403
    assert post(fd, f"/contacts/{contact_id}/erase", role="agent").status_code == 403
    assert get(fd, f"/contacts/{contact_id}/export", role="admin").status_code == 200
    assert fd.client.get(f"{fd.url}/api/v1/conversations").status_code == 401


def test_other_tenants_ids_are_missing(fd: Running) -> None:
    write(fd, "hello")
    add_other_tenant(fd)
    theirs = conversation_of(fd, OTHER_CUSTOMER, tenant=OTHER_TENANT)
    cid, contact_id = theirs["id"], theirs["contact"]["id"]
    ours = get(fd, "/conversations").json()["items"]
    assert cid not in {c["id"] for c in ours}
    assert contact_id not in {c["id"] for c in get(fd, "/contacts").json()["items"]}
    assert [
        c["contact"]["wa_id"] for c in get(fd, "/conversations", tenant=OTHER_TENANT).json()["items"]
    ] == [OTHER_CUSTOMER]

    for path in ("", "/messages", "/summary", "/tasks"):
        assert get(fd, f"/conversations/{cid}{path}").status_code == 404, path
    for action in ("takeover", "handback", "close", "reopen", "read"):
        assert post(fd, f"/conversations/{cid}/{action}").status_code == 404, action
    assert send(fd, cid, {"kind": "text", "body": "hi"}).status_code == 404
    for path in ("", "/export"):
        assert get(fd, f"/contacts/{contact_id}{path}").status_code == 404, path
    for action in ("opt-out", "opt-in", "erase"):
        assert post(fd, f"/contacts/{contact_id}/{action}").status_code == 404, action
    patched = fd.client.patch(
        f"{fd.url}/api/v1/contacts/{contact_id}", json={"name": "X"}, headers=fd.staff_headers()
    )
    assert patched.status_code == 404
    assert [m["conversation_id"] for m in get(fd, "/messages/search", q="parcel").json()["items"]] == []

    # An assignee of another tenant is as unknown as a missing one.
    acme_agent = ensure_staff(fd.sync_db_url, email="agent@acme.test", role="agent", tenant=OTHER_TENANT)
    ours_id = ours[0]["id"]
    assign = fd.client.put(
        f"{fd.url}/api/v1/conversations/{ours_id}/assignee",
        json={"user_id": acme_agent},
        headers=fd.staff_headers(),
    )
    assert assign.status_code == 404

    after = get(fd, f"/conversations/{cid}", tenant=OTHER_TENANT).json()
    assert after["status"] == "bot" and after["unread_count"] == theirs["unread_count"]
    assert (
        get(fd, f"/contacts/{contact_id}", tenant=OTHER_TENANT).json()["contact"]["wa_id"] == OTHER_CUSTOMER
    )
    assert audit_actions(fd, cid) == []
