"""A pool of tasks that repeat a step while it finds work and otherwise wait for a wake-up or a poll."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class PollingPool:
    """Runs `step` in `concurrency` tasks. `step` returns True when it did something (so try again now)."""

    def __init__(
        self, *, name: str, step: Callable[[], Awaitable[bool]], concurrency: int, poll_seconds: float
    ):
        self._name = name
        self._step = step
        self._concurrency = concurrency
        self._poll = poll_seconds
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        """New work may be there: stop waiting for the next poll."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        """Started, and none of its tasks has ended (they only end when stopped or on a bug)."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"{self._name}-{i}") for i in range(self._concurrency)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(self) -> None:
        while True:
            try:
                if await self._step():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. the database is briefly unreachable: log, wait, try again
                log.exception("%s: step failed", self._name)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)
