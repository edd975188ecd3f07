"""Dashboard statistics over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

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
