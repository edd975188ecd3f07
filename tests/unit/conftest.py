"""Service tests: real services on a throwaway SQLite store, with a controlled clock and a fake channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import OutboundMessage
from tests.support.demo_store import demo_store


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)):
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeSender:
    """Records what would be sent; `errors` are raised, in order, by the next sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, OutboundMessage]] = []
        self.errors: list[ChannelError] = []

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((to, message))
        return f"wamid.out.{len(self.sent)}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[SqlStore]:
    """A migrated SQLite store holding the demo business."""
    async with demo_store(f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}", now=clock.now()) as store:
        yield store
