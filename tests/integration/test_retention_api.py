"""The tenant's retention period over real HTTP (owners set it, bounded, audited), and the serving process
erasing on its own what is older (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import text_message

API = "/api/v1/tenant"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def patch(fd: Running, body: Any, role: str = "owner") -> Any:
    return fd.client.patch(f"{fd.url}{API}", json=body, headers=fd.staff_headers(role))


def audit_details(fd: Running, action: str) -> list[dict[str, Any]]:
    rows = fd.query("select details from audit_log where action = :a order by id", a=action)
    return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]


def test_owners_set_and_clear_the_retention_period_and_it_is_audited(fd: Running) -> None:
    assert fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers()).json()["retention_days"] is None

    assert patch(fd, {"retention_days": 365}).json()["retention_days"] == 365
    assert patch(fd, {"name": "Lumen Home"}).json()["retention_days"] == 365  # left out: unchanged
    assert patch(fd, {"retention_days": None}).json()["retention_days"] is None  # null: for ever

    changes = [d for d in audit_details(fd, "tenant.update") if "retention_days" in d["fields"]]
    assert [d["retention_days"] for d in changes] == [{"from": None, "to": 365}, {"from": 365, "to": None}]


@pytest.mark.parametrize("value", [0, -1, 3651, "30", 30.5, True])
def test_a_retention_period_out_of_bounds_or_not_a_whole_number_is_422(fd: Running, value: Any) -> None:
    answer = patch(fd, {"retention_days": value, "name": "Renamed"})
    assert answer.status_code == 422, answer.text
    assert "retention_days" in answer.text
    assert fd.query("select name, retention_days from tenants where slug = 'lumen'")[0] == (
        "Lumen Home",
        None,
    )


def test_only_owners_change_the_retention_period(fd: Running) -> None:
    assert patch(fd, {"retention_days": 30}, role="admin").status_code == 403
    assert fd.query("select retention_days from tenants where slug = 'lumen'")[0][0] is None


def test_the_serving_process_erases_old_messages_on_its_own(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        assert patch(fd, {"retention_days": 30}).status_code == 200
        fd.post_webhook(text_message("wamid.RETAIN1", "my address is 1 Elm St"))
        fd.wait_for(fd.sent, what="the reply")
        # Both messages are made 40 days old; the job runs when the process starts, then hourly.
        fd.execute(
            "update messages set created_at = created_at - interval '40 days'"
            if "postgres" in database_url
            else "update messages set created_at = datetime(created_at, '-40 days')"
        )

    with running_frontdesk(database_url, graph_url) as fd:
        erased = fd.wait_for(
            lambda: fd.query("select count(*) from messages where erased_at is not null")[0][0] == 2,
            what="the retention job",
        )
        assert erased
        assert fd.query("select text, direction from messages order by id") == [(None, "in"), (None, "out")]
        assert sum(d["messages"] for d in audit_details(fd, "retention.erase")) == 2
