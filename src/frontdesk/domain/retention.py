"""Retention: how long a tenant keeps what its customers wrote, and the port that erases what is older.

A tenant's `retention_days` (None: kept for ever) bounds how long message text and content (media
references included, and the received files themselves), conversation summaries and live events are
kept. Erasing keeps every message row
(ids, timestamps, direction, type, status) so statistics still count it; the audit log is kept whole.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from frontdesk.domain.audit import AuditEntry

MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, kw_only=True)
class RetentionPolicy:
    tenant_id: int
    days: int


class RetentionTx(Protocol):
    async def erase_messages(
        self, tenant_id: int, *, before: datetime, now: datetime, limit: int
    ) -> list[int]:
        """Erase the text and content of up to `limit` of the tenant's messages created before `before`
        and not erased yet (with the outbox payloads and status callbacks that repeat them); their ids.
        A reply whose send is still queued or in flight keeps its text; one left `pending` without such a
        send (a held send staff discarded) is erased like any other."""
        ...

    async def erase_conversations(self, tenant_id: int, *, before: datetime) -> int:
        """Forget the summary and dialogue state of conversations quiet since before `before`, and drop
        the tenant's live events older than that; how many conversations changed."""
        ...

    async def prune_status_events(self, tenant_id: int, *, before: datetime) -> int:
        """Drop the status callbacks received before `before` for the tenant's messages (they carry the
        customer's number and the provider's error text, and keep coming after a message is erased),
        and those matching no message at all; how many."""
        ...

    async def add_audit(self, entry: AuditEntry) -> None: ...


class RetentionStore(Protocol):
    async def policies(self) -> list[RetentionPolicy]:
        """The tenants that keep messages for a limited time."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[RetentionTx]: ...
