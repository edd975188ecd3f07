"""PostgreSQL LISTEN/NOTIFY as the bus's transport (a PostgreSQL database and no Redis), with asyncpg.

The listener has a connection of its own, outside the SQLAlchemy pool (a listening connection must stay
open and cannot be handed to others); a `SELECT 1` every `KEEPALIVE_SECONDS` notices a dead one that
never said goodbye. The publisher has another, reconnected when it fails. NOTIFY reaches every
connection listening on the database's channel, whichever server process it came through. Both
connections carry `client_name` as their `application_name` (pg_stat_activity shows who they are).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg

CONNECT_TIMEOUT = 5.0
KEEPALIVE_SECONDS = 15.0


class PostgresTransport:
    name = "postgresql"

    def __init__(self, dsn: str, *, client_name: str = "frontdesk-bus"):
        self._dsn = dsn
        """A libpq URL (`postgresql://user@host/db`), as asyncpg takes it."""
        self.client_name = client_name
        self._publisher: asyncpg.Connection | None = None

    async def listen(
        self, channels: list[str], on_message: Callable[[str, str], None], ready: Callable[[], None]
    ) -> None:
        conn: asyncpg.Connection = await self._connect()
        lost = asyncio.Event()

        def notified(_conn: Any, _pid: int, channel: str, payload: str) -> None:
            on_message(channel, payload)

        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            for channel in channels:
                await conn.add_listener(channel, notified)
            ready()
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
                if not lost.is_set():
                    await conn.fetchval("SELECT 1", timeout=CONNECT_TIMEOUT)
            raise ConnectionError("the LISTEN connection was closed")
        finally:
            conn.terminate()

    async def send(self, channel: str, data: str) -> None:
        if self._publisher is None or self._publisher.is_closed():
            self._publisher = await self._connect()
        try:
            await self._publisher.execute("SELECT pg_notify($1, $2)", channel, data, timeout=CONNECT_TIMEOUT)
        except Exception:
            self._publisher.terminate()
            self._publisher = None
            raise

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self._dsn, timeout=CONNECT_TIMEOUT, server_settings={"application_name": self.client_name}
        )

    async def close(self) -> None:
        if self._publisher is not None:
            self._publisher.terminate()
            self._publisher = None
