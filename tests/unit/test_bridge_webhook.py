"""The bridge's webhook parser and token check: zapw's envelopes as domain events, odd ones refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from frontdesk.adapters.channels.wa_bridge.webhook import check_token, parse_event
from frontdesk.domain.channel_kinds import ChannelStatus
from frontdesk.domain.errors import InvalidInputError, SignatureError
from frontdesk.domain.events import InboundMessage, SessionChange, StatusUpdate, UnknownChange
from frontdesk.domain.models import MessageStatus

SESSION = "fd-k3y"
MS = 1681300000000
AT = datetime.fromtimestamp(MS / 1000, UTC)


def envelope(event_type: str, data: Any, **extra: Any) -> dict[str, Any]:
    return {
        "sessionId": SESSION,
        "origin": "5511999990000",
        "eventType": event_type,
        "timestamp": MS,
        "data": data,
    } | extra


def received(**data: Any) -> InboundMessage:
    body = {"from": "5511988887777", "to": "5511999990000", "messageId": "3EB0A1", "type": "text"}
    event = parse_event(envelope("message.received", body | data), strict=True)
    assert isinstance(event, InboundMessage)
    return event


def test_a_text_message() -> None:
    event = received(text="hello", timestamp=MS, pushName="Ana")
    assert event.channel_key == SESSION
    assert event.message_id == f"{SESSION}:3EB0A1"  # namespaced: two sessions may see one message
    assert event.sender == "5511988887777"
    assert event.sender_name == "Ana"
    assert (event.type, event.text, event.timestamp, event.group) == ("text", "hello", AT, False)
    assert event.raw["messageId"] == "3EB0A1"


@pytest.mark.parametrize(
    "sender",
    ["5511988887777@s.whatsapp.net", "5511988887777:12@s.whatsapp.net", "+55 11 98888-7777", 5511988887777],
)
def test_from_is_read_as_digits(sender: Any) -> None:
    assert received(**{"from": sender}, text="x").sender == "5511988887777"


def test_a_hidden_number_stays_a_jid_to_reply_to() -> None:
    assert received(**{"from": "123456789012345@lid"}, text="x").sender == "123456789012345@lid"


@pytest.mark.parametrize("kind", ["image", "video", "document", "audio", "sticker"])
def test_media_keeps_zapws_media_path(kind: str) -> None:
    path = f"/sessions/{SESSION}/media/3EB0A1"
    event = received(type=kind, caption="look", fileName="a.pdf", mediaUrl=path, mimetype="image/png")
    assert event.type == kind
    assert event.media is not None
    assert (event.media.link, event.media.caption, event.media.filename) == (path, "look", "a.pdf")
    assert event.media.mime_type == "image/png"
    assert event.text == "look"


def test_media_without_a_url_gets_zapws_path() -> None:
    event = received(type="audio", duration=15)
    assert event.media is not None and event.media.link == f"/sessions/{SESSION}/media/3EB0A1"
    assert event.text is None


def test_a_location() -> None:
    event = received(type="location", latitude=-23.55, longitude="-46.63", name="Sé", address="Praça da Sé")
    assert event.location is not None
    assert (event.location.latitude, event.location.longitude) == (-23.55, -46.63)
    assert event.text == "Sé, Praça da Sé"


def test_a_location_without_coordinates_keeps_its_words() -> None:
    event = received(type="location", latitude="north", name="Sé")
    assert event.location is None


@pytest.mark.parametrize(
    "contact",
    [
        {"name": "Bob", "phone": "+44 7700 900123"},
        [
            {
                "displayName": "Bob",
                "vcard": "BEGIN:VCARD\nTEL;type=CELL;waid=447700900123:+44 7700 900123\nEND:VCARD",
            }
        ],
    ],
)
def test_a_shared_contact_is_stored_as_the_cloud_apis_contacts(contact: Any) -> None:
    event = received(type="contact", contact=contact)
    assert event.type == "contacts"
    assert [c.name for c in event.contacts] == ["Bob"]
    assert event.contacts[0].phones == ("+44 7700 900123",)
    assert event.text == "Bob"


def test_an_unknown_type_is_kept_with_its_words() -> None:
    event = received(type="poll", text="Lunch?")
    assert (event.type, event.text) == ("poll", "Lunch?")


def test_a_group_message_belongs_to_the_group() -> None:
    event = received(text="hi all", isGroup=True, groupId="120363025246125486@g.us")
    assert event.group is True
    assert event.sender == "120363025246125486@g.us"  # the conversation is the group's; replies go there
    assert event.sender_name is None
    assert event.raw["from"] == "5511988887777"


def test_statuses_map_forward_and_are_namespaced() -> None:
    for name, status in [
        ("message.sent", MessageStatus.SENT),
        ("message.delivered", MessageStatus.DELIVERED),
        ("message.read", MessageStatus.READ),
    ]:
        event = parse_event(envelope(name, {"messageId": "3EB0OUT", "to": "5511988887777@s.whatsapp.net"}))
        assert isinstance(event, StatusUpdate)
        assert (event.message_id, event.status, event.recipient) == (
            f"{SESSION}:3EB0OUT",
            status,
            "5511988887777",
        )
        assert event.timestamp == AT


def test_session_changes() -> None:
    connected = parse_event(envelope("session.connected", {"phoneNumber": "5511999990000", "name": "Shop"}))
    assert isinstance(connected, SessionChange)
    assert (connected.session_id, connected.status) == (SESSION, ChannelStatus.CONNECTED)
    assert (connected.phone_number, connected.profile_name, connected.timestamp) == (
        "5511999990000",
        "Shop",
        AT,
    )
    gone = parse_event(envelope("session.disconnected", {"reason": "connection_lost", "lastSeen": MS}))
    assert isinstance(gone, SessionChange)
    assert (gone.status, gone.reason) == (ChannelStatus.DISCONNECTED, "connection_lost")


def test_another_event_type_is_kept_for_the_log() -> None:
    event = parse_event(envelope("presence.update", {"id": "x"}))
    assert isinstance(event, UnknownChange)
    assert (event.channel_key, event.field) == (SESSION, "presence.update")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "x",
        None,
        {"eventType": "message.received"},
        {"sessionId": "", "eventType": "x"},
        {"sessionId": SESSION},
    ],
)
def test_what_is_not_a_zapw_event_is_refused(payload: Any) -> None:
    with pytest.raises(InvalidInputError):
        parse_event(payload)


@pytest.mark.parametrize(
    "data",
    [
        "not an object",
        {"from": "5511988887777", "type": "text"},  # no messageId
        {"from": "status@broadcast", "messageId": "A", "type": "text"},
        {"from": "someone", "messageId": "A", "type": "text"},
        {"from": "5511988887777", "messageId": "A" * 300, "type": "text"},
        {"from": "5" * 40, "messageId": "A", "type": "text"},
        {"from": "5511988887777", "messageId": "A", "type": "t" * 40},
        {"from": "5511988887777", "messageId": "A", "isGroup": True},  # no groupId
        {"from": "5511988887777", "messageId": "A", "type": "text", "timestamp": "yesterday"},
    ],
)
def test_odd_items_are_refused_with_their_reason_logged(data: Any, caplog: pytest.LogCaptureFixture) -> None:
    payload = envelope("message.received", data)
    if isinstance(data, dict) and data.get("timestamp") == "yesterday":
        del payload["timestamp"]
    assert parse_event(payload) is None
    assert "refused bridge event message.received" in caplog.text
    with pytest.raises(InvalidInputError):
        parse_event(payload, strict=True)


def test_the_token_is_compared_and_never_echoed() -> None:
    check_token("right-token", "right-token")
    wrong = "not-the-token-zz9"
    for given, expected in [
        (None, "right-token"),
        ("", "right-token"),
        (wrong, "right-token"),
        (wrong, None),
    ]:
        with pytest.raises(SignatureError) as refused:
            check_token(given, expected)
        assert "right-token" not in str(refused.value)
        assert wrong not in str(refused.value)
