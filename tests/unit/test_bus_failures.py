"""The bus's failure paths: a subscriber that raises, and a Redis or PostgreSQL server that is down.
Nothing may reach the publisher (a request, a turn): this process's subscribers are still told at once,
the others' polls cover the rest, and the listener keeps retrying."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

import pytest

from frontdesk.adapters.bus.local import LocalBus
from frontdesk.adapters.bus.pg_notify import PostgresTransport
from frontdesk.adapters.bus.redis_pubsub import RedisTransport
from frontdesk.adapters.bus.remote import RemoteBus, Transport
from frontdesk.domain.bus import CACHE, JOBS, OUTBOX
from frontdesk.settings import Settings
from frontdesk.wiring.bus import build_bus, libpq_url
from tests.support.redis_server import closed_port


def test_the_local_bus_tells_each_topics_subscribers_at_once_and_survives_a_failing_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = LocalBus()
    got: list[tuple[str, str]] = []

    def broken(_payload: str) -> None:
        raise RuntimeError("subscriber bug")

    bus.subscribe(JOBS, broken)
    bus.subscribe(JOBS, lambda payload: got.append((JOBS, payload)))
    bus.subscribe(OUTBOX, lambda payload: got.append((OUTBOX, payload)))
    with caplog.at_level(logging.ERROR):
        bus.publish(JOBS, "1")
    bus.publish(CACHE, "team:1")  # nobody listens: nothing happens
    assert got == [(JOBS, "1")]
    assert "a subscriber of 'jobs' failed" in caplog.text


def down_transports() -> list[Transport]:
    return [
        RedisTransport(f"redis://127.0.0.1:{closed_port()}/0"),
        PostgresTransport(f"postgresql://postgres@127.0.0.1:{closed_port()}/test"),
    ]


@pytest.mark.parametrize("transport", down_transports(), ids=lambda t: t.name)
async def test_a_server_that_is_down_costs_a_warning_not_a_request(
    transport: Transport, caplog: pytest.LogCaptureFixture
) -> None:
    bus = RemoteBus(transport, channel_prefix="test_", backoff_base=0.05, backoff_cap=0.1)
    woken: list[str] = []
    bus.subscribe(JOBS, woken.append)
    with caplog.at_level(logging.DEBUG, logger="frontdesk.adapters.bus.remote"):
        await bus.start()
        for i in range(50):
            bus.publish(JOBS, str(i))  # never raises, never waits
        assert woken == [str(i) for i in range(50)]  # this process's workers: told at once
        await asyncio.sleep(0.5)
        assert not bus.connected
        retries = [r for r in caplog.records if "unreachable" in r.getMessage()]
        failed_sends = [r for r in caplog.records if "cannot publish" in r.getMessage()]
        await asyncio.wait_for(bus.close(), 5)
    assert len(retries) >= 2  # the listener keeps trying, backing off
    assert "polling covers" in retries[0].getMessage()
    # One warning per outage, the retries after it at debug level.
    assert [r.levelno for r in retries] == [logging.WARNING] + [logging.DEBUG] * (len(retries) - 1)
    assert len(failed_sends) == 1  # once per outage, not once per message


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, env="dev", **values)  # type: ignore[arg-type]


def test_the_settings_pick_the_bus() -> None:
    pg = "postgresql+asyncpg://frontdesk:s3cret@db:5432/frontdesk"
    redis_bus = build_bus(settings(database_url=pg, redis_url="redis://cache:6379/0"))
    pg_bus = build_bus(settings(database_url=pg, redis_url=None))
    local = build_bus(settings(database_url="sqlite+aiosqlite:///./x.db", redis_url=None))
    assert isinstance(redis_bus, RemoteBus) and redis_bus._transport.name == "redis"
    assert isinstance(pg_bus, RemoteBus) and pg_bus._transport.name == "postgresql"
    assert type(local) is LocalBus
    assert libpq_url(pg) == "postgresql://frontdesk:s3cret@db:5432/frontdesk"
    assert libpq_url("postgres://u@h/d") == "postgresql://u@h/d"
    # What asyncpg reads stays; SQLAlchemy's ssl= becomes sslmode=; a dialect-only argument would reach
    # the server as an unknown setting (the listener never connecting): dropped.
    mixed = f"{pg}?ssl=require&sslrootcert=/ca.pem&prepared_statement_cache_size=0&target_session_attrs=any"
    base, _, query = libpq_url(mixed).partition("?")
    assert base == "postgresql://frontdesk:s3cret@db:5432/frontdesk"
    assert parse_qs(query) == {
        "sslmode": ["require"],
        "sslrootcert": ["/ca.pem"],
        "target_session_attrs": ["any"],
    }
