"""The bridge end to end, on SQLite and PostgreSQL: the fake zapw as a real server posting its events to
Frontdesk's `/webhooks/bridge`, Frontdesk answering through zapw. The Cloud API's guarantees hold:
one reply per message under redelivery, order per conversation, statuses forward only, nothing stored
without the token, replies that wait out a zapw outage."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import pytest

from frontdesk.domain.outbound import Button, Buttons, Text
from frontdesk.domain.turns import Answer, Turn
from frontdesk.services.agents.brains.pending import reply_id
from tests.support.bridge import (
    CUSTOMER,
    WEBHOOK_TOKEN,
    BridgeFrontdesk,
    FakeZapw,
    bridge_frontdesk,
)
from tests.support.harness import EchoResponder

pytest_plugins = ["tests.support.bridge_fixtures"]


def count(bridge: BridgeFrontdesk, sql: str, **params: Any) -> int:
    return int(bridge.fd.query(sql, **params)[0][0])


def bridge_messages(bridge: BridgeFrontdesk, session: str) -> int:
    return count(bridge, "select count(*) from messages where channel_message_id like :p", p=f"{session}:%")


def test_a_redelivered_message_is_stored_and_answered_once(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    first = zapw.inbound(session, text="hello", messageId="3EB0AAA1")
    assert first["webhook_statuses"] == [200]
    again = zapw.deliver(first["envelope"])  # zapw retries, or sends it twice
    assert again["webhook_statuses"] == [200]
    zapw.inbound(session, text="second", messageId="3EB0AAA2")

    fd.wait_for(lambda: len(zapw.sent()) >= 2, what="both replies")
    assert [r["body"] for r in zapw.sent()] == [
        {"type": "text", "to": CUSTOMER, "text": "echo: hello"},
        {"type": "text", "to": CUSTOMER, "text": "echo: second"},
    ]
    assert bridge_messages(bridge, session) == 4  # two in, two out
    assert count(bridge, "select count(*) from jobs where kind = 'turn'") == 2
    stored = fd.query("select channel_message_id from messages where direction = 'in' order by id")
    assert [r[0] for r in stored] == [f"{session}:3EB0AAA1", f"{session}:3EB0AAA2"]


def test_one_whatsapp_message_seen_by_two_sessions_is_two_messages(bridge: BridgeFrontdesk) -> None:
    zapw = bridge.zapw
    shop, desk = bridge.add_bridge_number(name="Shop"), bridge.add_bridge_number(name="Desk")
    zapw.inbound(shop, text="hi", messageId="3EB0SAME")
    zapw.inbound(desk, text="hi", messageId="3EB0SAME")
    bridge.fd.wait_for(lambda: len(zapw.sent()) == 2, what="a reply from each number")
    assert sorted(r["session_id"] for r in zapw.sent()) == sorted([shop, desk])


def test_replies_keep_the_order_of_the_messages(database_url: str, graph_url: str, zapw: FakeZapw) -> None:
    texts = [f"message {n}" for n in range(5)]
    with bridge_frontdesk(database_url, graph_url, zapw, responder=EchoResponder(delay=0.05)) as bridge:
        session = bridge.add_bridge_number()
        for text in texts:
            zapw.inbound(session, text=text)
        bridge.fd.wait_for(lambda: len(zapw.sent()) == len(texts), what="five replies")
    assert [r["body"]["text"] for r in zapw.sent()] == [f"echo: {t}" for t in texts]


def test_statuses_move_the_reply_forward_only(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    zapw.inbound(session, text="hello")
    (reply,) = fd.wait_for(zapw.sent, what="the reply")
    stored_id = f"{session}:{reply['message_id']}"

    def status() -> str | None:  # None until the send's outcome is committed
        rows = fd.query("select status from messages where channel_message_id = :m", m=stored_id)
        return str(rows[0][0]) if rows else None

    fd.wait_for(lambda: status() == "sent", what="the reply recorded as sent")
    zapw.status(session, reply["message_id"], "message.read")
    zapw.status(session, reply["message_id"], "message.delivered")  # late: read already
    zapw.status(session, reply["message_id"], "message.sent")
    assert status() == "read"


@pytest.mark.parametrize("token", [None, "", "not-the-token-zz9"])
def test_without_the_token_nothing_is_stored(bridge: BridgeFrontdesk, token: str | None) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number(scan=False)
    zapw.point_at(fd.url, token=token)
    scanned = zapw.scan(session)
    answer = zapw.inbound(session, text="let me in")
    assert scanned["webhook_statuses"] == answer["webhook_statuses"] == [401]
    assert bridge_messages(bridge, session) == 0
    assert count(bridge, "select count(*) from channels where status = 'connected'") == 0


def test_a_session_nobody_owns_is_answered_and_ignored(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    bridge.add_bridge_number()
    stranger = {"sessionId": "fd-nobody", "origin": "1", "eventType": "message.received", "timestamp": 1}
    message = stranger | {"data": {"from": CUSTOMER, "messageId": "X1", "type": "text", "text": "hi"}}
    connected = stranger | {"eventType": "session.connected", "data": {"phoneNumber": "1", "name": "x"}}
    for envelope in (message, connected):
        response = fd.client.post(f"{fd.url}/webhooks/bridge", params={"token": WEBHOOK_TOKEN}, json=envelope)
        assert response.status_code == 200
        assert response.json()["unknown_channel"] == 1
    assert count(bridge, "select count(*) from messages where channel_message_id like 'fd-nobody:%'") == 0


def test_a_cloud_number_is_not_reached_through_the_bridges_door(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    cloud = str(fd.query("select phone_number_id from channels where kind = 'whatsapp_cloud'")[0][0])
    envelope = {"sessionId": cloud, "eventType": "message.received", "timestamp": 1681300000000}
    envelope["data"] = {"from": CUSTOMER, "messageId": "X2", "type": "text", "text": "hi"}
    response = fd.client.post(f"{fd.url}/webhooks/bridge", params={"token": WEBHOOK_TOKEN}, json=envelope)
    assert (response.status_code, response.json()["unknown_channel"]) == (200, 1)


def test_odd_input_is_refused_without_storing(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    url, params = f"{fd.url}/webhooks/bridge", {"token": WEBHOOK_TOKEN}
    assert fd.client.post(url, params=params, content=b"{not json").status_code == 400
    assert fd.client.post(url, params=params, json=["a list"]).status_code == 400
    assert fd.client.post(url, params=params, content=b"x" * (2 * 1024 * 1024)).status_code == 413
    odd = {"sessionId": "fd-x", "eventType": "message.received", "data": {"from": "status@broadcast"}}
    answer = fd.client.post(url, params=params, json=odd)
    assert (answer.status_code, answer.json()["ignored"]) == (200, 1)
    assert count(bridge, "select count(*) from messages") == 0


def test_a_reply_due_while_zapw_is_down_waits_and_goes_once(
    database_url: str, graph_url: str, zapw: FakeZapw
) -> None:
    # Enough tries that the outage cannot use them all up, however slowly this test runs.
    with bridge_frontdesk(database_url, graph_url, zapw, send_max_attempts=100) as bridge:
        fd = bridge.fd
        session = bridge.add_bridge_number()
        zapw.down()
        zapw.inbound(session, text="are you there?")  # the phone's side still posts to Frontdesk
        fd.wait_for(lambda: len(zapw.requests()) >= 2, what="the reply tried and retried")
        assert zapw.sent() == []
        assert fd.query("select status from outbox")[0][0] in ("pending", "sending")  # waiting to retry
        zapw.up()
        fd.wait_for(lambda: fd.query("select status from outbox")[0][0] == "sent", what="the reply sent")
    assert [r["body"]["text"] for r in zapw.sent()] == ["echo: are you there?"]
    assert all(r["http_status"] == 500 for r in zapw.requests()[:-1])


def test_replies_to_one_customer_are_paced(database_url: str, graph_url: str, zapw: FakeZapw) -> None:
    interval = 0.4
    with bridge_frontdesk(database_url, graph_url, zapw, bridge_send_interval_seconds=interval) as bridge:
        session = bridge.add_bridge_number()
        for n in range(3):
            zapw.inbound(session, text=f"burst {n}")
        bridge.fd.wait_for(lambda: len(zapw.sent()) == 3, what="three replies")
    sent = zapw.sent()
    assert [r["body"]["text"] for r in sent] == [f"echo: burst {n}" for n in range(3)]
    gaps = [b["received_at"] - a["received_at"] for a, b in itertools.pairwise(sent)]  # zapw's own clock
    assert all(gap >= interval for gap in gaps), gaps


class ChoiceResponder:
    """Asks a question with buttons, then says which one the customer chose."""

    def __init__(self) -> None:
        self.seen: list[Turn] = []

    async def respond(self, turn: Turn) -> Answer:
        self.seen.append(turn)
        if len(self.seen) == 1:
            buttons = (Button(id="size-s", title="Small"), Button(id="size-l", title="Large"))
            return Answer(messages=[Buttons(body="Which size?", buttons=buttons)])
        return Answer(messages=[Text(body=f"chosen: {reply_id(turn)}")])


def test_a_numbered_choice_goes_out_as_text_and_comes_back_as_a_tap(
    database_url: str, graph_url: str, zapw: FakeZapw
) -> None:
    responder = ChoiceResponder()
    with bridge_frontdesk(database_url, graph_url, zapw, responder=responder) as bridge:
        session = bridge.add_bridge_number()
        zapw.inbound(session, text="I want a shirt")
        bridge.fd.wait_for(zapw.sent, what="the question")
        zapw.inbound(session, text="2")
        bridge.fd.wait_for(lambda: len(zapw.sent()) == 2, what="the answer to the choice")
        stored = bridge.fd.query("select type, text from messages where direction = 'in' order by id")
    question, answer = (r["body"]["text"] for r in zapw.sent())
    assert question == "Which size?\n\n1. Small\n2. Large"
    assert answer == "chosen: size-l"
    tapped = responder.seen[1].message
    assert (tapped.type, tapped.text, tapped.content["reply"]["kind"]) == (
        "interactive",
        "Large",
        "button_reply",
    )
    assert [tuple(r) for r in stored] == [("text", "I want a shirt"), ("text", "2")]  # kept as typed


def test_group_messages_are_kept_and_answered_only_where_groups_are_on(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    quiet, chatty = (
        bridge.add_bridge_number(name="Quiet"),
        bridge.add_bridge_number(name="Chatty", groups=True),
    )
    group = "120363025246125486@g.us"
    zapw.inbound(quiet, text="hi all", isGroup=True, groupId=group)
    zapw.inbound(chatty, text="hi all", isGroup=True, groupId=group)
    (reply,) = fd.wait_for(zapw.sent, what="the reply in the group")
    assert (reply["session_id"], reply["body"]["to"]) == (chatty, group)
    assert bridge_messages(bridge, quiet) == 1  # stored for staff, no turn
    assert count(bridge, "select count(*) from contacts where wa_id = :g", g=group) == 1


def test_the_phones_link_is_shown_on_its_number(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    row = fd.query("select status, profile_name from channels where phone_number_id = :s", s=session)[0]
    assert tuple(row) == ("connected", "Shop phone")
    zapw.disconnect(session, reason="logged_out")
    row = fd.query("select status, status_detail from channels where phone_number_id = :s", s=session)[0]
    assert row[0] == "disconnected"


def test_a_photo_is_fetched_from_zapw_with_the_key_and_served_to_staff(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    photo = b"\xff\xd8\xff\xe0 a small jpeg"
    encoded = base64.b64encode(photo).decode()
    zapw.inbound(session, type="image", messageId="3EB0PIC", media_base64=encoded, media_type="image/jpeg")

    def fetched() -> Any:
        rows = fd.query(
            "select id, conversation_id, content from messages where channel_message_id = :m",
            m=f"{session}:3EB0PIC",
        )
        content = rows[0].content if rows else {}
        content = json.loads(content) if isinstance(content, str) else content
        return rows[0] if "file" in content.get("media", {}) else None

    row = fd.wait_for(fetched, what="the photo fetched from zapw")  # zapw refuses a call without the key
    url = f"{fd.url}/api/v1/conversations/{row.conversation_id}/messages/{row.id}/media"
    answer = fd.client.get(url, headers=fd.staff_headers("viewer"))
    assert (answer.status_code, answer.content, answer.headers["content-type"]) == (200, photo, "image/jpeg")
    fd.wait_for(zapw.sent, what="the reply")
    assert zapw.sent()[0]["body"]["text"] == "echo: [image]"  # the agents read a caption-less photo
