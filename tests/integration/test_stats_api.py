"""Dashboard statistics over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import text_message

API = "/api/v1/stats"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def stats(fd: Running, role: str = "viewer", **params: Any) -> Any:
    return fd.client.get(f"{fd.url}{API}", params=params, headers=fd.staff_headers(role))


def test_figures_for_a_period(fd: Running) -> None:
    fd.post_webhook(text_message("wamid.S1", "one", sender="447700900101"))
    fd.post_webhook(text_message("wamid.S2", "two", sender="447700900102"))
    fd.post_webhook(text_message("wamid.S3", "three", sender="447700900102"))
    fd.wait_for(lambda: len(fd.sent()) == 3, what="three replies")
    # Staff took one of the two conversations over.
    fd.execute("update conversations set status = 'human' where id = (select min(id) from conversations)")

    answer = stats(fd)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["days"]) == 7
    assert (body["inbound"], body["outbound"]) == (3, 3)
    assert sum(d["inbound"] for d in body["days"]) == 3
    assert body["timezone"] == "Europe/London"
    assert body["replies_timed"] == 3
    assert 0 <= body["response_ms_p50"] <= body["response_ms_p95"]
    assert (body["conversations"], body["handoffs"], body["handoff_rate"]) == (2, 1, 0.5)
    assert body["agents"] == [
        {"agent": "echo", "messages": 3, "tokens_in": 0, "tokens_out": 0, "cost": "0.000000"}
    ]

    today = body["days"][-1]
    assert (today["inbound"], today["outbound"], today["replies_timed"]) == (3, 3, 3)
    assert (today["conversations"], today["handoffs"], today["handoff_rate"]) == (2, 1, 0.5)
    assert today["agents"] == {"echo": 3}
    assert all(d["agents"] == {} and d["handoff_rate"] is None for d in body["days"][:-1])

    long_ago = stats(fd, since="2020-01-01", until="2020-01-31").json()
    assert (long_ago["inbound"], len(long_ago["days"]), long_ago["response_ms_p50"]) == (0, 31, None)
    assert long_ago["handoff_rate"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "until"),
    ],
)
def test_bad_periods_are_422(fd: Running, params: dict[str, str], field: str) -> None:
    answer = stats(fd, **params)
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_any_role_and_only_own_tenant(fd: Running) -> None:
    today = date.today()
    for role in ("viewer", "agent", "admin", "owner"):
        assert stats(fd, role, since=str(today - timedelta(days=1))).status_code == 200
    assert fd.client.get(f"{fd.url}{API}").status_code == 401


def db_time(fd: Running, at: datetime) -> str:
    """`at` as raw SQL text that reads back as the same instant (SQLite keeps UTC without a zone)."""
    text = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return text if fd.sync_db_url.startswith("sqlite") else f"{text}+00:00"


def add_message(fd: Running, conversation: int, direction: str, at: datetime, **extra: Any) -> None:
    columns = {"latency_ms": None, "agent": None, "tokens_in": None, "tokens_out": None, "cost": None}
    fd.execute(
        "insert into messages (tenant_id, conversation_id, direction, type, text, content, status, tools, "
        "created_at, latency_ms, agent, tokens_in, tokens_out, cost) "
        "select tenant_id, id, :direction, 'text', 'x', '{}', :status, '[]', :at, :latency_ms, :agent, "
        ":tokens_in, :tokens_out, :cost from conversations where id = :conversation",
        conversation=conversation,
        direction=direction,
        status="received" if direction == "in" else "sent",
        at=db_time(fd, at),
        **(columns | extra),
    )


def test_each_day_has_its_own_figures(fd: Running) -> None:
    fd.post_webhook(text_message("wamid.D1", "one", sender="447700900111"))
    fd.post_webhook(text_message("wamid.D2", "two", sender="447700900112"))
    fd.wait_for(lambda: len(fd.sent()) == 2, what="two replies")
    a, b = (r[0] for r in fd.query("select id from conversations order by id"))
    tenant = fd.query("select tenant_id from conversations where id = :a", a=a)[0][0]
    utc = lambda *args: datetime(*args, tzinfo=UTC)  # noqa: E731
    # London is on BST (UTC+1): 23:30 UTC on the 13th is 00:30 on the 14th there.
    add_message(fd, a, "in", utc(2025, 7, 13, 23, 30))
    add_message(
        fd, a, "out", utc(2025, 7, 13, 23, 31), latency_ms=1000, agent="orders", tokens_in=10, tokens_out=20,
        cost="0.001",
    )  # fmt: skip
    add_message(fd, b, "in", utc(2025, 7, 14, 10, 0))
    add_message(
        fd, b, "out", utc(2025, 7, 14, 10, 1), latency_ms=3000, agent="support", tokens_in=5, tokens_out=7,
        cost="0.0005",
    )  # fmt: skip
    add_message(fd, b, "out", utc(2025, 7, 14, 10, 2), latency_ms=2000, agent="support")
    add_message(fd, a, "in", utc(2025, 7, 15, 9, 0))
    add_message(fd, a, "out", utc(2025, 7, 15, 9, 1), latency_ms=500, agent="orders")
    fd.execute(
        "insert into events (tenant_id, type, payload, created_at) "
        "values (:t, 'conversation.updated', :p, :at)",
        t=tenant,
        p=f'{{"conversation_id": {a}, "status": "human"}}',
        at=db_time(fd, utc(2025, 7, 15, 9, 5)),
    )
    add_message(fd, b, "in", utc(2025, 7, 16, 23, 30))  # the 17th in London: outside the period

    body = stats(fd, since="2025-07-14", until="2025-07-16").json()
    assert body["since"] == "2025-07-14T00:00:00+01:00"
    day14, day15, day16 = body["days"]
    assert day14 == {
        "day": "2025-07-14", "inbound": 2, "outbound": 3, "response_ms_p50": 2000, "response_ms_p95": 3000,
        "replies_timed": 3, "conversations": 2, "handoffs": 0, "handoff_rate": 0.0, "tokens_in": 15,
        "tokens_out": 27, "cost": "0.001500", "agents": {"orders": 1, "support": 2},
    }  # fmt: skip
    assert day15 == {
        "day": "2025-07-15", "inbound": 1, "outbound": 1, "response_ms_p50": 500, "response_ms_p95": 500,
        "replies_timed": 1, "conversations": 1, "handoffs": 1, "handoff_rate": 1.0, "tokens_in": 0,
        "tokens_out": 0, "cost": "0.000000", "agents": {"orders": 1},
    }  # fmt: skip
    assert day16 == {
        "day": "2025-07-16", "inbound": 0, "outbound": 0, "response_ms_p50": None, "response_ms_p95": None,
        "replies_timed": 0, "conversations": 0, "handoffs": 0, "handoff_rate": None, "tokens_in": 0,
        "tokens_out": 0, "cost": "0.000000", "agents": {},
    }  # fmt: skip
    # The period's figures are over all its replies, not an average of the days'.
    assert (body["inbound"], body["outbound"], body["replies_timed"]) == (3, 4, 4)
    assert (body["response_ms_p50"], body["response_ms_p95"]) == (1000, 3000)
    assert (body["conversations"], body["handoffs"], body["handoff_rate"]) == (2, 1, 0.5)
    assert (body["tokens_in"], body["tokens_out"], body["cost"]) == (15, 27, "0.001500")
    assert body["agents"] == [
        {"agent": "orders", "messages": 2, "tokens_in": 10, "tokens_out": 20, "cost": "0.001000"},
        {"agent": "support", "messages": 2, "tokens_in": 5, "tokens_out": 7, "cost": "0.000500"},
    ]


def test_live_counters_now(fd: Running) -> None:
    empty = fd.client.get(f"{fd.url}{API}/now", headers=fd.staff_headers("viewer"))
    assert empty.status_code == 200, empty.text
    zero = empty.json()
    assert zero["timezone"] == "Europe/London" and zero["failed_jobs"] == 0
    assert (zero["open_bot"], zero["open_human"], zero["messages_in"], zero["messages_out"]) == (0, 0, 0, 0)

    fd.post_webhook(text_message("wamid.N1", "one", sender="447700900121"))
    fd.post_webhook(text_message("wamid.N2", "two", sender="447700900122"))
    fd.post_webhook(text_message("wamid.N3", "three", sender="447700900122"))
    fd.post_webhook(text_message("wamid.N4", "four", sender="447700900123"))
    fd.wait_for(lambda: len(fd.sent()) == 4, what="four replies")
    first, second, third = (r[0] for r in fd.query("select id from conversations order by id"))
    fd.execute("update conversations set status = 'human' where id in (:a, :b)", a=first, b=second)
    user = fd.query("select min(id) from staff_users")[0][0]
    fd.execute("update conversations set assignee_user_id = :u where id = :a", u=user, a=first)
    fd.execute("update conversations set unread_count = 0 where id = :c", c=third)
    fd.execute("update conversations set status = 'closed' where id = :c", c=third)
    message = fd.query("select min(id) from messages")[0][0]
    fd.execute(
        "insert into jobs (kind, key, payload, status, attempts, max_attempts, run_at, created_at) "
        "values ('turn', 'x', :p, 'dead', 5, 5, :at, :at)",
        p=f'{{"message_id": {message}}}',
        at=db_time(fd, datetime.now(UTC)),
    )

    now = fd.client.get(f"{fd.url}{API}/now", headers=fd.staff_headers("viewer")).json()
    assert (now["open_bot"], now["open_human"], now["unassigned_human"]) == (0, 2, 1)
    assert (now["unread_conversations"], now["unread_messages"]) == (2, 3)
    assert (now["messages_in"], now["messages_out"], now["failed_jobs"]) == (4, 4, 1)
    assert now["day"] == datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date().isoformat()
    assert fd.client.get(f"{fd.url}{API}/now").status_code == 401
