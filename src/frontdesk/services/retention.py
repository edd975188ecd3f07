"""The retention job: erases what tenants keep for a limited time, in every process that runs workers.

Several processes may run it at once: each batch erases only rows not erased yet, in one transaction
with its audit entry, so a row is erased (and audited) once whoever gets there first. The files of the
erased messages (received media) are deleted in that transaction, before it commits: if deleting fails
the batch rolls back and is erased next time, so a message never reads as erased while its file stays.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.files import FileStore, media_key
from frontdesk.domain.ports import Clock
from frontdesk.domain.retention import RetentionPolicy, RetentionStore

log = logging.getLogger(__name__)

ACTOR = "system:retention"


class RetentionService:
    """Erases messages older than each tenant's retention period, `batch` messages per transaction
    (a short hold of SQLite's write lock, however much has to go)."""

    def __init__(self, *, store: RetentionStore, files: FileStore, clock: Clock, batch: int = 1000):
        self._store = store
        self._files = files
        self._clock = clock
        self._batch = batch

    async def erase_expired(self) -> int:
        """Erase what every tenant's retention period has run out on; how many messages were erased."""
        erased = 0
        for policy in await self._store.policies():
            erased += await self._erase_tenant(policy, now=self._clock.now())
        if erased:
            log.info("retention: messages erased", extra={"messages": erased})
        return erased

    async def _erase_tenant(self, policy: RetentionPolicy, *, now: datetime) -> int:
        before = now - timedelta(days=policy.days)
        total = 0
        first = True
        while True:
            async with self._store.transaction() as tx:
                erased = await tx.erase_messages(policy.tenant_id, before=before, now=now, limit=self._batch)
                await self._files.delete_many(media_key(policy.tenant_id, m) for m in erased)
                messages = len(erased)
                conversations = callbacks = 0
                if first:
                    conversations = await tx.erase_conversations(policy.tenant_id, before=before)
                    callbacks = await tx.prune_status_events(policy.tenant_id, before=before)
                if messages or conversations or callbacks:
                    counts = (messages, conversations, callbacks)
                    await tx.add_audit(_entry(policy, before=before, now=now, counts=counts))
            total += messages
            first = False
            if messages < self._batch:
                return total

    async def run(self, every: timedelta) -> None:
        """Erase now and then every `every`, until cancelled."""
        while True:
            try:
                await self.erase_expired()
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. the database is briefly unreachable: try again next time
                log.exception("retention: erasing failed")
            await asyncio.sleep(every.total_seconds())


def _entry(
    policy: RetentionPolicy, *, before: datetime, now: datetime, counts: tuple[int, int, int]
) -> AuditEntry:
    return AuditEntry(
        tenant_id=policy.tenant_id,
        actor=ACTOR,
        action="retention.erase",
        at=now,
        target_type="tenant",
        target_id=str(policy.tenant_id),
        details={
            "retention_days": policy.days,
            "before": before.isoformat(),
            "messages": counts[0],
            "conversations": counts[1],
            "status_events": counts[2],
        },
    )
