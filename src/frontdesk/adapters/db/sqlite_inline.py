"""An aiosqlite-shaped SQLite driver that runs `sqlite3` on the event loop instead of in a thread.

aiosqlite sends every call (cursor, execute, fetch, close, commit) to its own thread and back — about four
thread hops per statement, which cost far more CPU than Frontdesk's statements themselves. Writes here are
short (well under a millisecond in WAL mode) and `SqlStore` already runs them one at a time behind an
asyncio lock, so running them inline is cheaper and loses no concurrency. SQLAlchemy's aiosqlite dialect
wraps this class as it wraps aiosqlite (`create_async_engine(..., async_creator=...)`, see `engine`).

Three waits must still not block the event loop:
- the WAL checkpoint, which copies the WAL into the database file with fsyncs. SQLite runs it inside
  the commit that crosses 1,000 WAL pages; here that automatic checkpoint is off and a `Checkpointer`
  runs a PASSIVE one (it never blocks readers or writers) in a worker thread every 100 commits. A commit
  itself only appends to the WAL (`synchronous=NORMAL`): it stays inline;
- the write lock held by another *process* (a CLI command, a second server on the same file):
  `BEGIN IMMEDIATE` is tried without waiting and retried after `asyncio.sleep`s, up to the busy timeout;
- long reads (a knowledge search, an admin listing): read-only transactions set `offload`, and their
  statements run in a worker thread, as aiosqlite would run them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

log = logging.getLogger(__name__)

BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
CHECKPOINT_EVERY = 100
"""Commits between two WAL checkpoints (an ingest commit adds a handful of pages to the WAL)."""


class InlineCursor:
    """The awaitable cursor SQLAlchemy's adapter expects, over a `sqlite3.Cursor`."""

    __slots__ = ("_cursor", "_owner")

    def __init__(self, owner: InlineSqlite):
        self._owner = owner
        self._cursor = owner.sqlite.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        if sql == BEGIN_IMMEDIATE and not self._owner.offload:
            await self._owner.begin_immediate()
        else:
            await self._owner.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> InlineCursor:
        await self._owner.run(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return await self._owner.run(self._cursor.fetchone)

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        rows: list[Any] = await self._owner.run(self._cursor.fetchmany, size or self._cursor.arraysize)
        return rows

    async def fetchall(self) -> list[Any]:
        rows: list[Any] = await self._owner.run(self._cursor.fetchall)
        return rows

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's request queue, which SQLAlchemy's adapter uses directly to set
    `isolation_level`: the request runs at once."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineSqlite:
    """The aiosqlite `Connection` interface SQLAlchemy uses, over one `sqlite3.Connection`."""

    _tx = _RunNow()

    def __init__(
        self, connection: sqlite3.Connection, *, busy_timeout: float, checkpointer: Checkpointer | None
    ):
        self.sqlite = connection
        self.busy_timeout = busy_timeout
        self._checkpointer = checkpointer
        self._open = True
        # True while a read-only transaction runs: its statements go to a worker thread.
        self.offload = False

    # SQLAlchemy's adapter reaches for these two aiosqlite internals by name.
    @property
    def _conn(self) -> sqlite3.Connection:
        return self.sqlite

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self.sqlite if self._open else None

    @property
    def isolation_level(self) -> str | None:
        return self.sqlite.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.sqlite.isolation_level = cast(Any, value)  # SQLAlchemy also sets "" (deferred BEGIN)

    @property
    def in_transaction(self) -> bool:
        return self.sqlite.in_transaction

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """Call into sqlite3 inline, or in a worker thread during a read-only transaction."""
        if self.offload:
            return await asyncio.to_thread(function, *args)
        return function(*args)

    async def begin_immediate(self) -> None:
        """Take the write lock without blocking the event loop while another process holds it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.busy_timeout
        delay = 0.001
        self.sqlite.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.sqlite.execute(BEGIN_IMMEDIATE)
                    return
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or loop.time() >= deadline:
                        raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.05)
        finally:
            self.sqlite.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    async def commit(self) -> None:
        await self.run(self.sqlite.commit)
        if self._checkpointer is not None:
            self._checkpointer.committed()

    async def rollback(self) -> None:
        await self.run(self.sqlite.rollback)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (also SQLAlchemy's forced terminate)."""
        self._open = False
        self.sqlite.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.sqlite.create_function(*args, **kwargs)


def connector(database: str, *, busy_timeout: float = 30.0, uri: bool = False) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`: opens `database` with the inline driver."""

    in_memory = database == ":memory:" or "mode=memory" in database
    checkpointer = None if in_memory else Checkpointer(database, uri=uri)

    async def connect() -> InlineSqlite:
        connection = sqlite3.connect(
            database, timeout=busy_timeout, isolation_level=None, check_same_thread=False, uri=uri
        )
        if checkpointer is not None:
            connection.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer does it off the loop
        return InlineSqlite(connection, busy_timeout=busy_timeout, checkpointer=checkpointer)

    return connect


class Checkpointer:
    """Checkpoints one database's WAL in a worker thread, every `CHECKPOINT_EVERY` commits."""

    def __init__(self, database: str, *, uri: bool):
        self._database = database
        self._uri = uri
        self._commits = 0
        self._running = False

    def committed(self) -> None:
        """Count a commit; start a checkpoint when enough have accumulated and none is running."""
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY or self._running:
            return
        self._commits = 0
        self._running = True
        asyncio.get_running_loop().run_in_executor(None, self._checkpoint).add_done_callback(self._done)

    def _checkpoint(self) -> None:
        connection = sqlite3.connect(self._database, uri=self._uri, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()

    def _done(self, future: asyncio.Future[None]) -> None:
        self._running = False
        if not future.cancelled() and future.exception() is not None:
            log.warning("WAL checkpoint failed", exc_info=future.exception())
