"""Sending replies through the outbox when the Graph API fails, is slow, or refuses (real HTTP both ways).

Transient failures (rate limits, 5xx, timeouts) are retried with backoff until `send_max_attempts`;
permanent ones fail the reply at once with Graph's code and text; outside the 24-hour window nothing
is sent at all.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import text_message

# Longer than any retry delay the test settings allow (retry_max_seconds=0.2) plus a poll interval.
QUIET = 0.3


def graph_requests(fd: Running) -> list[dict[str, Any]]:
    """Every message send the fake Graph received, failed ones included (read receipts left out)."""
    records = fd.client.get(f"{fd.graph_url}/_fake/messages").json()["messages"]
    return [r for r in records if isinstance(r["body"], dict) and "status" not in r["body"]]


def replies(fd: Running) -> list[Any]:
    return fd.query(
        "select m.status, m.channel_message_id, m.error_code, m.error_message, o.status as outbox_status, "
        "o.attempts from messages m join outbox o on o.message_id = m.id where m.direction = 'out'"
    )


def wait_for_reply_status(fd: Running, *statuses: str) -> Any:
    """The one reply, once it has reached one of `statuses`."""
    fd.wait_for(
        lambda: [r for r in replies(fd) if r.status in statuses],
        what=f"the reply to become {' or '.join(statuses)}",
    )
    rows = replies(fd)
    assert len(rows) == 1, rows
    return rows[0]


def test_rate_limited_twice_then_sent_once(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        fd.fail_graph(status=429, code=130429, times=2, message="Rate limit hit")
        assert fd.post_webhook(text_message("wamid.R1", "hi")).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        attempts = graph_requests(fd)
        assert [a["http_status"] for a in attempts] == [429, 429, 200]
        assert [a["error_code"] for a in attempts[:2]] == [130429, 130429]
        assert len(fd.sent()) == 1
        assert (reply.status, reply.outbox_status, reply.attempts) == ("sent", "sent", 3)
        assert reply.channel_message_id == attempts[-1]["wamid"]


def test_server_error_is_retried_and_sent_once(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        fd.fail_graph(status=500, times=1)
        assert fd.post_webhook(text_message("wamid.R2", "hi")).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        assert [a["http_status"] for a in graph_requests(fd)] == [500, 200]
        assert len(fd.sent()) == 1
        assert (reply.status, reply.attempts) == ("sent", 2)


def test_outside_window_error_from_graph_fails_the_reply_without_retry(
    database_url: str, graph_url: str
) -> None:
    text = "Message failed to send because more than 24 hours have passed since the customer last replied"
    with running_frontdesk(database_url, graph_url) as fd:
        fd.fail_graph(status=400, code=131047, times=3, message=text)
        assert fd.post_webhook(text_message("wamid.R3", "hi")).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        assert (reply.status, reply.error_code) == ("failed", "131047")
        assert text in reply.error_message
        assert (reply.outbox_status, reply.attempts) == ("failed", 1)
        time.sleep(QUIET)
        assert [a["error_code"] for a in graph_requests(fd)] == [131047]
        assert fd.sent() == []


def test_slow_graph_times_out_and_is_retried(
    database_url: str, graph_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="frontdesk.services.dispatcher")
    with running_frontdesk(database_url, graph_url, whatsapp_timeout_seconds=0.5) as fd:
        fd.fail_graph(status=200, delay=1.5, times=1)  # answers, but only after the client gave up
        assert fd.post_webhook(text_message("wamid.R4", "hi")).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        attempts = graph_requests(fd)
        assert len(attempts) == 2
        assert (reply.status, reply.attempts) == ("sent", 2)
        failures = [(getattr(r, "code", None), getattr(r, "transient", None)) for r in caplog.records]
        assert ("timeout", True) in failures
        # The timed-out request's wamid never reached Frontdesk; the one it stored is the retry's.
        assert reply.channel_message_id == attempts[1]["wamid"]


def test_reply_outside_the_24_hour_window_is_not_sent(database_url: str, graph_url: str) -> None:
    written = int(time.time()) - 25 * 3600  # Meta delivers a day-old message late, e.g. after an outage
    with running_frontdesk(database_url, graph_url) as fd:
        assert fd.post_webhook(text_message("wamid.R5", "hi", ts=written)).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        assert (reply.status, reply.error_code) == ("failed", "window_closed")
        assert (reply.outbox_status, reply.attempts) == ("failed", 1)
        time.sleep(QUIET)
        assert graph_requests(fd) == []


def test_transient_failures_give_up_after_send_max_attempts(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, send_max_attempts=2) as fd:
        fd.fail_graph(status=503, code=131000, times=5, message="Something went wrong")
        assert fd.post_webhook(text_message("wamid.R6", "hi")).status_code == 200
        reply = wait_for_reply_status(fd, "sent", "failed")
        assert (reply.status, reply.error_code) == ("failed", "131000")
        assert "Something went wrong" in reply.error_message
        assert (reply.outbox_status, reply.attempts) == ("failed", 2)
        time.sleep(QUIET)
        assert [a["http_status"] for a in graph_requests(fd)] == [503, 503]


def test_a_timeout_is_held_for_staff_when_the_channel_says_hold(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, whatsapp_timeout_seconds=0.5) as fd:
        fd.execute("update channels set uncertain_sends = 'hold'")
        fd.fail_graph(status=200, hold=True, times=1)  # Graph takes the message and never answers in time
        assert fd.post_webhook(text_message("wamid.R7", "hi")).status_code == 200
        fd.wait_for(
            lambda: [r for r in replies(fd) if r.outbox_status == "uncertain"], what="the reply to be held"
        )
        fd.release_graph()
        reply = replies(fd)[0]
        assert (reply.status, reply.error_code, reply.attempts) == ("pending", "uncertain", 1)
        assert "may have delivered" in reply.error_message
        # Held is final for the dispatcher: the one request Graph got is all it will ever get.
        assert len(graph_requests(fd)) == 1
