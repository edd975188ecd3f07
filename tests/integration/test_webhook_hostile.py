"""Hostile deliveries at the WhatsApp webhook: one odd item never takes its neighbours down (issue #11).

Each case posts a delivery holding a good message beside an odd item, over real HTTP, on SQLite and
PostgreSQL. The delivery must get 200 once what can be kept is kept: text the database cannot store as
sent is stored cleaned (U+FFFD), an over-long id is refused with its reason logged, and the good message
is stored either way. Nesting that would exhaust the parser's stack is refused with 400.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, DEMO_NUMBER, envelope, text_message

GOOD = "wamid.good-neighbour"
STRANGER = "447700900999"  # not in the demo's customers, so the webhook's profile name is kept


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def _message(wamid: str, text: str, *, sender: str = AMELIA, kind: str = "text") -> dict[str, Any]:
    return {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": kind,
        "text": {"body": text},
    }


def _with_good_neighbour(
    *items: dict[str, Any], statuses: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return envelope(DEMO_NUMBER, messages=[_message(GOOD, "hello"), *items], statuses=statuses)


def _texts(fd: Running) -> dict[str, str | None]:
    rows = fd.query("select channel_message_id, text from messages where direction = 'in'")
    return {row.channel_message_id: row.text for row in rows}


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        pytest.param("x\ud83d", "x\ufffd", id="lone-high-surrogate"),
        pytest.param("\udc00tail", "\ufffdtail", id="lone-low-surrogate"),
        pytest.param("nul\u0000inside", "nul\ufffdinside", id="nul"),
        pytest.param("pair \U0001f600 kept", "pair \U0001f600 kept", id="valid-pair-untouched"),
    ],
)
def test_unstorable_text_is_stored_cleaned_beside_its_neighbour(fd: Running, text: str, stored: str) -> None:
    response = fd.post_webhook(_with_good_neighbour(_message("wamid.odd", text)))

    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 2
    assert _texts(fd) == {GOOD: "hello", "wamid.odd": stored}


def test_unstorable_text_in_names_and_keys_is_cleaned_too(fd: Running) -> None:
    payload = text_message("wamid.named", "hi", sender=STRANGER)
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["profile"]["name"] = "Am\u0000elia\ud800"
    value["messages"][0]["odd\udfffkey"] = {"nul": "\u0000"}

    assert fd.post_webhook(payload).status_code == 200
    [contact] = fd.query("select name from contacts where wa_id = :w", w=STRANGER)
    assert contact.name == "Am\ufffdelia\ufffd"
    [row] = fd.query("select content from messages where channel_message_id = 'wamid.named'")
    raw = (json.loads(row.content) if isinstance(row.content, str) else row.content)["raw"]
    assert raw["odd\ufffdkey"] == {"nul": "\ufffd"}


@pytest.mark.parametrize(
    "status",
    [
        pytest.param({"id": "wamid.\ud83d", "status": "sent"}, id="surrogate-in-status-id"),
        pytest.param(
            {"id": "wamid.x", "status": "failed", "errors": [{"code": 131000, "title": "bad\u0000"}]},
            id="nul-in-status-error",
        ),
        pytest.param({"id": "w" * 256, "status": "read"}, id="status-id-over-255"),
    ],
)
def test_an_odd_status_does_not_fail_the_delivery(fd: Running, status: dict[str, Any]) -> None:
    status = {"timestamp": str(int(time.time())), "recipient_id": AMELIA, **status}

    response = fd.post_webhook(_with_good_neighbour(statuses=[status]))

    assert response.status_code == 200, response.text
    assert _texts(fd) == {GOOD: "hello"}


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        pytest.param(_message("w" * 256, "long id"), '"id" is 256 characters long', id="wamid-over-255"),
        pytest.param(
            _message("wamid.s", "hi", sender="4" * 33), '"from" is 33 characters', id="from-over-32"
        ),
        pytest.param(_message("wamid.t", "hi", kind="t" * 33), '"type" is 33 characters', id="type-over-32"),
    ],
)
def test_an_over_long_id_is_refused_with_its_reason_and_the_rest_is_stored(
    fd: Running, item: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="frontdesk"):
        response = fd.post_webhook(_with_good_neighbour(item))

    assert response.status_code == 200, response.text
    assert response.json()["stored"] == 1
    assert _texts(fd) == {GOOD: "hello"}
    assert any(reason in record.getMessage() for record in caplog.records), caplog.text


def test_an_over_long_reply_to_is_dropped_and_the_message_kept(fd: Running) -> None:
    item = {**_message("wamid.quoting", "about that"), "context": {"id": "q" * 300, "from": AMELIA}}

    assert fd.post_webhook(_with_good_neighbour(item)).status_code == 200
    [row] = fd.query("select reply_to, text from messages where channel_message_id = 'wamid.quoting'")
    assert (row.reply_to, row.text) == (None, "about that")


def _nested(levels: int) -> bytes:
    """A valid delivery whose message carries an extra field nested `levels` deep."""
    payload = _with_good_neighbour()
    marker = '"__deep__"'
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["extra"] = "__deep__"
    return json.dumps(payload).replace(marker, "[" * levels + "1" + "]" * levels).encode()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000, id="100k-open-brackets"),
        pytest.param(_nested(5_000), id="5000-levels-inside-a-delivery"),
        pytest.param(_nested(80), id="80-levels-inside-a-delivery"),
    ],
)
def test_deep_nesting_is_refused_with_400_and_nothing_stored(fd: Running, body: bytes) -> None:
    response = fd.post_webhook(None, raw=body)

    assert response.status_code == 400, response.text
    assert "nests deeper than 64 levels" in response.json()["detail"]
    assert _texts(fd) == {}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(_nested(0).replace(b'"hello"', b"1" * 5000), "4300 digits", id="5000-digit-number"),
        pytest.param(_nested(0).decode().encode("utf-16"), "utf-8", id="utf-16-body"),
        pytest.param(_nested(0).replace(b"hello", b"x\xed\xa0\xbd"), "utf-8", id="utf-8-encoded-surrogate"),
    ],
)
def test_bodies_python_would_half_read_are_refused_with_400(fd: Running, body: bytes, reason: str) -> None:
    """Found in review: these were 500s (a ValueError, or text decoded past the unstorable check)."""
    response = fd.post_webhook(None, raw=body)

    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"].lower()
    assert _texts(fd) == {}


def test_nesting_within_the_bound_is_stored(fd: Running) -> None:
    response = fd.post_webhook(None, raw=_nested(40))

    assert response.status_code == 200, response.text
    assert _texts(fd) == {GOOD: "hello"}
