"""Dead letters over real HTTP on SQLite and PostgreSQL: list, retry (then success), discard, isolation."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.retention import SqlRetention
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.files.local import LocalFiles
from frontdesk.services.retention import RetentionService
from tests.support.harness import EchoResponder, Running, running_frontdesk
from tests.support.payloads import text_message
from tests.support.tenants import add_tenant


def retention(store: SqlStore, *, clock: Any, batch: int = 1000) -> RetentionService:
    """The retention job on `store`; its file store is empty (tests/integration/test_media.py has files)."""
    files = LocalFiles(Path(tempfile.mkdtemp(prefix="frontdesk-files-")))
    return RetentionService(store=SqlRetention(store), files=files, clock=clock, batch=batch)


API = "/api/v1/jobs"


@pytest.fixture
def responder() -> EchoResponder:
    return EchoResponder(fail_first=1)


@pytest.fixture
def fd(database_url: str, graph_url: str, responder: EchoResponder) -> Iterator[Running]:
    # One attempt: the responder's first failure dead-letters the turn at once.
    with running_frontdesk(database_url, graph_url, responder=responder, job_max_attempts=1) as running:
        yield running


def call(fd: Running, method: str, path: str = "", role: str = "admin", **params: Any) -> httpx.Response:
    return fd.client.request(method, f"{fd.url}{API}{path}", params=params, headers=fd.staff_headers(role))


def dead_letters(fd: Running, **params: Any) -> list[dict[str, Any]]:
    answer = call(fd, "GET", **params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_a_dead_turn_is_listed_announced_and_retried(fd: Running) -> None:
    fd.post_webhook(text_message("wamid.DEAD1", "are you there?"))
    [item] = fd.wait_for(lambda: dead_letters(fd), what="a dead letter")
    assert item["kind"] == "turn"
    assert item["attempts"] == 1
    assert "responder exploded" in item["error"]
    conversation = fd.query("select id from conversations")[0][0]
    assert item["conversation_id"] == conversation

    [payload] = [
        json.loads(p) if isinstance(p, str) else p
        for (p,) in fd.query("select payload from events where type = 'job.failed'")
    ]
    assert (payload["job_id"], payload["conversation_id"]) == (item["id"], conversation)

    retried = call(fd, "POST", f"/turn/{item['id']}/retry")
    assert retried.status_code == 200, retried.text
    fd.wait_for(lambda: fd.sent(), what="the reply after the retry")
    assert fd.sent()[0]["body"]["text"]["body"] == "echo: are you there?"
    assert dead_letters(fd) == []
    assert call(fd, "POST", f"/turn/{item['id']}/retry").status_code == 404  # no longer dead


@pytest.mark.parametrize("responder", [EchoResponder()])
def test_a_failed_send_is_retried_then_sent(fd: Running) -> None:
    fd.fail_graph(status=400, code=131026, message="Message undeliverable")
    fd.post_webhook(text_message("wamid.SEND1", "hello"))
    [item] = fd.wait_for(lambda: dead_letters(fd, kind="send"), what="a failed send")
    assert (item["kind"], item["error_code"]) == ("send", "131026")
    assert dead_letters(fd, kind="turn") == []

    assert call(fd, "POST", f"/send/{item['id']}/retry").status_code == 200
    sent = fd.wait_for(lambda: fd.sent(), what="the reply after the retry")
    assert sent[0]["body"]["text"]["body"] == "echo: hello"
    fd.wait_for(
        lambda: fd.query("select status from messages where direction = 'out'")[0][0] == "sent",
        what="the reply marked sent",
    )


class Later:
    """A clock `days` ahead of now."""

    def __init__(self, days: int) -> None:
        self.days = days

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=self.days)


def run_retention(database_url: str, *, days_later: int) -> int:
    """The retention job, run `days_later` by another process on the same database; messages erased."""

    async def erase() -> int:
        store = SqlStore(make_engine(database_url))
        try:
            return await retention(store, clock=Later(days_later)).erase_expired()
        finally:
            await store.dispose()

    return asyncio.run(erase())


@pytest.mark.parametrize("responder", [EchoResponder()])
def test_a_send_erased_by_retention_cannot_be_retried(fd: Running, database_url: str) -> None:
    fd.fail_graph(status=400, code=131026, message="Message undeliverable")
    fd.post_webhook(text_message("wamid.SEND2", "hello"))
    [item] = fd.wait_for(lambda: dead_letters(fd, kind="send"), what="a failed send")
    fd.execute("update tenants set retention_days = 30")
    assert run_retention(database_url, days_later=40) == 2  # the message and the failed reply

    refused = call(fd, "POST", f"/send/{item['id']}/retry")
    assert refused.status_code == 409, refused.text
    assert "its content was erased" in refused.json()["detail"]
    assert [d["id"] for d in dead_letters(fd, kind="send")] == [item["id"]]  # still there, to discard
    assert fd.query("select count(*) from audit_log where action = 'dead_letter.retry'")[0][0] == 0
    assert call(fd, "DELETE", f"/send/{item['id']}").status_code == 200
    assert fd.sent() == []


def test_discard_and_isolation(fd: Running) -> None:
    fd.post_webhook(text_message("wamid.DEAD2", "first"))
    [item] = fd.wait_for(lambda: dead_letters(fd), what="a dead letter")

    add_tenant(fd, "other")
    for method, path in [("POST", f"/turn/{item['id']}/retry"), ("DELETE", f"/turn/{item['id']}")]:
        theirs = fd.client.request(
            method, f"{fd.url}{API}{path}", headers=fd.staff_headers("admin", tenant="other")
        )
        assert theirs.status_code == 404
    other_list = fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers("admin", tenant="other")).json()
    assert other_list == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert call(fd, "GET", role="agent").status_code == 403

    dropped = call(fd, "DELETE", f"/turn/{item['id']}")
    assert dropped.status_code == 200
    assert dropped.json()["id"] == item["id"]
    assert dead_letters(fd) == []
    assert call(fd, "DELETE", f"/turn/{item['id']}").status_code == 404
    assert fd.query("select count(*) from audit_log where action = 'dead_letter.discard'")[0][0] == 1


def test_bad_kind_is_422(fd: Running) -> None:
    assert call(fd, "POST", "/email/1/retry").status_code == 422
    assert call(fd, "GET", kind="email").status_code == 422
