"""Dead letters: turn jobs that kept failing and replies that were not sent, for staff to retry or drop."""

from __future__ import annotations

import logging
from collections.abc import Callable

from frontdesk.domain.admin import AdminStore, DeadLetter, DeadLetterKind, Page
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import audit

log = logging.getLogger(__name__)


class DeadLetterService:
    def __init__(
        self,
        *,
        store: AdminStore,
        clock: Clock,
        wake_workers: Callable[[], None] | None = None,
        wake_dispatcher: Callable[[], None] | None = None,
    ):
        self._store = store
        self._clock = clock
        self._wake = {DeadLetterKind.TURN: wake_workers, DeadLetterKind.SEND: wake_dispatcher}

    async def list(
        self, *, tenant: Tenant, kind: DeadLetterKind | None, limit: int, offset: int
    ) -> Page[DeadLetter]:
        """The tenant's dead letters, most recently failed first."""
        async with self._store.read() as tx:
            return await tx.dead_letters(tenant.id, kind=kind, limit=limit, offset=offset)

    async def retry(self, *, staff: Staff, kind: DeadLetterKind, item_id: int) -> DeadLetter:
        """Queue it again with its attempts reset; `NotFoundError` unless it is one of the tenant's."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            item = await tx.retry_dead_letter(staff.tenant.id, kind, item_id, now=now)
            await audit(tx, staff, "dead_letter.retry", target_type=kind.value, target_id=item_id, now=now)
        wake = self._wake[kind]
        if wake is not None:
            wake()
        log.info("dead letter retried", extra={"kind": kind.value, "id": item_id})
        return item

    async def discard(self, *, staff: Staff, kind: DeadLetterKind, item_id: int) -> DeadLetter:
        """Drop it for good; the audit log keeps what it was."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            item = await tx.discard_dead_letter(staff.tenant.id, kind, item_id)
            details = {
                "conversation_id": item.conversation_id,
                "message_id": item.message_id,
                "error": item.error,
            }
            await audit(
                tx,
                staff,
                "dead_letter.discard",
                target_type=kind.value,
                target_id=item_id,
                now=now,
                details=details,
            )
        return item
