"""Composition of the bus (part of the composition root): which adapter the settings pick, and who
listens to which topic.

Redis pub/sub when `FRONTDESK_REDIS_URL` is set; else PostgreSQL LISTEN/NOTIFY when the database is
PostgreSQL; else (SQLite, one process) the in-process bus. `Frontdesk.open` builds it, publishes through
it where new work is committed, and subscribes its worker pool, outbox dispatcher, live hub and team
cache with `connect_bus`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import make_url

from frontdesk.adapters.bus.local import LocalBus
from frontdesk.adapters.bus.pg_notify import PostgresTransport
from frontdesk.adapters.bus.redis_pubsub import RedisTransport
from frontdesk.adapters.bus.remote import RemoteBus
from frontdesk.adapters.db.engine import normalize_url
from frontdesk.domain.bus import CACHE, JOBS, LIVE, OUTBOX, TEAM_CACHE, Bus
from frontdesk.services.agents.team.per_tenant import TeamResponders
from frontdesk.services.live import LiveHub
from frontdesk.settings import Settings

REDIS_PREFIX = "frontdesk:"
PG_PREFIX = "frontdesk_"


def build_bus(s: Settings) -> Bus:
    """The bus the settings call for (see the module's notes); it is started by `Frontdesk.open`."""
    if s.redis_url is not None:
        return RemoteBus(RedisTransport(s.redis_url.get_secret_value()), channel_prefix=REDIS_PREFIX)
    if not s.is_sqlite:
        return RemoteBus(PostgresTransport(libpq_url(s.database_url)), channel_prefix=PG_PREFIX)
    return LocalBus()


# The DSN query arguments asyncpg reads itself (asyncpg.connect_utils); any other one it would send to
# the server as a setting, which refuses an unknown one, and the listener would never connect.
LIBPQ_ARGUMENTS = frozenset(
    {
        "host",
        "port",
        "user",
        "password",
        "passfile",
        "dbname",
        "database",
        "service",
        "sslmode",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslcrl",
        "sslpassword",
        "sslnegotiation",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "target_session_attrs",
        "krbsrvname",
        "gsslib",
    }
)


def libpq_url(database_url: str) -> str:
    """`postgresql+asyncpg://…` (SQLAlchemy's form) as the plain `postgresql://…` asyncpg connects to:
    SQLAlchemy's `ssl=` becomes `sslmode=`, and arguments only SQLAlchemy's dialect takes (e.g.
    `prepared_statement_cache_size`) are dropped."""
    url = make_url(normalize_url(database_url)).set(drivername="postgresql")
    query = dict(url.query)
    if "ssl" in query and "sslmode" not in query:
        query["sslmode"] = query["ssl"]
    kept = {name: value for name, value in query.items() if name in LIBPQ_ARGUMENTS}
    return url.set(query=kept).render_as_string(hide_password=False)


def publisher(bus: Bus, topic: str) -> Callable[[], None]:
    """A callback for a service's `on_…` hook: publish `topic` (after its transaction committed)."""
    return lambda: bus.publish(topic)


def connect_bus(
    bus: Bus,
    *,
    wake_workers: Callable[[], None],
    wake_dispatcher: Callable[[], None],
    live: LiveHub,
    responders: TeamResponders,
) -> None:
    """Subscribe this process's readers. The live hub also wakes on `jobs` and `outbox`: a received
    message and a queued reply write their live events in the same transaction as the job or reply."""
    bus.subscribe(JOBS, lambda _payload: wake_workers())
    bus.subscribe(OUTBOX, lambda _payload: wake_dispatcher())
    for topic in (LIVE, JOBS, OUTBOX):
        bus.subscribe(topic, lambda _payload: live.wake())

    def drop_cached(payload: str) -> None:
        if payload.startswith(TEAM_CACHE) and payload.removeprefix(TEAM_CACHE).isdigit():
            responders.invalidate(int(payload.removeprefix(TEAM_CACHE)))

    bus.subscribe(CACHE, drop_cached)


def team_saved(bus: Bus) -> Callable[[int], None]:
    """The team service's `on_saved` hook: every process drops the tenant's current team."""
    return lambda tenant_id: bus.publish(CACHE, f"{TEAM_CACHE}{tenant_id}")
