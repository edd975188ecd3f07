"""The WhatsApp Cloud API webhook adapter: signatures, and recorded payloads parsed into domain events."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.channels.whatsapp_cloud.webhook import parse_webhook, verify_signature
from frontdesk.domain.errors import ConfigurationError, InvalidInputError, SignatureError
from frontdesk.domain.events import (
    ChannelErrorInfo,
    ChannelEvent,
    InboundMessage,
    OrderItem,
    StatusUpdate,
    UnknownChange,
)
from frontdesk.domain.models import MessageStatus

DATA = Path(__file__).resolve().parents[1] / "data" / "whatsapp"
PNID = "109876543210001"
PNID2 = "109876543210002"
AMELIA = "447700900101"
T0 = datetime(2026, 11, 22, 12, 20, tzinfo=UTC)  # 1795350000, the recordings' base time
SECRET = "3f1c9d2e7a6b5c4d3e2f1a0b9c8d7e6f"
LOGGER = "frontdesk.adapters.channels.whatsapp_cloud.webhook"


def load(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return payload


def parse(name: str) -> list[ChannelEvent]:
    return parse_webhook(load(name), strict=True)


def only_message(name: str) -> InboundMessage:
    events = parse(name)
    assert len(events) == 1
    assert isinstance(events[0], InboundMessage)
    assert events[0].channel_key == PNID
    return events[0]


def only_status(name: str) -> StatusUpdate:
    events = parse(name)
    assert len(events) == 1
    assert isinstance(events[0], StatusUpdate)
    assert events[0].channel_key == PNID
    return events[0]


def messages_of(payload: dict[str, Any]) -> list[Any]:
    messages: list[Any] = payload["entry"][0]["changes"][0]["value"]["messages"]
    return messages


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- signature -------------------------------------------------------------------------------------

BODY = (DATA / "text.json").read_bytes()


def test_valid_signature_passes() -> None:
    verify_signature(BODY, sign(BODY), SECRET)


def test_signature_hex_is_case_insensitive() -> None:
    header = sign(BODY)
    verify_signature(BODY, "sha256=" + header.removeprefix("sha256=").upper(), SECRET)


@pytest.mark.parametrize("header", [None, ""])
def test_missing_signature_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify_signature(BODY, header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        "sha1=" + hashlib.sha1(BODY).hexdigest(),  # the old X-Hub-Signature scheme
        "SHA256=" + "0" * 64,
        sign(BODY).removeprefix("sha256="),  # a bare digest
        sign(BODY)[:-1],  # 63 hex digits
        sign(BODY)[:-1] + "z",  # not hex
        "sha256=",
    ],
)
def test_malformed_signature_is_refused(header: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        verify_signature(BODY, header, SECRET)


def test_wrong_digest_is_refused() -> None:
    digest = sign(BODY).removeprefix("sha256=")
    flipped = ("0" if digest[0] != "0" else "1") + digest[1:]
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(BODY, "sha256=" + flipped, SECRET)


def test_signature_from_another_secret_is_refused() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(BODY, sign(BODY, secret="another-apps-secret"), SECRET)


def test_tampered_body_is_refused_and_not_echoed() -> None:
    header = sign(BODY)
    tampered = BODY.replace(b"LH-100245", b"LH-999999")
    assert tampered != BODY
    with pytest.raises(SignatureError) as caught:
        verify_signature(tampered, header, SECRET)
    assert "LH-999999" not in str(caught.value)
    assert "Amelia" not in str(caught.value)


def test_empty_app_secret_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        verify_signature(BODY, sign(BODY, secret=""), "")


# --- envelope ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must be a JSON object, got a list"),
        ("whatsapp_business_account", "must be a JSON object, got a string"),
        (None, "must be a JSON object, got null"),
        ({"object": "page", "entry": []}, '"object" must be "whatsapp_business_account", got \'page\''),
        ({"entry": []}, '"object" must be "whatsapp_business_account", got nothing'),
        ({"object": "whatsapp_business_account"}, '"entry" must be a list, got nothing'),
        (
            {"object": "whatsapp_business_account", "entry": {"id": "1"}},
            '"entry" must be a list, got an object',
        ),
    ],
)
def test_broken_envelope_is_rejected(payload: Any, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_webhook(payload)
    assert message in str(caught.value)


def test_empty_entry_list_gives_no_events() -> None:
    assert parse_webhook({"object": "whatsapp_business_account", "entry": []}) == []


# --- every recording -----------------------------------------------------------------------------------

RECORDINGS = sorted(path.stem for path in DATA.glob("*.json"))


@pytest.mark.parametrize("name", RECORDINGS)
def test_recording_parses_strictly_without_touching_the_payload(name: str) -> None:
    payload = load(name)
    before = copy.deepcopy(payload)
    events = parse_webhook(payload, strict=True)
    assert events
    assert payload == before
    for event in events:
        if isinstance(event, InboundMessage):
            assert event.timestamp.tzinfo is not None
            assert event.raw["id"] == event.message_id


def test_every_recording_has_its_own_test() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(RECORDINGS) <= tested, sorted(set(RECORDINGS) - tested)


def test_inbound_message_ids_are_unique_across_recordings() -> None:
    ids = [e.message_id for name in RECORDINGS for e in parse(name) if isinstance(e, InboundMessage)]
    assert len(ids) == len(set(ids))


# --- messages, one test per recording ------------------------------------------------------------------


def test_text() -> None:
    message = only_message("text")
    assert message.message_id == "wamid.HBgMNDQ3NzAwOTAwMTAxFQIAEhgUQTFBMDAwMDAwMDAwMDAwMDAwMDEAA=="
    assert message.sender == AMELIA
    assert message.sender_name == "Amelia Clarke"
    assert message.timestamp == T0
    assert message.type == "text"
    assert message.text == "Hi! Where is my order LH-100245?"
    assert message.context is None
    assert message.media is None
    assert message.errors == ()
    assert message.raw == messages_of(load("text"))[0]


def test_text_with_context() -> None:
    message = only_message("text_with_context")
    assert message.text == "Yes, Friday works for me"
    assert message.timestamp == T0 + timedelta(seconds=60)
    assert message.context is not None
    assert message.context.message_id == "wamid.HBgMNDQ3NzAwOTAwMTAxFQIAERgSQkJCMDAwMDAwMDAwMDAwMDAwMDEAA=="
    assert message.context.sender == "442079460321"
    assert message.context.forwarded is False
    assert message.context.product_id is None


def test_text_user_id_only() -> None:
    """Username-era payload: no `wa_id`, no `from`; the business-scoped user id stands in for both."""
    message = only_message("text_user_id_only")
    assert message.sender == "GB.1502576394655843"
    assert message.sender_name == "Amelia Clarke"
    assert message.text == "Hi, it's Amelia"


def test_image() -> None:
    message = only_message("image")
    assert message.type == "image"
    assert message.text == "The bulb flickers like this"
    assert message.media is not None
    assert message.media.id == "1480029871234501"
    assert message.media.mime_type == "image/jpeg"
    assert message.media.sha256 == "u7RbpUF2bL2yZ7gVSw4i9tV4u6k2oQ0C3hF0oA6mS1w="
    assert message.media.caption == "The bulb flickers like this"
    assert message.media.voice is None


def test_audio_voice() -> None:
    message = only_message("audio_voice")
    assert message.type == "audio"
    assert message.text is None
    assert message.media is not None
    assert message.media.id == "1480029871234502"
    assert message.media.mime_type == "audio/ogg; codecs=opus"
    assert message.media.voice is True


def test_video() -> None:
    message = only_message("video")
    assert message.type == "video"
    assert message.text == "Speaker pairing fails at this step"
    assert message.media is not None
    assert message.media.id == "1480029871234503"
    assert message.media.mime_type == "video/mp4"
    assert message.context is not None
    assert message.context.forwarded is True
    assert message.context.frequently_forwarded is False
    assert message.context.message_id is None


def test_document() -> None:
    message = only_message("document")
    assert message.type == "document"
    assert message.text == "Receipt for the return"
    assert message.media is not None
    assert message.media.filename == "receipt-LH-100231.pdf"
    assert message.media.mime_type == "application/pdf"
    assert message.media.id == "1480029871234504"


def test_document_without_caption_reads_as_its_filename() -> None:
    payload = load("document")
    del messages_of(payload)[0]["document"]["caption"]
    [message] = parse_webhook(payload, strict=True)
    assert isinstance(message, InboundMessage)
    assert message.text == "receipt-LH-100231.pdf"


def test_sticker() -> None:
    message = only_message("sticker")
    assert message.type == "sticker"
    assert message.media is not None
    assert message.media.animated is True
    assert message.media.mime_type == "image/webp"
    assert message.media.id == "1480029871234505"


def test_location() -> None:
    message = only_message("location")
    assert message.type == "location"
    assert message.location is not None
    assert message.location.latitude == pytest.approx(51.5007292)
    assert message.location.longitude == pytest.approx(-0.1268141)
    assert message.location.url == "https://maps.google.com/?cid=1000000000000000001"
    assert message.text == "Lumen Home Westminster, 12 Parliament Street, London SW1A 2JR"


def test_bare_location_reads_as_coordinates() -> None:
    payload = load("location")
    messages_of(payload)[0]["location"] = {"latitude": 51.5, "longitude": -0.12}
    [message] = parse_webhook(payload, strict=True)
    assert isinstance(message, InboundMessage)
    assert message.text == "51.5,-0.12"
    assert message.location is not None
    assert message.location.name is None


def test_contacts() -> None:
    message = only_message("contacts")
    assert message.type == "contacts"
    assert message.sender_name == "Amelia Clarke"  # value.contacts (the sender), not the shared cards
    tom, priya = message.contacts
    assert tom.name == "Tom Clarke"
    assert tom.phones == ("+44 7700 900103", "+44 20 7946 0999")
    assert tom.wa_ids == ("447700900103",)
    assert tom.raw["org"]["company"] == "Clarke & Co"
    assert priya.name == "Priya Shah"  # no formatted_name: first and last name
    assert message.text == "Tom Clarke, Priya Shah"


def test_interactive_button_reply() -> None:
    message = only_message("interactive_button_reply")
    assert message.type == "interactive"
    assert message.reply is not None
    assert (message.reply.kind, message.reply.id, message.reply.title) == (
        "button_reply",
        "booking.confirm",
        "Confirm",
    )
    assert message.text == "Confirm"
    assert message.context is not None
    assert message.context.message_id == "wamid.HBgMNDQ3NzAwOTAwMTAxFQIAERgSQkJCMDAwMDAwMDAwMDAwMDAwMDIAA=="


def test_interactive_list_reply() -> None:
    message = only_message("interactive_list_reply")
    assert message.reply is not None
    assert message.reply.kind == "list_reply"
    assert message.reply.id == "slot.2026-11-27T10:00"
    assert message.reply.title == "Fri 27 Nov, 10:00"
    assert message.reply.description == "Installation visit, 90 min"
    assert message.text == "Fri 27 Nov, 10:00"


def test_interactive_nfm_reply() -> None:
    message = only_message("interactive_nfm_reply")
    assert message.reply is not None
    assert message.reply.kind == "nfm_reply"
    assert message.reply.response_json is not None
    assert json.loads(message.reply.response_json) == {
        "flow_token": "return-LH-100231",
        "reason": "faulty",
        "sku": "LH-BULB-E27",
    }
    assert message.text == "Sent"


def test_template_button() -> None:
    message = only_message("template_button")
    assert message.type == "button"
    assert message.reply is not None
    assert (message.reply.kind, message.reply.id, message.reply.title) == (
        "button",
        "track-LH-100245",
        "Track my order",
    )
    assert message.text == "Track my order"


def test_reaction() -> None:
    message = only_message("reaction")
    assert message.type == "reaction"
    assert message.reaction is not None
    assert message.reaction.message_id == "wamid.HBgMNDQ3NzAwOTAwMTAxFQIAERgSQkJCMDAwMDAwMDAwMDAwMDAwMDYAA=="
    assert message.reaction.emoji == "\N{THUMBS UP SIGN}"
    assert message.text == "\N{THUMBS UP SIGN}"


@pytest.mark.parametrize("emoji", [None, ""])
def test_reaction_without_emoji_is_a_removal(emoji: str | None) -> None:
    payload = load("reaction")
    reaction = messages_of(payload)[0]["reaction"]
    if emoji is None:
        del reaction["emoji"]
    else:
        reaction["emoji"] = emoji
    [message] = parse_webhook(payload, strict=True)
    assert isinstance(message, InboundMessage)
    assert message.reaction is not None
    assert message.reaction.emoji is None
    assert message.reaction.message_id == reaction["message_id"]
    assert message.text is None


def test_order() -> None:
    message = only_message("order")
    assert message.type == "order"
    assert message.order is not None
    assert message.order.catalog_id == "309876543210001"
    assert message.order.items == (
        OrderItem(product_retailer_id="LH-BULB-E27", quantity=3, item_price=14.99, currency="GBP"),
        OrderItem(product_retailer_id="LH-STRIP-2M", quantity=1, item_price=39.99, currency="GBP"),
    )
    assert message.text == "Please deliver after 5pm"


def test_order_without_text_reads_as_its_items() -> None:
    payload = load("order")
    messages_of(payload)[0]["order"]["text"] = ""
    [message] = parse_webhook(payload, strict=True)
    assert isinstance(message, InboundMessage)
    assert message.order is not None
    assert message.order.text is None
    assert message.text == "3 × LH-BULB-E27, 1 × LH-STRIP-2M"


def test_system_changed_number() -> None:
    message = only_message("system_changed_number")
    assert message.type == "system"
    assert message.sender == AMELIA
    assert message.sender_name is None  # Meta sends no contacts[] with this notification
    assert message.system == {
        "body": "Amelia Clarke changed from 447700900101 to 447700900199",
        "new_wa_id": "447700900199",
        "type": "customer_changed_number",
    }
    assert message.text == "Amelia Clarke changed from 447700900101 to 447700900199"


def test_unsupported() -> None:
    message = only_message("unsupported")
    assert message.type == "unsupported"
    assert message.text is None
    assert message.errors == (
        ChannelErrorInfo(
            code="131051",
            title="Message type unknown",
            message="Message type unknown",
            details="Message type is currently not supported.",
        ),
    )
    assert message.raw["errors"][0]["code"] == 131051


def test_older_unknown_shape_with_flat_error_details() -> None:
    """Meta's older documented example: `type: unknown` and `details` directly on the error."""
    payload = load("unsupported")
    message = messages_of(payload)[0]
    message["type"] = "unknown"
    message["errors"] = [
        {
            "code": 131051,
            "details": "Message type is not currently supported",
            "title": "Unsupported message type",
        }
    ]
    [event] = parse_webhook(payload, strict=True)
    assert isinstance(event, InboundMessage)
    assert event.type == "unknown"
    assert event.errors == (
        ChannelErrorInfo(
            code="131051", title="Unsupported message type", details="Message type is not currently supported"
        ),
    )


def test_unknown_future_type() -> None:
    """A type and keys Meta might add later: kept whole, never dropped, extra keys ignored."""
    message = only_message("unknown_future_type")
    assert message.type == "hologram"
    assert message.sender_name == "Amelia Clarke"
    assert message.text == "Look at my living room"
    assert message.media is None
    assert message.raw["hologram"]["depth_map"] == {"format": "z16"}
    assert message.raw["sentiment"] == {"score": 0.8}


def test_referral() -> None:
    message = only_message("referral")
    assert message.text == "Hi, is the floor lamp still on offer?"
    assert message.referral is not None
    assert message.referral.source_type == "ad"
    assert message.referral.source_id == "120212345678900001"
    assert message.referral.source_url == "https://fb.me/3cr4Wqqkv"
    assert message.referral.headline == "Lumen Floor Lamp - 20% off this week"
    assert message.referral.body == "Warm light for every room."
    assert message.referral.ctwa_clid is not None
    assert message.referral.ctwa_clid.startswith("ARAkLkA8")
    assert message.referral.raw["image_url"] == "https://scontent.example/lamp.jpg"


# --- statuses --------------------------------------------------------------------------------------

OUTBOUND = "wamid.HBgMNDQ3NzAwOTAwMTAxFQIAERgSQkJCMDAwMDAwMDAwMDAwMDAwMTAAA=="


def test_status_sent() -> None:
    status = only_status("status_sent")
    assert status.status is MessageStatus.SENT
    assert status.message_id == OUTBOUND
    assert status.recipient == AMELIA
    assert status.timestamp == T0 + timedelta(seconds=5)
    assert status.conversation_id == "5ad2a1d0c7b6e5f4a3b2c1d0e9f8a7b6"
    assert status.conversation_category == "service"
    assert status.pricing_category == "service"
    assert status.billable is True
    assert status.errors == ()


def test_status_delivered() -> None:
    status = only_status("status_delivered")
    assert status.status is MessageStatus.DELIVERED
    assert status.message_id == OUTBOUND
    assert status.timestamp == T0 + timedelta(seconds=7)


def test_status_read() -> None:
    status = only_status("status_read")
    assert status.status is MessageStatus.READ
    assert status.message_id == OUTBOUND
    assert status.conversation_id is None  # read callbacks here carry no conversation or pricing
    assert status.billable is None


def test_status_failed() -> None:
    status = only_status("status_failed")
    assert status.status is MessageStatus.FAILED
    assert status.errors == (
        ChannelErrorInfo(
            code="131047",
            title="Re-engagement message",
            message="Re-engagement message",
            details="Message failed to send because more than 24 hours have passed since the customer "
            "last replied to this number.",
        ),
    )


# --- several entries, changes and numbers; other fields ----------------------------------------------


def test_multi_entry_multi_number() -> None:
    events = parse("multi_entry_multi_number")
    assert [(type(e).__name__, e.channel_key) for e in events] == [
        ("InboundMessage", PNID),
        ("InboundMessage", PNID),
        ("StatusUpdate", PNID),
        ("StatusUpdate", PNID),
        ("InboundMessage", PNID2),
    ]
    first, second, delivered, read, oliver = events
    assert isinstance(first, InboundMessage) and isinstance(second, InboundMessage)
    assert (first.text, second.text) == ("Hello", "Do you install smart switches?")
    assert isinstance(delivered, StatusUpdate) and isinstance(read, StatusUpdate)
    assert (delivered.status, read.status) == (MessageStatus.DELIVERED, MessageStatus.READ)
    assert isinstance(oliver, InboundMessage)
    assert (oliver.sender, oliver.sender_name) == ("447700900102", "Oliver Bennett")
    assert oliver.text == "Is the Lumen One speaker in stock?"


def test_account_update() -> None:
    [change] = parse("account_update")
    assert isinstance(change, UnknownChange)
    assert change.field == "account_update"
    assert change.channel_key is None
    assert change.raw["entry_id"] == "209876543210001"
    assert change.raw["value"]["event"] == "ACCOUNT_RESTRICTION"


# --- malformed items: skipped and logged, or raised when strict --------------------------------------


def three_texts() -> dict[str, Any]:
    payload = load("text")
    first = messages_of(payload)[0]
    messages_of(payload).extend(
        {**first, "id": f"{first['id']}-{n}", "text": {"body": f"message {n}"}} for n in (1, 2)
    )
    return payload


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda m: m.pop("id"), 'missing "id"'),
        (lambda m: m.pop("from"), 'missing "from"'),
        (lambda m: m.pop("timestamp"), 'missing "timestamp"'),
        (lambda m: m.update(timestamp="yesterday"), "\"timestamp\" must be unix seconds, got 'yesterday'"),
        (lambda m: m.update(timestamp="99999999999999999999"), '"timestamp" must be unix seconds'),
    ],
)
def test_malformed_message_is_skipped_or_raised_with_its_path(
    damage: Any, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload = three_texts()
    damage(messages_of(payload)[1])
    path = "entry[0].changes[0].value.messages[1]"

    with pytest.raises(InvalidInputError) as caught:
        parse_webhook(payload, strict=True)
    assert str(caught.value).startswith(f"{path}: {reason}")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        events = parse_webhook(payload)
    assert [e.text for e in events if isinstance(e, InboundMessage)] == [
        "Hi! Where is my order LH-100245?",
        "message 2",
    ]
    assert f"{path}: {reason}" in caplog.text
    assert "LH-100245" not in caplog.text  # never the payload itself


def test_message_that_is_not_an_object_is_skipped() -> None:
    payload = three_texts()
    messages_of(payload)[0] = "oops"
    assert len(parse_webhook(payload)) == 2
    with pytest.raises(InvalidInputError, match=r"messages\[0\]: must be an object, got a string"):
        parse_webhook(payload, strict=True)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p["entry"].insert(0, "junk"), r"entry\[0\]: must be an object, got a string"),
        (lambda p: p["entry"][0].pop("changes"), r'entry\[0\]: "changes" must be a list, got null'),
        (lambda p: p["entry"][0]["changes"][0].pop("field"), r'changes\[0\]: missing "field"'),
        (lambda p: p["entry"][0]["changes"][0].update(value=[]), r"changes\[0\]\.value: must be an object"),
        (
            lambda p: p["entry"][0]["changes"][0]["value"]["metadata"].pop("phone_number_id"),
            r'value\.metadata: missing "phone_number_id"',
        ),
        (
            lambda p: p["entry"][0]["changes"][0]["value"].update(messages={}),
            r"value\.messages: must be a list, got an object",
        ),
    ],
)
def test_malformed_entry_or_change_is_skipped_without_losing_the_rest(damage: Any, message: str) -> None:
    payload = load("multi_entry_multi_number")
    damage(payload)
    with pytest.raises(InvalidInputError, match=message):
        parse_webhook(payload, strict=True)
    events = parse_webhook(payload)
    # the second entry (the other number) always survives
    assert any(e.channel_key == PNID2 for e in events)


def test_unknown_status_value_is_skipped_and_the_rest_kept(caplog: pytest.LogCaptureFixture) -> None:
    payload = load("multi_entry_multi_number")
    payload["entry"][0]["changes"][1]["value"]["statuses"][0]["status"] = "played"
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        events = parse_webhook(payload, strict=True)  # not malformed: a value Meta may add, even in strict
    statuses = [e for e in events if isinstance(e, StatusUpdate)]
    assert [s.status for s in statuses] == [MessageStatus.READ]
    assert len(events) == 4
    assert "statuses[0]: unknown status 'played'" in caplog.text


def test_status_without_id_is_malformed() -> None:
    payload = load("status_failed")
    del payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    assert parse_webhook(payload) == []
    with pytest.raises(InvalidInputError, match=r'statuses\[0\]: missing "id"'):
        parse_webhook(payload, strict=True)


def test_change_level_errors_are_attached_to_its_messages(caplog: pytest.LogCaptureFixture) -> None:
    payload = load("interactive_button_reply")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"][0]["interactive"]  # Meta's 131000 case: the content it could not render
    value["errors"] = [
        {
            "code": 131000,
            "title": "Something went wrong",
            "message": "Something went wrong",
            "error_data": {"details": "Unsupported webhook payload"},
        }
    ]
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        [message] = parse_webhook(payload, strict=True)
    assert isinstance(message, InboundMessage)
    assert message.type == "interactive"
    assert message.reply is None
    assert message.text is None
    assert [(e.code, e.details) for e in message.errors] == [("131000", "Unsupported webhook payload")]
    assert "131000" in caplog.text


def test_change_level_errors_alone_are_kept_as_an_unknown_change() -> None:
    payload = load("text")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    value["errors"] = [{"code": 131000, "title": "Something went wrong"}]
    [change] = parse_webhook(payload, strict=True)
    assert isinstance(change, UnknownChange)
    assert (change.field, change.channel_key) == ("messages", PNID)
    assert change.raw["value"]["errors"][0]["code"] == 131000


def test_messages_change_with_nothing_in_it_gives_no_events() -> None:
    payload = load("text")
    value = payload["entry"][0]["changes"][0]["value"]
    del value["messages"], value["contacts"]
    assert parse_webhook(payload, strict=True) == []
