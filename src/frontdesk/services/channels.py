"""A tenant's WhatsApp numbers: add, change, disable and enable, test their connection, and delete them;
a bridge number's zapw session is also linked again (`reconnect`), unlinked (`disconnect`) and followed
as zapw reports it (`session_changed`, from the bridge webhook).

Credentials go in and are never given back; every change is audited (naming the fields, never a value)
and enabling, disabling, a failed test, a deletion and a bridge number's link changing are announced to
staff as `channel.status` events.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from frontdesk.domain import live
from frontdesk.domain.admin import (
    KIND_FIELDS,
    AdminStore,
    AdminTx,
    BridgeError,
    BridgeLink,
    BridgeNotConfiguredError,
    BridgeSessions,
    ChannelChanges,
    ChannelDetails,
    ChannelProbe,
    ChannelTestRecord,
    ConnectionTest,
    LinkState,
    NewBridgeChannel,
    NewChannel,
    Page,
    aws_number_region,
)
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_records import InvalidField
from frontdesk.domain.channel_kinds import ChannelKind, ChannelStatus
from frontdesk.domain.errors import ChannelError, ConflictError, NotFoundError
from frontdesk.domain.events import SessionChange
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.domain.team_versions import TeamStore, has_version, unknown_version
from frontdesk.services.audit import audit
from frontdesk.services.bridge_links import (
    DISCONNECTED_BY_STAFF,
    LINKING,
    ask_bridge,
    change_state,
    changed,
    link_state,
    new_session_id,
    session_gone,
    with_qr,
)

log = logging.getLogger(__name__)
MAX_TEST_ERROR = 500


class ChannelService:
    def __init__(
        self,
        *,
        store: AdminStore,
        probe: ChannelProbe,
        clock: Clock,
        teams: TeamStore,
        bridge: BridgeSessions | None = None,
        on_change: Callable[[], None] | None = None,
    ):
        self._on_change = on_change
        """Told after each committed write (most announce a channel's status to staff): the bus's `live`."""
        self._store = store
        self._probe = probe
        self._clock = clock
        self._teams = teams
        self._bridge = bridge
        """zapw's sessions; None on a server without a bridge (`FRONTDESK_BRIDGE_URL` unset)."""

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AdminTx]:
        """A write transaction; once it commits, every process's live feed is told (not on an error)."""
        async with self._store.transaction() as tx:
            yield tx
        if self._on_change:
            self._on_change()

    async def list(self, *, tenant: Tenant, limit: int, offset: int) -> Page[ChannelDetails]:
        """The tenant's channels, oldest first."""
        async with self._store.read() as tx:
            return await tx.channels(tenant.id, limit=limit, offset=offset)

    async def get(self, *, tenant: Tenant, channel_id: int) -> ChannelDetails:
        """One of the tenant's channels, or `NotFoundError`. A bridge number that is not linked yet is
        read from the bridge too: a fresh QR (zapw makes a new one when the last expired) and its status,
        which is stored when it changed (a webhook may have been lost)."""
        async with self._store.read() as tx:
            channel = await tx.channel(tenant.id, channel_id)
        if channel.kind is not ChannelKind.WA_BRIDGE or channel.status not in LINKING or self._bridge is None:
            return channel
        link = await ask_bridge(self._bridge.session(channel.phone_number_id), "read the session")
        now = self._clock.now()
        state = session_gone(now) if link is None else link_state(link, now)
        if changed(channel, state):
            async with self._write() as wtx:
                stored = await wtx.set_link(channel.id, state, expected=channel.status)
                if stored is None:  # a webhook stored something newer meanwhile: that stands
                    return await wtx.channel(tenant.id, channel_id)
                await _record_link(wtx, channel, stored, now=now)
                channel = stored
        return with_qr(channel, link)

    async def create(self, *, staff: Staff, new: NewChannel | NewBridgeChannel) -> ChannelDetails:
        """Add a number; `ConflictError` when its phone_number_id is registered already (by anyone).

        A bridge number first gets its zapw session (named `fd-<random>`, its key), then is stored as
        `qr_waiting` with the QR to scan; when storing fails the session is ended again, and when zapw
        fails nothing is stored (`BridgeUnavailableError`, `BridgeRefusedError`) and the session it may
        have made all the same is ended."""
        await self._check_team_version(staff.tenant, new.team_version)
        if isinstance(new, NewChannel):
            return await self._add(staff, new)
        session_id = new_session_id()
        link = await self._start_session(session_id)
        values = new.model_dump()
        try:
            channel = await self._add(
                staff,
                NewChannel(kind=ChannelKind.WA_BRIDGE, phone_number_id=session_id, **values),
                status=link.status,
            )
        except BaseException:  # a cancelled request too: the session would be left linking nothing
            await self._end_quietly(session_id)
            raise
        return with_qr(channel, link)

    async def _add(
        self, staff: Staff, new: NewChannel, *, status: ChannelStatus | None = None
    ) -> ChannelDetails:
        now = self._clock.now()
        async with self._write() as tx:
            channel = await tx.add_channel(staff.tenant.id, new, now=now, status=status)
            details = {
                "kind": channel.kind,
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
        async with self._write() as tx:
            before = await tx.channel(staff.tenant.id, channel_id)  # 404 before any 422
            await self._check_team_version(staff.tenant, changes.values().get("team_version"))
            _check_kind_fields(before, changes)
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

    async def _check_team_version(self, tenant: Tenant, version: int | None) -> None:
        """A number answers with one of its own tenant's team versions (0, the team file, to its current
        one): another, or another tenant's, is `InvalidField` (422 on `team_version`). Versions are never
        deleted, so the check holds after the change commits."""
        if version is None:
            return
        current = await self._teams.current_version(tenant.id)
        if not has_version(version, current):
            raise InvalidField(("body", "team_version"), unknown_version(version, current))

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
        async with self._write() as wtx:
            details = await wtx.record_test(
                staff.tenant.id,
                channel_id,
                ChannelTestRecord(at=now, ok=result.ok, error=_error_text(result)),
            )
            if not result.ok:
                await _announce(wtx, details, status="error", now=now, test=result)
        return result

    async def reconnect(self, *, staff: Staff, channel_id: int) -> ChannelDetails:
        """Link a bridge number again: a new zapw session (a new `session_id`, which becomes the channel's
        key) with a QR to scan, then the old session is ended. `ConflictError` while it is connected.

        A new id rather than the old one re-created: events zapw still retries for the old session then
        name a session nobody owns (logged and dropped) instead of being taken for the new link's, and
        the old session need not be gone from zapw before the new one starts."""
        async with self._store.read() as tx:
            channel = await tx.channel(staff.tenant.id, channel_id)  # 404 (another tenant's) first
        _bridge_only(channel, "reconnect")
        self._bridge_or_refuse()
        if channel.status is ChannelStatus.CONNECTED:
            raise ConflictError(
                f"channel {channel_id} is connected: disconnect it first to link another phone"
            )
        session_id = new_session_id()
        link = await self._start_session(session_id)
        now = self._clock.now()
        try:
            async with self._write() as wtx:
                stored = await wtx.relink(
                    channel.id,
                    link_state(link, now),
                    old_session_id=channel.phone_number_id,
                    new_session_id=session_id,
                )
                if stored is None:
                    raise ConflictError(f"channel {channel_id} was reconnected or deleted meanwhile")
                await audit(
                    wtx,
                    staff,
                    "channel.reconnect",
                    target_type="channel",
                    target_id=channel_id,
                    now=now,
                    details={"session_id": session_id},
                )
                await _announce(wtx, stored, status=stored.status or link.status, now=now)
        except BaseException:  # a cancelled request too: the new session would be left linking nothing
            await self._end_quietly(session_id)
            raise
        await self._end_quietly(channel.phone_number_id)
        return with_qr(stored, link)

    async def disconnect(self, *, staff: Staff, channel_id: int) -> ChannelDetails:
        """Unlink a bridge number: its zapw session is ended (the phone is logged out) and the channel
        kept as `disconnected`, to `reconnect` later. Nothing changes when zapw fails."""
        async with self._store.read() as tx:
            channel = await tx.channel(staff.tenant.id, channel_id)  # 404 (another tenant's) first
        _bridge_only(channel, "disconnect")
        bridge = self._bridge_or_refuse()
        await ask_bridge(bridge.end_session(channel.phone_number_id), "end the session")
        now = self._clock.now()
        state = LinkState(status=ChannelStatus.DISCONNECTED, detail=DISCONNECTED_BY_STAFF, at=now)
        async with self._write() as wtx:
            stored = await wtx.set_link(channel.id, state)
            if stored is None:
                raise NotFoundError(f"channel {channel_id} not found")
            await audit(
                wtx, staff, "channel.disconnect", target_type="channel", target_id=channel_id, now=now
            )
            await _announce(wtx, stored, status=ChannelStatus.DISCONNECTED, now=now)
        return stored

    async def delete(self, *, staff: Staff, channel_id: int) -> None:
        """Delete a number that has no conversations (`ConflictError` otherwise: disable it instead, as
        customer history is never deleted this way); a bridge number's session is ended first."""
        async with self._store.read() as tx:
            channel = await tx.channel(staff.tenant.id, channel_id)
            held = await tx.count_conversations(channel.id)
        if held:
            raise _in_use(channel_id, held)
        if channel.kind is ChannelKind.WA_BRIDGE:
            await self._end_session_of(channel)
        now = self._clock.now()
        async with self._write() as wtx:
            held = await wtx.delete_channel(staff.tenant.id, channel_id)
            if held:  # a customer wrote in meanwhile: the number stays, its session is gone
                gone = LinkState(status=ChannelStatus.DISCONNECTED, detail=DISCONNECTED_BY_STAFF, at=now)
                if channel.kind is ChannelKind.WA_BRIDGE and (stored := await wtx.set_link(channel.id, gone)):
                    await _announce(wtx, stored, status=ChannelStatus.DISCONNECTED, now=now)
            else:
                details = {"kind": channel.kind, "phone_number_id": channel.phone_number_id}
                await audit(
                    wtx,
                    staff,
                    "channel.delete",
                    target_type="channel",
                    target_id=channel_id,
                    now=now,
                    details=details,
                )
                await _announce(wtx, channel, status="deleted", now=now)
        if held:
            raise _in_use(channel_id, held)
        log.info("channel deleted", extra={"channel_id": channel_id, "tenant_id": staff.tenant.id})

    async def session_changed(self, change: SessionChange) -> bool:
        """Record what zapw says of a session's link (`session.connected` / `session.disconnected`) on
        its channel and announce it to staff; False when no channel has that session. An event older
        than the stored status (zapw retries, so events arrive out of order) changes nothing."""
        now = self._clock.now()
        state = change_state(change)
        async with self._write() as tx:
            channel = await tx.bridge_channel(change.session_id)
            if channel is None:
                return False
            stored = await tx.set_link(channel.id, state, in_order=True)
            if stored is None:
                log.info("bridge event older than the channel's status", extra={"channel_id": channel.id})
            elif changed(channel, state):
                await _record_link(tx, channel, stored, now=now)
        return True

    def _bridge_or_refuse(self) -> BridgeSessions:
        if self._bridge is None:
            raise BridgeNotConfiguredError(
                "this server has no bridge for wa_bridge numbers: set FRONTDESK_BRIDGE_URL (the zapw "
                "server) and FRONTDESK_BRIDGE_API_KEY, then restart"
            )
        return self._bridge

    async def _start_session(self, session_id: str) -> BridgeLink:
        """A new zapw session `session_id`, or `BridgeNotConfiguredError` / `BridgeError`. On a failure
        the session is ended quietly: zapw may have made it before its answer was lost (a timeout, a
        proxy's 504), and nothing else can own it (its id is new and random), so the DELETE is safe."""
        bridge = self._bridge_or_refuse()
        try:
            return await ask_bridge(bridge.create_session(session_id), "start a session")
        except BridgeError:
            await self._end_quietly(session_id)
            raise

    async def _end_session_of(self, channel: ChannelDetails) -> None:
        """End a bridge number's session before it is deleted; without a bridge there is none to end."""
        if self._bridge is None:
            log.warning("no bridge configured: session not ended", extra={"channel_id": channel.id})
            return
        await ask_bridge(self._bridge.end_session(channel.phone_number_id), "end the session")

    async def _end_quietly(self, session_id: str) -> None:
        """End a session nothing uses (any more); a failure is logged, the caller's outcome stands."""
        if self._bridge is None:
            return
        try:
            await self._bridge.end_session(session_id)
        except ChannelError as exc:
            log.warning("bridge session not ended", extra={"session_id": session_id, "code": exc.code})


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
    bridge = channel.kind is ChannelKind.WA_BRIDGE
    payload: dict[str, Any] = {
        "channel_id": channel.id,
        "kind": channel.kind,
        "phone_number_id": None if bridge else channel.phone_number_id,
        "status": status,
        "enabled": channel.enabled,
    }
    if bridge:
        payload |= {
            "session_id": channel.phone_number_id,
            "phone": channel.display_phone_number,
            "profile_name": channel.profile_name,
            "reason": channel.status_detail,
        }
    if test is not None:
        payload |= {"error_code": test.error_code, "error_message": test.error_message}
    await tx.add_event(tenant_id=channel.tenant_id, type=live.CHANNEL_STATUS, payload=payload, now=now)


async def _record_link(tx: AdminTx, before: ChannelDetails, after: ChannelDetails, *, now: datetime) -> None:
    """Announce a bridge number's new link state to staff; a phone linked or lost is audited too, as done
    by the system (zapw reported it, no one on the staff did it)."""
    status = after.status or ChannelStatus.DISCONNECTED
    await _announce(tx, after, status=status, now=now)
    if status is before.status or status not in (ChannelStatus.CONNECTED, ChannelStatus.DISCONNECTED):
        return
    action = "channel.connect" if status is ChannelStatus.CONNECTED else "channel.disconnect"
    entry = AuditEntry(
        tenant_id=after.tenant_id,
        actor="system",
        action=action,
        at=now,
        target_type="channel",
        target_id=str(after.id),
        details={"session_id": after.phone_number_id},
    )
    await tx.add_audit(entry)


def _check_kind_fields(channel: ChannelDetails, changes: ChannelChanges) -> None:
    """`InvalidField` (422) for a change of a field the channel's kind does not have (`KIND_FIELDS`), or
    an AWS number's ARN in another region than the number's."""
    values = changes.values()
    foreign = sorted(set(values) - KIND_FIELDS[channel.kind])
    if foreign:
        raise InvalidField(("body", foreign[0]), f"a {channel.kind} channel has no {foreign[0]}")
    aws_id = values.get("aws_phone_number_id", channel.aws_phone_number_id) or ""
    region = values.get("region", channel.region)
    named = aws_number_region(aws_id)
    if named is not None and named != region and {"aws_phone_number_id", "region"} & set(values):
        field = "region" if "region" in values else "aws_phone_number_id"
        raise InvalidField(("body", field), f"the ARN in aws_phone_number_id is in {named}, not in {region}")


def _bridge_only(channel: ChannelDetails, action: str) -> None:
    if channel.kind is not ChannelKind.WA_BRIDGE:
        raise ConflictError(f"only a wa_bridge number can {action}; channel {channel.id} is {channel.kind}")


def _in_use(channel_id: int, conversations: int) -> ConflictError:
    return ConflictError(
        f"channel {channel_id} has {conversations} conversation(s), which would be deleted with it: "
        "disable it instead"
    )
