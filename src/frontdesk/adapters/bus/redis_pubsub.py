"""Redis pub/sub as the bus's transport (`FRONTDESK_REDIS_URL`), with redis-py's asyncio client.

One connection listens (its own client: a subscribed connection can do nothing else), checked with a
PING every `HEALTH_CHECK_SECONDS` so a silently dead one is noticed; another publishes, failing fast
(no retries: the bus drops the message and the others poll). Both carry `client_name` (CLIENT LIST
shows who they are).
"""

from __future__ import annotations

from collections.abc import Callable

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

CONNECT_TIMEOUT = 2.0
HEALTH_CHECK_SECONDS = 10
READ_SECONDS = 5.0
"""How long one read waits for a message before the loop comes round (and the health check can run)."""


class RedisTransport:
    name = "redis"

    def __init__(self, url: str, *, client_name: str = "frontdesk-bus"):
        self._url = url
        self.client_name = client_name
        self._publisher: redis.Redis | None = None

    async def listen(
        self, channels: list[str], on_message: Callable[[str, str], None], ready: Callable[[], None]
    ) -> None:
        client = redis.Redis.from_url(
            self._url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            health_check_interval=HEALTH_CHECK_SECONDS,
            client_name=self.client_name,
            retry=Retry(NoBackoff(), 0),  # the bus reconnects, with its own backoff and log line
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(*channels)
            ready()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=READ_SECONDS)
                if message is not None and message["type"] == "message":
                    on_message(_text(message["channel"]), _text(message["data"]))
        finally:
            # The pub/sub holds its own connection, outside the client's pool: closing the client alone
            # would leave it open (and subscribed) until the server or the collector drops it.
            await pubsub.aclose()
            await client.aclose()

    async def send(self, channel: str, data: str) -> None:
        if self._publisher is None:
            self._publisher = redis.Redis.from_url(
                self._url,
                socket_connect_timeout=CONNECT_TIMEOUT,
                socket_timeout=CONNECT_TIMEOUT,
                client_name=self.client_name,
                retry=Retry(NoBackoff(), 0),
            )
        await self._publisher.publish(channel, data)

    async def close(self) -> None:
        if self._publisher is not None:
            await self._publisher.aclose()
            self._publisher = None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
