"""Nothing secret or personal in any log line, on every error path we can drive (issue #11, defect 7).

A real server on a real database, with a capture of every log record it writes: message, `extra=`
fields and the full chain of any exception. The test drives the error paths a running product meets —
a refused webhook signature, database failures while storing a customer's message and a staff reply
(a trigger refuses rows holding a marker, so the failing INSERT carries customer data as its bound
parameters), failed and retried Graph sends, a failing turn, refused logins — and then asserts that no
record holds the customer's phone number, their message text, a password, a token or a secret.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest

from tests.support.harness import EchoResponder, Running, running_frontdesk
from tests.support.payloads import APP_SECRET, DEMO_NUMBER, text_message
from tests.support.staff import PASSWORD

CUSTOMER = "447700900555"
SECRET_TEXT = "my card number is 4929000000006 POISON"
TRIGGER_WORD = "POISON"


class _Everything(logging.Handler):
    """Keeps each record as the text of everything it carries, exceptions (with causes) included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.getMessage(), repr(record.__dict__)]
        if record.exc_info and record.exc_info[1] is not None:
            parts += traceback.format_exception(record.exc_info[1])
        self.lines.append("\n".join(parts))


@pytest.fixture
def captured() -> Iterator[_Everything]:
    handler, root = _Everything(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _refuse_marked_rows(fd: Running, dialect: str) -> None:
    """Make the database itself refuse any message whose text holds the trigger word."""
    if dialect == "sqlite":
        fd.execute(
            "create trigger refuse_marked before insert on messages "
            f"when new.text like '%{TRIGGER_WORD}%' begin select raise(abort, 'refused by test'); end"
        )
        return
    fd.execute(
        "create function refuse_marked() returns trigger language plpgsql as $$ begin "
        f"if new.text like '%{TRIGGER_WORD}%' then raise exception 'refused by test'; end if; "
        "return new; end $$"
    )
    fd.execute(
        "create trigger refuse_marked before insert on messages for each row execute function refuse_marked()"
    )


def test_no_error_path_logs_customer_data_or_secrets(
    database_url: str, graph_url: str, captured: _Everything
) -> None:
    responder = EchoResponder(fail_first=1)
    with running_frontdesk(database_url, graph_url, responder=responder) as fd:
        headers = fd.staff_headers("owner")
        token = headers["Authorization"].removeprefix("Bearer ")
        dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"

        # A refused signature: the body holds the customer's number and text.
        assert (
            fd.post_webhook(
                text_message("wamid.sig", SECRET_TEXT, sender=CUSTOMER), signature="sha256=" + "0" * 64
            ).status_code
            == 401
        )

        # A turn that fails once (then is retried), and a Graph send that fails transiently then permanently.
        fd.fail_graph(status=500, code=2, times=1, message="Service temporarily unavailable")
        assert fd.post_webhook(text_message("wamid.first", "hello there", sender=CUSTOMER)).status_code == 200
        fd.wait_for(lambda: responder.calls.count("hello there") >= 2, what="the turn's retry")
        fd.wait_for(fd.sent, what="the echo reply to be sent after a transient Graph failure")
        fd.fail_graph(status=400, code=131026, message="Message undeliverable")
        assert fd.post_webhook(text_message("wamid.second", "and again", sender=CUSTOMER)).status_code == 200
        fd.wait_for(
            lambda: fd.query("select 1 from messages where direction = 'out' and status = 'failed'"),
            what="the permanently failed send",
        )

        # The database refuses the customer's message and a staff reply: errors carry bound parameters.
        _refuse_marked_rows(fd, dialect)
        refused = fd.post_webhook(text_message("wamid.poison", SECRET_TEXT, sender=CUSTOMER))
        assert refused.status_code == 500
        assert refused.headers["content-type"].startswith("application/json"), refused.text
        assert 'frontdesk_webhooks_total{result="error"} 1.0' in fd.client.get(f"{fd.url}/metrics").text
        [conversation] = fd.query(
            "select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = :w",
            w=CUSTOMER,
        )
        staff_send = fd.client.post(
            f"{fd.url}/api/v1/conversations/{conversation.id}/messages",
            json={"kind": "text", "body": SECRET_TEXT},
            headers=headers,
        )
        assert staff_send.status_code == 500

        # Refused logins: a wrong password, an unknown account.
        for email in ("owner@lumen.test", "nobody@example.com"):
            answer = fd.client.post(
                f"{fd.url}/api/v1/auth/login",
                json={"email": email, "password": PASSWORD + "-wrong", "tenant": "lumen"},
            )
            assert answer.status_code == 401

    logged = "\n".join(captured.lines)
    assert len(captured.lines) > 10, "the error paths logged nothing: the capture is broken"
    assert "refused by test" in logged, "the database errors were not logged at all"
    leaks = {
        "customer phone": CUSTOMER,
        "message text": "4929000000006",
        "staff password": PASSWORD,
        "access token": token,
        "app secret": APP_SECRET,
        "channel access token": "test-access-token",
    }
    found = {what for what, value in leaks.items() if value in logged}
    assert not found, (
        f"logged: {sorted(found)}; e.g. "
        + next(line for line in captured.lines if any(v in line for v in (leaks[w] for w in found)))[:2000]
    )
    assert DEMO_NUMBER  # routing ids are not personal data and may be logged
