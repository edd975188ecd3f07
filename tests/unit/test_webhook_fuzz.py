"""Fuzzing the webhook's decoder and parser with hypothesis (issue #11).

Whatever a signed delivery holds (lone surrogates, NUL, huge numbers, deep nesting, long ids, junk where
objects belong), decoding and parsing either refuse the whole body with `InvalidInputError` or produce
events that every database can store: no string with a lone surrogate or NUL anywhere in them, and ids
within the stored lengths. That invariant is what keeps one odd message from failing an insert.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.adapters.channels.whatsapp_cloud.webhook import parse_webhook
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.events import MAX_MESSAGE_ID, MAX_SENDER_ID, MAX_TYPE, InboundMessage, StatusUpdate
from frontdesk.domain.json_input import MAX_DEPTH, decode_json

# Every code point, surrogates and NUL included (hypothesis leaves surrogates out by default).
_ANY_CHAR = st.characters(codec=None, categories=None, exclude_categories=())
_TEXT = st.text(_ANY_CHAR, max_size=40) | st.sampled_from(["x\ud83d", "\udc00", "\u0000", "a" * 300])
_ID = _TEXT | st.integers(min_value=-(2**80), max_value=2**80)
_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=12,
)


@st.composite
def _message(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "image", "interactive", "reaction", "location", "zzz"]) | _TEXT)
    return {
        "from": draw(_ID),
        "id": draw(_ID),
        "timestamp": draw(st.sampled_from(["1700000000", "99999999999999999999", "-1", "x"]) | _ID),
        "type": kind,
        "text": {"body": draw(_TEXT)},
        "context": draw(st.none() | st.fixed_dictionaries({"id": _ID, "from": _ID})),
        kind if isinstance(kind, str) else "x": draw(_JUNK),
    }


@st.composite
def _status(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "id": draw(_ID),
        "status": draw(st.sampled_from(["sent", "delivered", "read", "failed", "played"]) | _TEXT),
        "timestamp": "1700000000",
        "recipient_id": draw(_ID),
        "errors": draw(st.lists(st.fixed_dictionaries({"code": _ID, "title": _TEXT}), max_size=2)),
    }


@st.composite
def _delivery(draw: st.DrawFn) -> bytes:
    value = {
        "metadata": {"phone_number_id": draw(_ID)},
        "contacts": [{"wa_id": draw(_ID), "profile": {"name": draw(_TEXT)}}],
        "messages": draw(st.lists(_message() | _JUNK, max_size=3)),
        "statuses": draw(st.lists(_status() | _JUNK, max_size=2)),
    }
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": draw(st.sampled_from(["messages", "account_update"]) | _TEXT), "value": value}
    ]}]}  # fmt: skip
    depth = draw(st.sampled_from([0, 0, 0, 10, MAX_DEPTH - 10, MAX_DEPTH + 1, 5_000]))
    return json.dumps(payload).replace('"1700000000"', "[" * depth + '"1700000000"' + "]" * depth).encode()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_delivery())
def test_a_delivery_is_refused_whole_or_parsed_into_storable_events(body: bytes) -> None:
    try:
        events = parse_webhook(decode_json(body))
    except InvalidInputError:
        return
    for event in events:
        assert all(_storable(s) for s in _strings(event.model_dump())), event
        if isinstance(event, InboundMessage):
            assert len(event.message_id) <= MAX_MESSAGE_ID
            assert len(event.sender) <= MAX_SENDER_ID
            assert len(event.type) <= MAX_TYPE
        if isinstance(event, StatusUpdate):
            assert len(event.message_id) <= MAX_MESSAGE_ID


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=200)
    | st.text(_ANY_CHAR, max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_any_bytes_are_refused_or_decoded_without_an_unexpected_error(body: bytes) -> None:
    try:
        value = decode_json(body)
    except InvalidInputError:
        return
    assert all(_storable(s) for s in _strings(value))
