"""Engine creation, with the SQLite settings that make it a sound single-node database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from frontdesk.adapters.db.sqlite_inline import InlineSqlite, connector

BUSY_TIMEOUT = 30.0
"""Seconds a SQLite write waits for another process's write lock before failing."""

READ_ONLY = "frontdesk_read_only"
"""Execution option for connections that only read. On SQLite they begin a deferred transaction: in WAL
mode it reads a snapshot without waiting for (or blocking) writers."""
SHORT_READ = "frontdesk_short_read"
"""With `READ_ONLY`: the transaction only makes a few indexed lookups, so on SQLite its statements run
on the event loop (a worker-thread hop per statement would cost more than the lookups)."""


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine for `url` (sqlite+aiosqlite or postgresql+asyncpg).

    `hide_parameters`: a statement's bound values (phone numbers, message text, tokens) never appear in
    the text of a database error, so they never reach a log line or an error report.
    """
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, echo=echo)
    # No pre-ping: it costs a round trip per checkout on the webhook path; a connection the server
    # dropped fails one request (Meta redelivers) and is replaced. Recycling bounds their age instead.
    return create_async_engine(
        url, echo=echo, hide_parameters=True, pool_size=20, max_overflow=10, pool_recycle=1800
    )


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `postgresql://`, `sqlite:///`) and pick async drivers."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    return url


def _sqlite_engine(url: str, *, echo: bool) -> AsyncEngine:
    """SQLAlchemy's aiosqlite dialect over the inline driver (`sqlite_inline`): no thread per statement."""
    parsed = make_url(url)
    args, kwargs = parsed.get_dialect()().create_connect_args(parsed)
    connect = connector(
        args[0], busy_timeout=float(kwargs.get("timeout", BUSY_TIMEOUT)), uri=bool(kwargs.get("uri"))
    )
    engine = create_async_engine(parsed, echo=echo, hide_parameters=True, async_creator=connect)
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver opens connections with isolation_level=None, so SQLAlchemy's "begin" event issues
        # BEGIN itself (pysqlite's implicit BEGIN is deferred).
        cursor = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that reads and then writes
        # fails with SQLITE_BUSY at once when another writer got in between, whatever busy_timeout says.
        # Connections marked READ_ONLY never write, so they read a snapshot instead of queueing for it.
        # Read-only transactions may be long (a search): their statements run off the event loop,
        # unless they are marked as a few short lookups.
        options = conn.get_execution_options()
        read_only = options.get(READ_ONLY, False)
        driver = conn.connection.driver_connection
        if isinstance(driver, InlineSqlite):
            driver.offload = read_only and not options.get(SHORT_READ, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
