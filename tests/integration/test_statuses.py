"""Status callbacks (sent, delivered, read, failed) for replies, over real HTTP on a real database.

A status moves a reply forward only; duplicates and out-of-order arrivals are harmless, and a status
that arrives before the dispatcher stored the reply's wamid is applied once it does.
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import status, text_message


def reply_row(fd: Running, wamid: str) -> Any:
    rows = fd.query(
        "select status, error_code, error_message from messages "
        "where direction = 'out' and channel_message_id = :w",
        w=wamid,
    )
    assert len(rows) == 1, f"no single reply with wamid {wamid}: {rows}"
    return rows[0]


def send_reply(fd: Running, wamid_in: str) -> str:
    """Have the customer write, wait until the reply is stored as sent; the wamid Graph gave it."""
    assert fd.post_webhook(text_message(wamid_in, "hello")).status_code == 200
    sent = fd.wait_for(fd.sent, what="the reply at the Graph API")
    wamid: str = sent[0]["wamid"]
    fd.wait_for(
        lambda: fd.query("select 1 from messages where channel_message_id = :w", w=wamid), what="wamid stored"
    )
    assert reply_row(fd, wamid).status == "sent"
    return wamid


def post_status(fd: Running, wamid: str, state: str, **kwargs: Any) -> None:
    response = fd.post_webhook(status(wamid, state, **kwargs))
    assert response.status_code == 200
    assert response.json()["statuses"] == 1


def test_statuses_move_forward_only_despite_late_and_duplicate_callbacks(
    database_url: str, graph_url: str
) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        wamid = send_reply(fd, "wamid.S1")
        now = int(time.time())
        post_status(fd, wamid, "delivered", ts=now + 1)
        assert reply_row(fd, wamid).status == "delivered"
        post_status(fd, wamid, "read", ts=now + 2)
        assert reply_row(fd, wamid).status == "read"
        post_status(fd, wamid, "sent", ts=now)  # late: Meta does not guarantee order
        assert reply_row(fd, wamid).status == "read"
        post_status(fd, wamid, "delivered", ts=now + 1)  # a redelivery
        assert reply_row(fd, wamid).status == "read"
        events = fd.query("select status from message_status_events where channel_message_id = :w", w=wamid)
        assert sorted(e.status for e in events) == ["delivered", "read", "sent"]


def test_failed_status_keeps_graphs_error(database_url: str, graph_url: str) -> None:
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "message": "Message undeliverable",
        "error_data": {"details": "The recipient's phone number is not a WhatsApp phone number."},
    }
    with running_frontdesk(database_url, graph_url) as fd:
        wamid = send_reply(fd, "wamid.S2")
        post_status(fd, wamid, "failed", errors=[error])
        row = reply_row(fd, wamid)
        assert (row.status, row.error_code) == ("failed", "131026")
        assert "Message undeliverable" in row.error_message
        assert "not a WhatsApp phone number" in row.error_message
        post_status(fd, wamid, "delivered")  # failed is terminal: a late callback changes nothing
        row = reply_row(fd, wamid)
        assert (row.status, row.error_code) == ("failed", "131026")


def test_status_arriving_before_the_wamid_is_stored_is_applied_later(
    database_url: str, graph_url: str
) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        # The fake Graph records the send (and its wamid) at once but holds its answer; meanwhile
        # Meta's callbacks for that wamid reach the webhook.
        fd.fail_graph(status=200, hold=True, times=1)
        assert fd.post_webhook(text_message("wamid.S3", "hello")).status_code == 200
        sent = fd.wait_for(fd.sent, what="the send at the Graph API")
        wamid = sent[0]["wamid"]
        post_status(fd, wamid, "delivered")
        post_status(fd, wamid, "read")
        # The dispatcher is still waiting for Graph's answer: nothing carries the wamid yet.
        assert fd.query("select status from messages where direction = 'out'")[0].status == "pending"
        assert not fd.query("select 1 from messages where channel_message_id = :w", w=wamid)
        assert fd.release_graph() == 1
        fd.wait_for(
            lambda: fd.query("select 1 from messages where channel_message_id = :w", w=wamid),
            what="wamid stored",
        )
        assert reply_row(fd, wamid).status == "read"
