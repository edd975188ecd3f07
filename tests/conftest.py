"""Fixtures shared by all tests: databases (SQLite always, PostgreSQL when reachable) and the fake Graph API.

PostgreSQL tests run against FRONTDESK_TEST_POSTGRES_URL (default: the local server's `test` database).
Where no server answers they are skipped with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.devtools.fake_graph import create_fake_graph
from tests.support.servers import serve_app

pytest_plugins = ["tests.support.model_guard", "tests.support.aws", "tests.support.s3"]

PG_URL = os.environ.get("FRONTDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(
            make_url(PG_URL).set(drivername="postgresql+psycopg"), connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); set FRONTDESK_TEST_POSTGRES_URL"
    return None


_PG_UNAVAILABLE = _postgres_reason()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh database on the PostgreSQL server for this test session; dropped at the end."""
    if _PG_UNAVAILABLE:
        if IN_CI:
            pytest.fail(_PG_UNAVAILABLE)
        pytest.skip(_PG_UNAVAILABLE)
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"frontdesk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a reset schema on the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}"
    url: str = request.getfixturevalue("postgres_server")
    _reset_postgres(url)
    return url.replace("postgresql+psycopg", "postgresql+asyncpg")


@pytest.fixture(scope="session")
def fake_graph_server() -> Iterator[str]:
    with serve_app(create_fake_graph()) as url:
        yield url


@pytest.fixture
def graph_url(fake_graph_server: str) -> str:
    """The fake Graph API's base URL, emptied of earlier tests' messages and failure rules."""
    httpx.delete(f"{fake_graph_server}/_fake/messages").raise_for_status()
    httpx.delete(f"{fake_graph_server}/_fake/fail").raise_for_status()
    return fake_graph_server
