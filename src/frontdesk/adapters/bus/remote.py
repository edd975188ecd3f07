"""`RemoteBus`: the bus across processes, over a server's transport (Redis pub/sub, PostgreSQL NOTIFY).

A message is delivered here at once (as `LocalBus` does) and queued for the server; a background task
sends the queue, another listens. The server's copy of our own message comes back to us and is
skipped (each message carries its process's origin id), so a subscriber sees each message once.

Nothing here may fail a request or a turn: `publish` only queues (a full queue drops the message:
same-topic messages already waiting say the same); a failed send is dropped with one warning per
outage; a lost listener is reconnected with a doubling backoff. Meanwhile every reader's poll (the
safety net) picks up what the lost messages would have hinted at.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from frontdesk.adapters.bus.local import LocalBus
from frontdesk.domain.bus import TOPICS

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
SEND_TIMEOUT = 5.0
FLUSH_SECONDS = 1.0
"""How long `close` lets queued messages go out (a CLI command that saved a team, then exits)."""


class Transport(Protocol):
    """A server's publish/subscribe, by channel name (the caller maps topics to channels)."""

    name: str
    """The server's kind (`redis`, `postgresql`), for log lines."""
    client_name: str
    """How this process's connections name themselves to the server."""

    async def listen(
        self, channels: list[str], on_message: Callable[[str, str], None], ready: Callable[[], None]
    ) -> None:
        """Connect, subscribe to `channels`, call `ready()`, then `on_message(channel, data)` for each
        message until the connection fails (raise) or the task is cancelled."""
        ...

    async def send(self, channel: str, data: str) -> None:
        """Publish `data` on `channel` (connecting first when needed); raise when the server fails."""
        ...

    async def close(self) -> None: ...


class RemoteBus(LocalBus):
    """Local delivery now, remote delivery through `transport`, reconnecting; see the module's notes."""

    def __init__(
        self,
        transport: Transport,
        *,
        channel_prefix: str,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ):
        super().__init__()
        self._transport = transport
        self._channels = {f"{channel_prefix}{topic}": topic for topic in TOPICS}
        self._prefix = channel_prefix
        self._backoff = (backoff_base, backoff_cap)
        self.origin = uuid.uuid4().hex[:12]
        """This process's id on the wire: its own messages coming back are skipped."""
        self._outgoing: asyncio.Queue[tuple[str, str]] = asyncio.Queue(QUEUE_SIZE)
        self._waiting: set[tuple[str, str]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._connected = False
        self._listen_failing = False
        self._send_failing = False

    @property
    def connected(self) -> bool:
        return self._connected

    def publish(self, topic: str, payload: str = "") -> None:
        self.deliver(topic, payload)
        message = (topic, payload)
        if message in self._waiting:  # the same hint already waits to go out: one is enough
            return
        try:
            self._outgoing.put_nowait(message)
        except asyncio.QueueFull:  # the server is slow or gone: the others' polls cover it
            return
        self._waiting.add(message)

    async def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._listen(), name=f"bus-{self._transport.name}-listen"),
                asyncio.create_task(self._send(), name=f"bus-{self._transport.name}-send"),
            ]

    async def close(self) -> None:
        if self._tasks and not self._send_failing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outgoing.join(), FLUSH_SECONDS)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._connected = False
        await self._transport.close()

    # -- receiving

    def _received(self, channel: str, data: str) -> None:
        topic = self._channels.get(channel)
        origin, _, payload = data.partition(" ")
        if topic is None or origin == self.origin:  # ours: delivered here when it was published
            return
        self.deliver(topic, payload)

    def _ready(self) -> None:
        self._connected = True
        if self._listen_failing:
            log.info("bus: listening on %s again", self._transport.name)
            self._listen_failing = False
        else:
            log.info("bus: listening on %s", self._transport.name)

    async def _listen(self) -> None:
        base, cap = self._backoff
        delay = base
        while True:
            try:
                await self._transport.listen(list(self._channels), self._received, self._ready)
                raise ConnectionError("the connection ended")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._connected:
                    delay = base  # it had worked: start the backoff over
                self._connected = False
                # One warning per outage; each retry after it is a debug line (docs/scale-out.md).
                log.log(
                    logging.DEBUG if self._listen_failing else logging.WARNING,
                    "bus: %s unreachable (%s: %s); polling covers until it reconnects (in %.1f s)",
                    self._transport.name,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                self._listen_failing = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, cap)

    # -- sending

    async def _send(self) -> None:
        while True:
            topic, payload = await self._outgoing.get()
            self._waiting.discard((topic, payload))
            try:
                await self._send_one(topic, payload)
            finally:
                self._outgoing.task_done()

    async def _send_one(self, topic: str, payload: str) -> None:
        try:
            await asyncio.wait_for(
                self._transport.send(f"{self._prefix}{topic}", f"{self.origin} {payload}"), SEND_TIMEOUT
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not self._send_failing:  # once per outage, not once per message
                log.warning(
                    "bus: cannot publish on %s (%s: %s); other processes will see it at their next poll",
                    self._transport.name,
                    type(exc).__name__,
                    exc,
                )
            self._send_failing = True
            return
        if self._send_failing:
            log.info("bus: publishing on %s again", self._transport.name)
            self._send_failing = False
