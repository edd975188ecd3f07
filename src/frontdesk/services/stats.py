"""Dashboard statistics for a period of the tenant's local days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.stats import LiveCounts, Stats, StatsReader

DEFAULT_DAYS = 7
MAX_DAYS = 366


class InvalidPeriodError(InvalidInputError):
    """The period asked for is backwards or too long."""

    def __init__(self, message: str, *, field: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class StatsService:
    def __init__(self, *, reader: StatsReader, clock: Clock):
        self._reader = reader
        self._clock = clock

    async def stats(self, *, tenant: Tenant, since: date | None, until: date | None) -> Stats:
        """Figures for local days `since` through `until`, both included (default: the last seven days)."""
        zone = ZoneInfo(tenant.timezone)
        today = self._clock.now().astimezone(zone).date()
        last = until or today
        first = since or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise InvalidPeriodError(f"since ({first}) is after until ({last})", field="since")
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidPeriodError(f"the period is longer than {MAX_DAYS} days", field="until")
        starts = [_midnight(first + timedelta(days=i), zone) for i in range((last - first).days + 1)]
        end = _midnight(last + timedelta(days=1), zone)
        return await self._reader.stats(
            tenant_id=tenant.id, day_starts=starts, until=end, timezone=tenant.timezone
        )

    async def now(self, *, tenant: Tenant) -> LiveCounts:
        """The live counters: open conversations, unread, today's messages (local day), failed jobs."""
        zone = ZoneInfo(tenant.timezone)
        now = self._clock.now()
        return await self._reader.live_counts(
            tenant_id=tenant.id,
            day_start=_midnight(now.astimezone(zone).date(), zone),
            now=now,
            timezone=tenant.timezone,
        )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of `day` in `zone`, as an aware datetime in that zone."""
    return datetime.combine(day, time(0), tzinfo=zone)
