"""The main path over real HTTP and a real database: a message in, exactly one reply out."""

from __future__ import annotations

from tests.support.harness import EchoResponder, running_frontdesk
from tests.support.payloads import AMELIA, text_message


def test_message_in_one_reply_out(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        response = fd.post_webhook(text_message("wamid.A1", "where is my order?"))
        assert response.status_code == 200
        assert response.json()["stored"] == 1
        sent = fd.wait_for(fd.sent, what="a reply at the Graph API")
        assert len(sent) == 1
        assert sent[0]["body"]["to"] == AMELIA
        assert sent[0]["body"]["text"]["body"] == "echo: where is my order?"
        assert sent[0]["token"] == "test-access-token"
        rows = fd.wait_for(
            lambda: fd.query(
                "select direction, status, channel_message_id from messages "
                "where direction='out' and status='sent'"
            ),
            what="the reply marked sent",
        )
        assert rows[0].channel_message_id == sent[0]["wamid"]


def test_redelivered_webhook_stores_once_and_replies_once(database_url: str, graph_url: str) -> None:
    responder = EchoResponder()
    with running_frontdesk(database_url, graph_url, responder=responder) as fd:
        payload = text_message("wamid.DUP", "hello")
        results = [fd.post_webhook(payload).json() for _ in range(10)]
        assert [r["stored"] for r in results] == [1] + [0] * 9
        assert [r["duplicates"] for r in results] == [0] + [1] * 9
        fd.wait_for(fd.sent, what="the reply")
        fd.wait_for(lambda: fd.query("select 1 from jobs where status = 'done'"), what="the turn to finish")
        assert len(fd.sent()) == 1
        assert fd.query("select count(*) from messages where direction = 'in'")[0][0] == 1
        assert fd.query("select count(*) from jobs")[0][0] == 1
        assert responder.calls == ["hello"]
