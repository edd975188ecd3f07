"""Nothing secret or personal in any log line, on every error path we can drive (issue #11, defect 7).

A real server on a real database; what the product's own log handler renders (message, `extra=`
fields, the traceback of any exception, after its redaction) is captured at DEBUG. The test drives
the error paths a running product meets — a refused webhook signature, database failures while
storing a customer's message and a staff reply (the database refuses rows holding a marker, so the
failing INSERT carries customer data as its bound parameters, and PostgreSQL quotes the refused row),
failed and retried Graph sends, a failing turn, refused logins — and then asserts that no line holds
the customer's phone number, their message text, a password, a token or a secret.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import structlog

from frontdesk.logs import configure_logging
from tests.support.harness import EchoResponder, Running, running_frontdesk
from tests.support.payloads import APP_SECRET, DEMO_NUMBER, text_message
from tests.support.staff import PASSWORD

CUSTOMER = "447700900555"
SECRET_TEXT = "my card number is 4929000000006 POISON"
TRIGGER_WORD = "POISON"


@pytest.fixture
def rendered() -> Iterator[io.StringIO]:
    """What the product's own log handler writes (its formatter and redaction, as `frontdesk serve` sets
    them up), at DEBUG, into a buffer instead of stderr."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(level="DEBUG", json=True)
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.reset_defaults()


def _refuse_marked_rows(fd: Running, dialect: str) -> None:
    """Make the database itself refuse any message whose text holds the trigger word. On PostgreSQL a
    CHECK constraint, whose error quotes the whole refused row ("DETAIL: Failing row contains ...")."""
    if dialect == "sqlite":
        fd.execute(
            "create trigger refuse_marked before insert on messages "
            f"when new.text like '%{TRIGGER_WORD}%' begin select raise(abort, 'refused by test'); end"
        )
        return
    fd.execute(
        f"alter table messages add constraint refused_by_test check (text not like '%{TRIGGER_WORD}%')"
    )


def test_no_error_path_logs_customer_data_or_secrets(
    database_url: str, graph_url: str, rendered: io.StringIO
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

    lines = rendered.getvalue().splitlines()
    logged = "\n".join(lines)
    assert len(lines) > 10, "the error paths logged nothing: the capture is broken"
    assert "refused" in logged and "Traceback" in logged, "the database errors were not logged at all"
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
        + next(line for line in lines if any(v in line for v in (leaks[w] for w in found)))[:2000]
    )
    assert DEMO_NUMBER  # routing ids are not personal data and may be logged
