"""`frontdesk.logs.redact` and `RedactSecrets`: secret query values, bearer credentials and JWTs never
reach a log line; everything else is left as it was."""

from __future__ import annotations

import logging

import pytest

from frontdesk.logs import RedactSecrets, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJhYmMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.mark.parametrize(
    ("line", "clean"),
    [
        (
            f'127.0.0.1:5000 - "WebSocket /api/v1/ws?since=4&access_token={JWT}" 403',
            '127.0.0.1:5000 - "WebSocket /api/v1/ws?since=4&access_token=[redacted]" 403',
        ),
        (
            "GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=abc&hub.challenge=9",
            "GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=9",
        ),
        ("/x?ACCESS%5Ftoken=abc;key=k#top", "/x?ACCESS%5Ftoken=[redacted];key=[redacted]#top"),
        ("Authorization: Bearer abcdefghijklmnop1234", "Authorization: Bearer [redacted]"),
        (f"offered frontdesk.bearer.{JWT}", "offered frontdesk.bearer.[redacted]"),
        (f"token {JWT} refused", "token [redacted] refused"),
        ("the bearer token was refused", "the bearer token was refused"),
        ("/api/v1/ws?since=3&tenant=lumen", "/api/v1/ws?since=3&tenant=lumen"),
    ],
)
def test_redact(line: str, clean: str) -> None:
    assert redact(line) == clean


def test_the_filter_cleans_the_message_and_extra_fields() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, "", 0, '%s - "WebSocket %s" [accepted]', None, None
    )
    record.args = ("127.0.0.1:1", f"/api/v1/ws?access_token={JWT}")
    record.url = f"https://example.com/hook?token={JWT}"
    record.count = 3
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '127.0.0.1:1 - "WebSocket /api/v1/ws?access_token=[redacted]" [accepted]'
    assert record.url == "https://example.com/hook?token=[redacted]"
    assert record.count == 3
