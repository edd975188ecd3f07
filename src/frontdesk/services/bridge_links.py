"""A bridge number's link to its phone, as the channel service keeps it: what zapw's answers and events
become on the channel, and zapw's failures as the errors the API maps (`ChannelService` uses these).

Nothing here calls zapw itself: `ask_bridge` wraps a call to the `BridgeSessions` port.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable
from datetime import datetime
from typing import TypeVar

from frontdesk.domain.admin import (
    BridgeLink,
    BridgeRefusedError,
    BridgeUnavailableError,
    ChannelDetails,
    LinkState,
)
from frontdesk.domain.channel_kinds import BRIDGE_SESSION_PREFIX, ChannelStatus
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.events import SessionChange

T = TypeVar("T")

LINKING = frozenset({ChannelStatus.INITIALIZING, ChannelStatus.CONNECTING, ChannelStatus.QR_WAITING})
"""Statuses of a session whose phone is not linked yet: reading the channel asks zapw for a fresh QR."""
DISCONNECTED_BY_STAFF = "disconnected by staff"
SESSION_GONE = "the bridge no longer has this session: reconnect to link the phone again"
MAX_DETAIL = 200
_DIGITS = re.compile(r"\+?(\d{5,31})")


def new_session_id() -> str:
    """A new zapw session id, `fd-` and 24 random hex digits: never one of Meta's numeric ids."""
    return BRIDGE_SESSION_PREFIX + secrets.token_hex(12)


async def ask_bridge(call: Awaitable[T], what: str) -> T:
    """`call`'s answer; zapw's failure as `BridgeUnavailableError` (unreachable, timeout, 5xx: 503) or
    `BridgeRefusedError` (its 4xx: 502), saying what could not be done and zapw's reason."""
    try:
        return await call
    except ChannelError as exc:
        if exc.transient:
            raise BridgeUnavailableError(
                f"the bridge (zapw) is unavailable, could not {what}: {exc}"
            ) from exc
        raise BridgeRefusedError(f"the bridge (zapw) refused to {what}: {exc}") from exc


def display_number(phone_number: str | None) -> str | None:
    """zapw's `phoneNumber` (digits, perhaps a JID like `447700900123:4@s.whatsapp.net`) as `+digits`."""
    found = _DIGITS.match(phone_number or "")
    return f"+{found[1]}" if found else None


def link_state(link: BridgeLink, at: datetime) -> LinkState:
    """What zapw answered about a session, to keep on its channel."""
    return LinkState(
        status=link.status,
        at=at,
        display_phone_number=display_number(link.phone_number),
        profile_name=link.profile_name,
    )


def change_state(change: SessionChange) -> LinkState:
    """What a `session.connected|disconnected` event says, to keep on the channel (a disconnect's reason
    as the status detail)."""
    detail = change.reason[:MAX_DETAIL] if change.reason else None
    return LinkState(
        status=change.status,
        detail=detail if change.status is ChannelStatus.DISCONNECTED else None,
        at=change.timestamp,
        display_phone_number=display_number(change.phone_number),
        profile_name=change.profile_name,
    )


def session_gone(at: datetime) -> LinkState:
    """zapw does not know the session (deleted there, or its data lost): the link is gone."""
    return LinkState(status=ChannelStatus.DISCONNECTED, detail=SESSION_GONE, at=at)


def changed(channel: ChannelDetails, state: LinkState) -> bool:
    """Whether `state` says something the channel does not have yet (a repeated event says nothing)."""
    return (
        state.status is not channel.status
        or state.detail != channel.status_detail
        or state.display_phone_number not in (None, channel.display_phone_number)
        or state.profile_name not in (None, channel.profile_name)
    )


def with_qr(channel: ChannelDetails, link: BridgeLink | None) -> ChannelDetails:
    """The channel with zapw's QR to scan, while the session waits for one (never stored)."""
    if (
        link is None
        or link.status is not ChannelStatus.QR_WAITING
        or channel.status is not ChannelStatus.QR_WAITING
    ):
        return channel
    return channel.model_copy(update={"qr": link.qr, "qr_expires_at": link.qr_expires_at})
