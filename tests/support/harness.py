"""The real app over HTTP on a real database, with the fake Graph API as a real server."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from frontdesk.domain.outbound import Text
from frontdesk.domain.turns import Answer, Turn
from frontdesk.http import create_app
from frontdesk.settings import Settings
from frontdesk.wiring import Overrides
from tests.support.payloads import APP_SECRET, sign
from tests.support.servers import serve_app
from tests.support.staff import bearer_login, ensure_staff

# Encrypts the channel tokens stored by test servers (required outside dev, like every secret).
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA="


def settings_for_test(database_url: str, graph_url: str, **extra: Any) -> Settings:
    """Settings for a test server: real secrets (env=test refuses defaults), fast polling and retries."""
    values: dict[str, Any] = dict(
        env="test",
        database_url=database_url,
        secret_key="test-secret-key",
        whatsapp_verify_token="test-verify-token",
        whatsapp_app_secret=APP_SECRET,
        whatsapp_access_token="test-access-token",
        encryption_keys=TEST_ENCRYPTION_KEY,
        login_rate_limit="1000/minute",  # tests sign in often; test_auth_api checks the limits themselves
        api_rate_limit="100000/minute",
        whatsapp_graph_url=graph_url,
        whatsapp_timeout_seconds=2.0,
        poll_interval_seconds=0.05,
        retry_base_seconds=0.05,
        retry_max_seconds=0.2,
        log_json=False,
        # Received media goes to a folder of the test's own, never the working directory (PostgreSQL).
        files_dir=tempfile.mkdtemp(prefix="frontdesk-files-"),
    )
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class EchoResponder:
    """Answers "echo: <text>"; can be slowed down or told to fail its first N calls."""

    def __init__(self, *, delay: float = 0.0, fail_first: int = 0):
        self.delay = delay
        self.fail_first = fail_first
        self.calls: list[str] = []

    async def respond(self, turn: Turn) -> Answer:
        self.calls.append(turn.message.text or "")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_first > 0:
            self.fail_first -= 1
            raise RuntimeError("responder exploded")
        return Answer(messages=[Text(body=f"echo: {turn.message.text}")], agent="echo")


@dataclass
class Running:
    """A running Frontdesk: its URL, the fake Graph's URL, and a sync connection to its database."""

    url: str
    graph_url: str
    sync_db_url: str
    client: httpx.Client
    _staff_sessions: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def post_webhook(
        self, payload: Any, *, signature: str | None = "auto", raw: bytes | None = None
    ) -> httpx.Response:
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"content-type": "application/json"}
        if signature == "auto":
            headers["x-hub-signature-256"] = sign(body)
        elif signature is not None:
            headers["x-hub-signature-256"] = signature
        return self.client.post(f"{self.url}/webhooks/whatsapp", content=body, headers=headers)

    def query(self, sql: str, **params: Any) -> list[Any]:
        engine = create_engine(self.sync_db_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()

    def execute(self, sql: str, **params: Any) -> int:
        """Run one write statement in its own committed transaction; the number of rows it touched."""
        engine = create_engine(self.sync_db_url)
        try:
            with engine.begin() as conn:
                return conn.execute(text(sql), params).rowcount
        finally:
            engine.dispose()

    def sent(self) -> list[dict[str, Any]]:
        """What the fake Graph API received (successful sends only)."""
        records = self.client.get(f"{self.graph_url}/_fake/messages").json()["messages"]
        return [
            r for r in records if r["wamid"] and r["body"].get("type") != "read" and "status" not in r["body"]
        ]

    def staff_headers(self, role: str = "owner", *, tenant: str = "lumen") -> dict[str, str]:
        """Bearer headers of a signed-in staff member `<role>@<tenant>.test` with `role` in `tenant`
        (made on first use; one session per role and tenant for this server)."""
        key = (role, tenant)
        if key not in self._staff_sessions:
            email = f"{role}@{tenant}.test"
            ensure_staff(self.sync_db_url, email=email, role=role, tenant=tenant)
            self._staff_sessions[key] = bearer_login(self.client, self.url, email=email, tenant=tenant)
        return self._staff_sessions[key]

    def fail_graph(self, **rule: Any) -> None:
        self.client.post(f"{self.graph_url}/_fake/fail", json=rule).raise_for_status()

    def release_graph(self) -> int:
        """Answer the sends held by a `fail_graph(hold=True)` rule."""
        response = self.client.post(f"{self.graph_url}/_fake/release")
        response.raise_for_status()
        released: int = response.json()["released"]
        return released

    def wait_for(self, check: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
            time.sleep(0.05)


def sync_url(async_url: str) -> str:
    return async_url.replace("sqlite+aiosqlite", "sqlite").replace("postgresql+asyncpg", "postgresql+psycopg")


@contextmanager
def running_frontdesk(
    database_url: str, graph_url: str, *, responder: Any = None, team: bool = False, **settings: Any
) -> Iterator[Running]:
    """Serve Frontdesk (API and in-process workers) on a free port until the block ends.

    Turns are answered by `responder` (an `EchoResponder` unless given), or with `team` by the product's
    own agent team, as configured by `settings`."""
    app = create_app(
        settings_for_test(database_url, graph_url, **settings),
        overrides=Overrides(responder=None if team else responder or EchoResponder()),
    )
    # Generous: a first start seeds the demo and embeds its knowledge base, slow on a busy machine.
    with serve_app(app, startup_timeout=60, shutdown_timeout=30) as url, httpx.Client(timeout=10) as client:
        yield Running(url=url, graph_url=graph_url, sync_db_url=sync_url(database_url), client=client)
