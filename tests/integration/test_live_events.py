"""`WS /api/v1/ws` over a real socket (the `websockets` client against the served app), on SQLite and
PostgreSQL: new messages and statuses arrive live, a reconnect with `since` replays what was missed, an id
past the retention window gets `resync`, and each tenant hears only its own events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import OTHER_TENANT, add_other_tenant, conversation_of, post, replies, send, write


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def token(fd: Running, *, role: str = "viewer", tenant: str = "lumen") -> str:
    return fd.staff_headers(role, tenant=tenant)["Authorization"].removeprefix("Bearer ")


@contextmanager
def live(fd: Running, *, since: int | None = None, tenant: str = "lumen") -> Iterator[ClientConnection]:
    url = fd.url.replace("http://", "ws://") + f"/api/v1/ws?access_token={token(fd, tenant=tenant)}"
    if since is not None:
        url += f"&since={since}"
    with connect(url, open_timeout=10) as ws:
        yield ws


def receive_until(
    ws: ClientConnection, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0
) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not done(got):
        left = (deadline - datetime.now(UTC)).total_seconds()
        if left <= 0:
            raise AssertionError(f"timed out; got {got}")
        try:
            got.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            raise AssertionError(f"timed out; got {got}") from None
    return got


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["payload"]["message"]["text"] for e in events if e["type"] == "message.created"]


def test_new_messages_and_statuses_arrive_live(fd: Running) -> None:
    with live(fd) as ws:
        write(fd, "hello live")
        events = receive_until(
            ws,
            lambda got: any(e["type"] == "message.status" and e["payload"]["status"] == "sent" for e in got),
        )
    assert texts(events)[:2] == ["hello live", "echo: hello live"]
    first = events[0]
    assert set(first) == {"id", "type", "created_at", "payload"}
    assert first["payload"]["message"]["direction"] == "in"
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_staff_changes_arrive_live(fd: Running) -> None:
    write(fd, "hello")
    fd.wait_for(lambda: replies(fd), what="the bot's reply")
    cid = conversation_of(fd)["id"]
    with live(fd) as ws:
        post(fd, f"/conversations/{cid}/takeover")
        send(fd, cid, {"kind": "text", "body": "staff here"})
        events = receive_until(ws, lambda got: "staff here" in texts(got))
    updated = next(e for e in events if e["type"] == "conversation.updated")
    assert updated["payload"] == {
        "conversation_id": cid,
        "status": "human",
        "reason": "takeover",
        "by": "owner@lumen.test",
    }


def test_reconnect_with_since_replays_what_was_missed(fd: Running) -> None:
    with live(fd) as ws:
        write(fd, "first")
        seen = receive_until(ws, lambda got: "echo: first" in texts(got))
    last = seen[-1]["id"]
    write(fd, "second")
    fd.wait_for(lambda: "echo: second" in replies(fd), what="the second reply")
    with live(fd, since=last) as ws:
        missed = receive_until(ws, lambda got: "echo: second" in texts(got))
        assert all(e["id"] > last for e in missed)
        assert texts(missed)[:2] == ["second", "echo: second"]
        write(fd, "third")  # and then it streams on
        receive_until(ws, lambda got: "third" in texts(got))


def test_since_older_than_retention_gets_resync(fd: Running) -> None:
    write(fd, "old news")
    fd.wait_for(lambda: replies(fd), what="the reply")
    fd.execute("update events set created_at = :t", t=datetime.now(UTC) - timedelta(days=30))
    newest = fd.query("select max(id) from events")[0][0]
    with live(fd, since=0) as ws:
        first = receive_until(ws, lambda got: bool(got))[0]
        assert first["type"] == "resync" and first["id"] == newest
        write(fd, "fresh")
        assert "fresh" in texts(receive_until(ws, lambda got: "fresh" in texts(got)))


def test_each_tenant_hears_only_its_own(fd: Running) -> None:
    add_other_tenant(fd)
    with live(fd, tenant=OTHER_TENANT) as theirs, live(fd) as ours:
        write(fd, "for lumen")
        got = receive_until(ours, lambda got: "for lumen" in texts(got))
        assert got
        write(fd, "for acme again", sender="15550001111", number="200000000000002")
        heard = receive_until(theirs, lambda got: "for acme again" in texts(got))
    assert "for lumen" not in texts(heard)
    assert {e["payload"].get("conversation_id") for e in heard} == {
        conversation_of(fd, "15550001111", tenant=OTHER_TENANT)["id"]
    }


def test_handshake_needs_a_valid_token(fd: Running) -> None:
    base = fd.url.replace("http://", "ws://") + "/api/v1/ws"
    for url in (base, base + "?access_token=nonsense"):
        with pytest.raises(InvalidStatus) as refused, connect(url, open_timeout=10):
            pass
        assert refused.value.response.status_code == 403
    with connect(base, additional_headers={"Authorization": f"Bearer {token(fd)}"}, open_timeout=10) as ws:
        write(fd, "via header")
        receive_until(ws, lambda got: "via header" in texts(got))


def test_programs_send_the_token_as_a_subprotocol(fd: Running) -> None:
    base = fd.url.replace("http://", "ws://") + "/api/v1/ws"
    offer = ["frontdesk.v1", f"frontdesk.bearer.{token(fd)}"]
    with connect(base, subprotocols=offer, open_timeout=10) as ws:
        assert ws.subprotocol == "frontdesk.v1"  # the token is never echoed back
        write(fd, "via subprotocol")
        receive_until(ws, lambda got: "via subprotocol" in texts(got))
    with (
        pytest.raises(InvalidStatus) as refused,
        connect(base, subprotocols=["frontdesk.v1", "frontdesk.bearer.nonsense"], open_timeout=10),
    ):
        pass
    assert refused.value.response.status_code == 403
