"""A tenant's WhatsApp numbers: add, change, disable and enable them, and test their connection.

Credentials go in and are never given back; every change is audited (naming the fields, never a value)
and enabling, disabling or a failed test is announced to staff as a `channel.status` event.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from frontdesk.domain import live
from frontdesk.domain.admin import (
    AdminStore,
    AdminTx,
    ChannelChanges,
    ChannelDetails,
    ChannelProbe,
    ChannelTestRecord,
    ConnectionTest,
    NewChannel,
    Page,
)
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.services.audit import audit

log = logging.getLogger(__name__)
MAX_TEST_ERROR = 500


class ChannelService:
    def __init__(self, *, store: AdminStore, probe: ChannelProbe, clock: Clock):
        self._store = store
        self._probe = probe
        self._clock = clock

    async def list(self, *, tenant: Tenant, limit: int, offset: int) -> Page[ChannelDetails]:
        """The tenant's channels, oldest first."""
        async with self._store.read() as tx:
            return await tx.channels(tenant.id, limit=limit, offset=offset)

    async def get(self, *, tenant: Tenant, channel_id: int) -> ChannelDetails:
        """One of the tenant's channels, or `NotFoundError`."""
        async with self._store.read() as tx:
            return await tx.channel(tenant.id, channel_id)

    async def create(self, *, staff: Staff, new: NewChannel) -> ChannelDetails:
        """Add a number; `ConflictError` when its phone_number_id is registered already (by anyone)."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            channel = await tx.add_channel(staff.tenant.id, new, now=now)
            details = {
                "phone_number_id": channel.phone_number_id,
                "access_token_set": channel.access_token_set,
            }
            await audit(
                tx,
                staff,
                "channel.create",
                target_type="channel",
                target_id=channel.id,
                now=now,
                details=details,
            )
        log.info("channel added", extra={"channel_id": channel.id, "tenant_id": staff.tenant.id})
        return channel

    async def update(self, *, staff: Staff, channel_id: int, changes: ChannelChanges) -> ChannelDetails:
        """Change the fields set in `changes`; enabling or disabling is announced to staff."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            before = await tx.channel(staff.tenant.id, channel_id)
            after = await tx.update_channel(staff.tenant.id, channel_id, changes)
            fields = sorted(changes.values())
            if fields:
                await audit(
                    tx,
                    staff,
                    "channel.update",
                    target_type="channel",
                    target_id=channel_id,
                    now=now,
                    details={"fields": fields},
                )
            if before.enabled != after.enabled:
                status = "enabled" if after.enabled else "disabled"
                await _announce(tx, after, status=status, now=now)
        return after

    async def set_enabled(self, *, staff: Staff, channel_id: int, enabled: bool) -> ChannelDetails:
        """Enable or disable a number (a disabled number's webhooks are ignored, nothing is sent)."""
        return await self.update(staff=staff, channel_id=channel_id, changes=ChannelChanges(enabled=enabled))

    async def test(self, *, staff: Staff, channel_id: int) -> ConnectionTest:
        """Ask the provider about the number with its credential; the outcome is kept on the channel
        (so the page shows it later) and a failure is announced to staff."""
        async with self._store.read() as tx:
            channel = await tx.channel_record(staff.tenant.id, channel_id)
        try:
            phone = await self._probe.phone_number(channel=channel)
        except ChannelError as exc:
            result = ConnectionTest(ok=False, error_code=exc.code, error_message=exc.message)
            log.info("channel test failed", extra={"channel_id": channel_id, "code": exc.code})
        else:
            result = ConnectionTest(ok=True, phone=phone)
        now = self._clock.now()
        async with self._store.transaction() as wtx:
            details = await wtx.record_test(
                staff.tenant.id,
                channel_id,
                ChannelTestRecord(at=now, ok=result.ok, error=_error_text(result)),
            )
            if not result.ok:
                await _announce(wtx, details, status="error", now=now, test=result)
        return result


def _error_text(test: ConnectionTest) -> str | None:
    """The provider's error as one line for the channel list, e.g. `(#190) Invalid OAuth access token`
    (Graph's messages already name their code; others get it in front)."""
    if test.ok:
        return None
    message = test.error_message or "connection failed"
    if test.error_code and test.error_code not in message:
        message = f"({test.error_code}) {message}"
    return message[:MAX_TEST_ERROR]


async def _announce(
    tx: AdminTx, channel: ChannelDetails, *, status: str, now: datetime, test: ConnectionTest | None = None
) -> None:
    payload: dict[str, Any] = {
        "channel_id": channel.id,
        "phone_number_id": channel.phone_number_id,
        "status": status,
        "enabled": channel.enabled,
    }
    if test is not None:
        payload |= {"error_code": test.error_code, "error_message": test.error_message}
    await tx.add_event(tenant_id=channel.tenant_id, type=live.CHANNEL_STATUS, payload=payload, now=now)
