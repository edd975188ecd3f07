"""/readyz, /metrics and request ids over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from frontdesk.http import create_app
from frontdesk.wiring import Overrides
from tests.support.harness import EchoResponder, Running, running_frontdesk, settings_for_test, sync_url
from tests.support.payloads import sign, text_message
from tests.support.servers import serve_app


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


@contextmanager
def without_workers(database_url: str, graph_url: str, **settings: Any) -> Iterator[Running]:
    """An API-only process (`frontdesk serve --no-workers`)."""
    app = create_app(
        settings_for_test(database_url, graph_url, **settings),
        workers=False,
        overrides=Overrides(responder=EchoResponder()),
    )
    with serve_app(app) as url, httpx.Client(timeout=10) as client:
        yield Running(url=url, graph_url=graph_url, sync_db_url=sync_url(database_url), client=client)


def checks(answer: httpx.Response) -> dict[str, bool]:
    return {c["name"]: c["ok"] for c in answer.json()["checks"]}


def test_ready_with_workers_here(fd: Running) -> None:
    answer = fd.client.get(f"{fd.url}/readyz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ready"
    assert checks(answer) == {"database": True, "migrations": True, "workers": True, "embeddings": True}
    embeddings = next(c for c in answer.json()["checks"] if c["name"] == "embeddings")
    assert embeddings["detail"].startswith("all-MiniLM-L6-v2 at ")


def test_not_ready_when_turns_wait_without_workers(database_url: str, graph_url: str) -> None:
    with without_workers(database_url, graph_url, readyz_stall_seconds=0.3) as api:
        idle = api.client.get(f"{api.url}/readyz")
        assert idle.status_code == 200, idle.text  # nothing waits: the queue may be served elsewhere
        api.post_webhook(text_message("wamid.STALL1", "anyone?"))
        answer = api.wait_for(
            lambda: (r := api.client.get(f"{api.url}/readyz")).status_code == 503 and r, what="a 503"
        )
        assert checks(answer) == {"database": True, "migrations": True, "workers": False, "embeddings": True}
        assert "waited" in answer.text


def test_not_ready_when_the_schema_is_behind(fd: Running) -> None:
    head = fd.query("select version_num from alembic_version")[0][0]
    fd.execute("update alembic_version set version_num = '0001'")
    try:
        answer = fd.client.get(f"{fd.url}/readyz")
        assert answer.status_code == 503
        assert checks(answer)["migrations"] is False
        assert "0001" in answer.text
    finally:
        fd.execute("update alembic_version set version_num = :v", v=head)


def test_a_database_ahead_of_the_code_is_ready_with_a_detail(fd: Running) -> None:
    """A newer release migrated the database during a rolling update: this (older) process stays ready
    until it is replaced, instead of every old process leaving the Service at once."""
    head = fd.query("select version_num from alembic_version")[0][0]
    fd.execute("update alembic_version set version_num = 'f00dfeed0099'")  # no migration of this code
    try:
        answer = fd.client.get(f"{fd.url}/readyz")
        assert answer.status_code == 200, answer.text
        migrations = next(c for c in answer.json()["checks"] if c["name"] == "migrations")
        assert migrations["ok"] is True
        assert f"f00dfeed0099, newer than this code's head {head}" in migrations["detail"]
    finally:
        fd.execute("update alembic_version set version_num = :v", v=head)


def test_readiness_without_the_workers_check(database_url: str, graph_url: str) -> None:
    """What a Kubernetes readiness probe asks (`?exclude=workers`): a stalled queue is every API process's
    problem at once, so it fails the full /readyz (for alerts) but not the probe."""
    with without_workers(database_url, graph_url, readyz_stall_seconds=0.3) as api:
        api.post_webhook(text_message("wamid.STALL2", "anyone?"))
        api.wait_for(lambda: api.client.get(f"{api.url}/readyz").status_code == 503, what="a stalled queue")
        probe = api.client.get(f"{api.url}/readyz", params={"exclude": "workers"})
        assert probe.status_code == 200, probe.text
        assert checks(probe) == {"database": True, "migrations": True, "embeddings": True}
        repeated = api.client.get(f"{api.url}/readyz?exclude=workers&exclude=embeddings")
        listed = api.client.get(f"{api.url}/readyz?exclude=workers,%20embeddings")
        for answer in (repeated, listed):
            assert answer.status_code == 200, answer.text
            assert checks(answer) == {"database": True, "migrations": True}


def test_excluding_an_unknown_check_is_refused_with_the_names(fd: Running) -> None:
    """A typo must not turn a probe into one that passes whatever happens."""
    answer = fd.client.get(f"{fd.url}/readyz", params={"exclude": ["workers", "worker"]})
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "no readiness check named worker;" in detail
    assert "database, migrations, workers, embeddings" in detail


def test_metrics_after_a_webhook(fd: Running) -> None:
    fd.post_webhook(text_message("wamid.M1", "metrics please"))
    fd.post_webhook({"object": "whatsapp_business_account"}, signature="sha256=00")
    fd.wait_for(lambda: fd.sent(), what="the reply")
    fd.wait_for(lambda: 'frontdesk_sends_total{code="",result="sent"} 1.0' in _metrics(fd), what="the send")
    text = _metrics(fd)
    for line in [
        'frontdesk_webhooks_total{result="ok"} 1.0',
        'frontdesk_webhooks_total{result="bad_signature"} 1.0',
        "frontdesk_turn_duration_seconds_count 1.0",
        'frontdesk_queue_depth{queue="turns"}',
        'frontdesk_queue_depth{queue="sends"}',
        'frontdesk_dead_letters{kind="turn"} 0.0',
        'frontdesk_dead_letters{kind="send"} 0.0',
        "# TYPE frontdesk_llm_tokens_total counter",
    ]:
        assert line in text, line


def _metrics(fd: Running) -> str:
    answer = fd.client.get(f"{fd.url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def test_metrics_token(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, metrics_token="scrape-token-123") as fd:
        assert fd.client.get(f"{fd.url}/metrics").status_code == 401
        wrong = fd.client.get(f"{fd.url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = fd.client.get(f"{fd.url}/metrics", headers={"Authorization": "Bearer scrape-token-123"})
        assert right.status_code == 200


def test_request_ids_are_echoed_and_carried_into_the_turn(fd: Running) -> None:
    generated = fd.client.get(f"{fd.url}/healthz").headers["x-request-id"]
    assert len(generated) == 32
    bad = fd.client.get(f"{fd.url}/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert bad.headers["x-request-id"] != "no spaces allowed"

    raw = json.dumps(text_message("wamid.RID1", "trace me")).encode()
    answer = fd.client.post(
        f"{fd.url}/webhooks/whatsapp",
        content=raw,
        headers={
            "content-type": "application/json",
            "x-hub-signature-256": sign(raw),
            "X-Request-ID": "req-42",
        },
    )
    assert answer.headers["x-request-id"] == "req-42"
    payload = fd.query("select payload from jobs")[0][0]
    assert "req-42" in str(payload)


def test_no_message_body_or_token_in_info_logs(fd: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    fd.post_webhook(text_message("wamid.LOG1", "my card number is 4111-SECRET"))
    fd.wait_for(lambda: fd.sent(), what="the reply")
    assert "4111-SECRET" not in caplog.text
    assert "test-access-token" not in caplog.text
    assert "test-app-secret" not in caplog.text
