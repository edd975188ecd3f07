"""Long-lived connections (the live feed's WebSockets) end when the right to them ends.

A REST request is checked against its session every time; a socket is checked once, at its handshake,
and then streams for hours. So every open socket is *watched*, and its watch ends (the socket then
closes with 1008) when:

- its session is no longer live: logged out, revoked (a replayed refresh token, a password change),
  expired, or the member disabled, in this process or any other. Every `check_every` seconds one
  query checks the sessions of all of this process's sockets at once; `recheck()` runs it at once after
  this process ended or changed sessions, so a logout here closes its sockets before it is answered.
- the member's role is now lower than when the socket opened: it was let in with the old role's
  rights, so it must come back and be let in again (the web app reconnects on its own).
- the access token it opened with expires: a timer, to the second, with no query.

A session ended by another process is therefore noticed within `check_every` seconds (a setting).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import AccountStore, Role, Staff

log = logging.getLogger(__name__)

SESSION_ENDED = "session ended: sign in again"
ROLE_LOWERED = "your role changed: reconnect"
TOKEN_EXPIRED = "access token expired: refresh it and reconnect"


@dataclass(eq=False)
class Watch:
    """One watched connection: `ended` is set, with a `reason`, once it must close."""

    session_id: str
    role: Role
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""
    timer: asyncio.TimerHandle | None = None

    def end(self, reason: str) -> None:
        if not self.ended.is_set():
            self.reason = reason
            self.ended.set()


class SessionWatch:
    """The watches of this process, checked together by one task while any connection is open."""

    def __init__(self, *, accounts: AccountStore, clock: Clock, check_every: float):
        self._accounts = accounts
        self._clock = clock
        self._every = check_every
        self._watches: set[Watch] = set()
        self._task: asyncio.Task[None] | None = None
        self._checking = asyncio.Lock()

    def watch(self, staff: Staff, *, expires_at: datetime) -> Watch:
        """Start watching a connection of `staff`'s session, opened with a token valid until `expires_at`."""
        assert staff.session_id is not None, "only a signed-in session can hold a connection"
        watch = Watch(session_id=staff.session_id, role=staff.role)
        left = (expires_at - self._clock.now()).total_seconds()
        watch.timer = asyncio.get_running_loop().call_later(max(left, 0.0), watch.end, TOKEN_EXPIRED)
        self._watches.add(watch)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="session-watch")
        return watch

    def unwatch(self, watch: Watch) -> None:
        if watch.timer is not None:
            watch.timer.cancel()
        self._watches.discard(watch)

    async def recheck(self) -> None:
        """Check every watched session now. Never raises: the periodic check tries again."""
        if not self._watches:
            return
        try:
            async with self._checking:
                await self._check()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database is briefly unreachable: the sockets stay until the next check
            log.exception("session watch: check failed")

    async def _check(self) -> None:
        watches = list(self._watches)
        live = await self._accounts.live_roles({w.session_id for w in watches}, now=self._clock.now())
        for watch in watches:
            role = live.get(watch.session_id)
            if role is None:
                watch.end(SESSION_ENDED)
            elif role.rank < watch.role.rank:
                watch.end(ROLE_LOWERED)

    async def _run(self) -> None:
        while self._watches:
            await asyncio.sleep(self._every)
            await self.recheck()
        self._task = None

    async def close(self) -> None:
        task, self._task = self._task, None
        for watch in list(self._watches):
            self.unwatch(watch)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
