"""Bad and unusual input at the WhatsApp webhook, over real HTTP against the real app and database."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, DATA, DEMO_NUMBER, recorded, sign, text_message

VERIFY_TOKEN = "test-verify-token"  # what tests.support.harness.settings_for_test configures
UNKNOWN_NUMBER = "100000000000999"
STORED_TABLES = ("messages", "conversations", "contacts", "jobs", "outbox", "message_status_events")
WEBHOOK_LOGGERS = ("frontdesk.api.routers.webhooks", "frontdesk.services.ingest")


def row_counts(fd: Running) -> dict[str, int]:
    """How many rows each table a webhook can write to holds (the demo seed fills some up front)."""
    counts = ", ".join(f"(select count(*) from {table}) as {table}" for table in STORED_TABLES)
    return dict(fd.query(f"select {counts}")[0]._mapping)


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON column: a dict on PostgreSQL, text on SQLite."""
    result: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return result


def inbound_ids(payload: dict[str, Any], number: str = DEMO_NUMBER) -> set[str]:
    """The ids of the messages in `payload` addressed to phone number id `number`."""
    ids: set[str] = set()
    for entry in payload.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            if (
                change.get("field") == "messages"
                and value.get("metadata", {}).get("phone_number_id") == number
            ):
                ids.update(m["id"] for m in value.get("messages", []))
    return ids


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


# --- GET: Meta's subscription handshake ------------------------------------------------------------


def test_verification_with_the_right_token_echoes_the_challenge(fd: Running) -> None:
    response = fd.client.get(
        f"{fd.url}/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


REFUSED_VERIFICATIONS: dict[str, dict[str, str]] = {
    "wrong-token": {"hub.mode": "subscribe", "hub.verify_token": "wrong-token"},
    "missing-token": {"hub.mode": "subscribe"},
    "empty-token": {"hub.mode": "subscribe", "hub.verify_token": ""},
    "wrong-mode": {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN},
    "missing-mode": {"hub.verify_token": VERIFY_TOKEN},
}


def test_verification_is_refused_without_subscribe_and_the_right_token(fd: Running) -> None:
    answers = {
        case: fd.client.get(f"{fd.url}/webhooks/whatsapp", params={**params, "hub.challenge": "1158201444"})
        for case, params in REFUSED_VERIFICATIONS.items()
    }
    assert {case: r.status_code for case, r in answers.items()} == dict.fromkeys(REFUSED_VERIFICATIONS, 403)
    assert not [case for case, r in answers.items() if "1158201444" in r.text]


# --- POST: signatures ------------------------------------------------------------------------------


FORGERIES: dict[str, Callable[[bytes], str | None]] = {
    "missing": lambda body: None,
    "empty": lambda body: "",
    "wrong-digest": lambda body: "sha256=" + "0" * 64,
    "other-secret": lambda body: sign(body, secret="some-other-apps-secret"),
    "other-body": lambda body: sign(body + b" "),
    "no-prefix": lambda body: sign(body).removeprefix("sha256="),
    "truncated": lambda body: sign(body)[:-2],
    "sha1": lambda body: "sha1=" + sign(body).removeprefix("sha256=")[:40],
}


def test_unsigned_or_wrongly_signed_webhook_is_refused_and_nothing_stored(fd: Running) -> None:
    body = json.dumps(text_message("wamid.FORGED", "hello")).encode()
    before = row_counts(fd)
    answers = {
        case: fd.post_webhook(None, raw=body, signature=forge(body)).status_code
        for case, forge in FORGERIES.items()
    }
    assert answers == dict.fromkeys(FORGERIES, 401)
    assert row_counts(fd) == before


def test_refused_signature_logs_a_warning_without_the_body(
    fd: Running, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "CARD-4929-1234-5678-9012"  # something private a customer might write
    caplog.set_level(logging.DEBUG)
    response = fd.post_webhook(
        text_message("wamid.LOGGED", f"my card is {marker}"), signature="sha256=" + "f" * 64
    )
    assert response.status_code == 401
    warnings = [
        r
        for r in caplog.records
        if r.name in WEBHOOK_LOGGERS and r.levelno >= logging.WARNING and "signature" in r.getMessage()
    ]
    assert warnings, "no warning logged for the refused signature"
    for record in caplog.records:
        assert marker not in record.getMessage()
        assert marker not in repr(vars(record))
    assert marker not in caplog.text
    assert marker not in response.text


# --- POST: bodies that are not WhatsApp webhooks ---------------------------------------------------


NOT_JSON: dict[str, bytes] = {
    "truncated-json": b'{"object": "whatsapp_business_account", "entry": [',
    "not-utf8": b"\xff\xfe not utf-8 \x80",
    "empty": b"",
}
NOT_WEBHOOKS: dict[str, Any] = {
    "page-object": {"object": "page", "entry": []},
    "no-object": {"entry": []},
    "entry-not-a-list": {"object": "whatsapp_business_account", "entry": {}},
    "json-list": ["not", "an", "object"],
}


def test_signed_invalid_json_is_a_400(fd: Running) -> None:
    before = row_counts(fd)
    answers = {case: fd.post_webhook(None, raw=body).status_code for case, body in NOT_JSON.items()}
    assert answers == dict.fromkeys(NOT_JSON, 400)
    assert row_counts(fd) == before


def test_json_that_is_not_a_whatsapp_webhook_is_a_400(fd: Running) -> None:
    before = row_counts(fd)
    answers = {case: fd.post_webhook(payload).status_code for case, payload in NOT_WEBHOOKS.items()}
    assert answers == dict.fromkeys(NOT_WEBHOOKS, 400)
    assert row_counts(fd) == before


def test_two_mib_body_is_a_413_and_nothing_stored(fd: Running) -> None:
    body = json.dumps(text_message("wamid.HUGE", "x" * (2 * 1024 * 1024))).encode()
    assert len(body) > 2 * 1024 * 1024
    headers = {
        "content-type": "application/json",
        "x-hub-signature-256": sign(body),
    }  # only the size is wrong

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    before = row_counts(fd)
    declared = fd.client.post(f"{fd.url}/webhooks/whatsapp", content=body, headers=headers)
    streamed = fd.client.post(f"{fd.url}/webhooks/whatsapp", content=chunks(), headers=headers)
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert row_counts(fd) == before


# --- POST: odd but valid webhooks ------------------------------------------------------------------


def test_unknown_message_type_is_stored_with_its_raw_json(fd: Running) -> None:
    payload = recorded("unknown_future_type")
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    response = fd.post_webhook(payload)
    assert response.status_code == 200
    assert response.json()["stored"] == 1
    rows = fd.query("select type, text, content from messages where channel_message_id = :w", w=wamid)
    assert len(rows) == 1
    assert rows[0].type == "hologram"
    assert rows[0].text == "Look at my living room"
    raw = as_dict(rows[0].content)["raw"]
    assert raw["hologram"] == {
        "id": "1480029871234506",
        "caption": "Look at my living room",
        "depth_map": {"format": "z16"},
    }
    assert raw["sentiment"] == {"score": 0.8}


def test_unknown_phone_number_id_is_acknowledged_logged_and_not_stored(
    fd: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = row_counts(fd)
    response = fd.post_webhook(text_message("wamid.STRANGER", "hello?", number=UNKNOWN_NUMBER))
    assert response.status_code == 200
    assert response.json()["stored"] == 0
    assert response.json()["unknown_channel"] == 1
    assert row_counts(fd) == before
    assert any(getattr(r, "channel_key", None) == UNKNOWN_NUMBER for r in caplog.records), (
        "unknown number not logged"
    )


def test_every_recorded_payload_is_accepted(fd: Running) -> None:
    names = sorted(path.stem for path in DATA.glob("*.json"))
    assert len(names) >= 20
    expected: set[str] = set()
    statuses = {}
    for name in names:
        payload = recorded(name)
        expected |= inbound_ids(payload)
        statuses[name] = fd.post_webhook(payload).status_code
    assert statuses == dict.fromkeys(names, 200)
    assert fd.client.get(f"{fd.url}/healthz").status_code == 200
    stored = {r[0] for r in fd.query("select channel_message_id from messages where direction = 'in'")}
    assert stored == expected


def test_multi_number_payload_stores_the_known_numbers_messages(fd: Running) -> None:
    payload = recorded("multi_entry_multi_number")
    known, unknown = inbound_ids(payload), inbound_ids(payload, "109876543210002")
    assert len(known) == 2 and len(unknown) == 1
    response = fd.post_webhook(payload)
    assert response.status_code == 200
    ack = response.json()
    assert (ack["stored"], ack["statuses"], ack["unknown_channel"]) == (2, 2, 1)
    rows = fd.query(
        "select m.channel_message_id, c.wa_id from messages m "
        "join conversations v on v.id = m.conversation_id join contacts c on c.id = v.contact_id "
        "where m.direction = 'in'"
    )
    assert {r.channel_message_id for r in rows} == known
    assert {r.wa_id for r in rows} == {AMELIA}
    assert fd.query("select count(*) from jobs")[0][0] == 2


# --- POST: the fast path in front of the framework ---------------------------------------------------


def test_an_acknowledged_delivery_has_the_headers_of_every_response(fd: Running) -> None:
    """Deliveries are answered in front of the framework stack (`api.webhook_fast_path`): the answer
    must still echo the request id, carry the security headers, and the turn must carry the id."""
    body = json.dumps(text_message("wamid.FAST", "hello")).encode()
    headers = {
        "content-type": "application/json",
        "x-hub-signature-256": sign(body),
        "x-request-id": "meta-1",
    }
    response = fd.client.post(f"{fd.url}/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "stored": 1,
        "duplicates": 0,
        "statuses": 0,
        "unknown_channel": 0,
        "ignored": 0,
    }
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "meta-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    [job] = fd.query("select payload from jobs")
    assert as_dict(job.payload)["request_id"] == "meta-1"


def test_a_delivery_without_a_content_length_is_stored_through_the_route(fd: Running) -> None:
    body = json.dumps(text_message("wamid.CHUNKED", "hello")).encode()
    headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
    response = fd.client.post(
        f"{fd.url}/webhooks/whatsapp", content=iter([body[:40], body[40:]]), headers=headers
    )
    assert response.status_code == 200
    assert response.json()["stored"] == 1
    assert fd.query("select count(*) from messages where channel_message_id = 'wamid.CHUNKED'")[0][0] == 1


def test_concurrent_deliveries_are_each_stored_once(fd: Running) -> None:
    """Ingest group-commits webhooks that arrive together: each still gets its own answer."""
    payloads = [text_message(f"wamid.PAR{i}", f"message {i}") for i in range(12)]
    payloads += [text_message("wamid.PARX", "the same one")] * 8
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(fd.post_webhook, payloads))
    assert [a.status_code for a in answers] == [200] * 20
    assert [a.json()["stored"] for a in answers[:12]] == [1] * 12
    assert sorted(a.json()["stored"] for a in answers[12:]) == [0] * 7 + [1]
    assert fd.query("select count(*) from messages where channel_message_id like 'wamid.PAR%'")[0][0] == 13
    assert fd.query("select count(*) from jobs")[0][0] == 13
