"""What zapw's answers and events become on a bridge number (services.bridge_links): the phone's number as
staff read it, a disconnect's reason kept, a repeated event seen as saying nothing, the QR shown only
while waiting, and zapw's failures as the errors the API answers 502 and 503 for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from frontdesk.domain.admin import (
    BridgeLink,
    BridgeRefusedError,
    BridgeUnavailableError,
    ChannelDetails,
    LinkState,
)
from frontdesk.domain.channel_kinds import BRIDGE_SESSION_PREFIX, ChannelKind, ChannelStatus
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.events import SessionChange
from frontdesk.services.bridge_links import (
    MAX_DETAIL,
    ask_bridge,
    change_state,
    changed,
    display_number,
    new_session_id,
    with_qr,
)

AT = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def channel(**fields: object) -> ChannelDetails:
    values: dict[str, object] = {
        "id": 1,
        "tenant_id": 1,
        "kind": ChannelKind.WA_BRIDGE,
        "phone_number_id": "fd-0123456789abcdef01234567",
        "enabled": True,
        "access_token_set": False,
        "created_at": AT,
        "status": ChannelStatus.CONNECTED,
        "status_at": AT,
        "display_phone_number": "+447700900123",
        "profile_name": "Shop phone",
    }
    return ChannelDetails.model_validate(values | fields)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("447700900123", "+447700900123"),
        ("447700900123:12@s.whatsapp.net", "+447700900123"),
        ("447700900123@s.whatsapp.net", "+447700900123"),
        ("", None),
        (None, None),
        ("1234", None),  # too short to be a number
        ("+447700900123", "+447700900123"),
        ("phone", None),
    ],
)
def test_zapw_phone_number_as_staff_read_it(raw: str | None, shown: str | None) -> None:
    assert display_number(raw) == shown


def test_session_ids_are_ours_and_never_a_meta_id() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith(BRIDGE_SESSION_PREFIX) and len(i) == 27 and not i.isdigit() for i in ids)


def test_a_disconnect_keeps_its_reason_a_connect_its_phone() -> None:
    lost = change_state(
        SessionChange(session_id="fd-x", status=ChannelStatus.DISCONNECTED, reason="x" * 500, timestamp=AT)
    )
    assert (lost.status, lost.detail, lost.at) == (ChannelStatus.DISCONNECTED, "x" * MAX_DETAIL, AT)
    linked = change_state(
        SessionChange(
            session_id="fd-x",
            status=ChannelStatus.CONNECTED,
            phone_number="447700900123",
            profile_name="Shop phone",
            reason="ignored",
            timestamp=AT,
        )
    )
    assert (linked.detail, linked.display_phone_number, linked.profile_name) == (
        None,
        "+447700900123",
        "Shop phone",
    )


def test_a_repeated_event_says_nothing_new() -> None:
    same = LinkState(status=ChannelStatus.CONNECTED, at=AT, display_phone_number="+447700900123")
    assert not changed(channel(), same)
    assert not changed(channel(), LinkState(status=ChannelStatus.CONNECTED, at=AT))  # nothing to add
    assert changed(channel(), LinkState(status=ChannelStatus.DISCONNECTED, at=AT))
    assert changed(channel(), same.model_copy(update={"display_phone_number": "+447700900999"}))
    assert changed(channel(), same.model_copy(update={"profile_name": "New name"}))


def test_the_qr_is_shown_only_while_both_wait_for_a_scan() -> None:
    waiting = BridgeLink(status=ChannelStatus.QR_WAITING, qr="2@abc", qr_expires_at=AT)
    shown = with_qr(channel(status=ChannelStatus.QR_WAITING), waiting)
    assert (shown.qr, shown.qr_expires_at) == ("2@abc", AT)
    assert with_qr(channel(), waiting).qr is None  # a webhook stored `connected` meanwhile
    assert with_qr(channel(status=ChannelStatus.QR_WAITING), None).qr is None
    connected = BridgeLink(status=ChannelStatus.CONNECTED, qr="2@stale")
    assert with_qr(channel(status=ChannelStatus.QR_WAITING), connected).qr is None


@pytest.mark.parametrize(
    ("transient", "error"), [(True, BridgeUnavailableError), (False, BridgeRefusedError)]
)
def test_zapw_failures_say_what_could_not_be_done(transient: bool, error: type[Exception]) -> None:
    async def failing() -> None:
        raise ChannelError("Invalid API key", code="401", transient=transient)

    with pytest.raises(error) as raised:
        asyncio.run(ask_bridge(failing(), "start a session"))
    assert "start a session" in str(raised.value) and "Invalid API key" in str(raised.value)
