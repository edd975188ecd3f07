"""The channels admin API over real HTTP on SQLite and PostgreSQL, with the fake Graph API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.channels_api import API, call
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import DEMO_NUMBER, text_message
from tests.support.tenants import add_channel, add_tenant

TOKEN = "EAAG-very-secret-token-0042"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def demo_channel_id(fd: Running) -> int:
    return int(fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)[0][0])


def events(fd: Running, kind: str) -> list[dict[str, Any]]:
    rows = fd.query("select payload from events where type = :t order by id", t=kind)
    return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]


def test_add_change_disable_and_enable_a_number(fd: Running) -> None:
    new = {"phone_number_id": "100200300400", "name": "Sales", "access_token": TOKEN, "waba_id": "55500011"}
    created = call(fd, "POST", body=new)
    assert created.status_code == 201, created.text
    channel = created.json()
    assert channel["access_token"] == {"set": True}
    assert channel["webhook_url"] == f"{fd.url}/webhooks/whatsapp"
    assert channel["verify_token"] == "test-verify-token"
    assert channel["enabled"] is True

    listed = call(fd, "GET").json()
    assert listed["total"] == 2
    assert [c["phone_number_id"] for c in listed["items"]] == [DEMO_NUMBER, "100200300400"]

    path = f"/{channel['id']}"
    changed = call(fd, "PATCH", path, {"name": "Sales desk", "access_token": None})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Sales desk"
    assert changed.json()["access_token"] == {"set": False}

    assert call(fd, "POST", f"{path}/disable").json()["enabled"] is False
    assert call(fd, "GET", path).json()["enabled"] is False
    assert call(fd, "POST", f"{path}/enable").json()["enabled"] is True
    assert [e["status"] for e in events(fd, "channel.status")] == ["disabled", "enabled"]

    actions = [
        r[0] for r in fd.query("select action from audit_log where target_type = 'channel' order by id")
    ]
    assert actions == ["channel.create", "channel.update", "channel.update", "channel.update"]


def test_credentials_are_never_returned_or_logged(fd: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    created = call(fd, "POST", body={"phone_number_id": "100200300401", "access_token": TOKEN})
    channel_id = created.json()["id"]
    answers = [
        created,
        call(fd, "GET"),
        call(fd, "GET", f"/{channel_id}"),
        call(fd, "PATCH", f"/{channel_id}", {"access_token": TOKEN + "-2"}),
        call(fd, "POST", f"/{channel_id}/test"),
        call(fd, "POST", f"/{channel_id}/disable"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert TOKEN not in answer.text
    audit = fd.query("select details from audit_log")
    assert all(TOKEN not in str(r[0]) for r in audit)
    assert TOKEN not in caplog.text
    stored = fd.query("select access_token from channels where id = :i", i=channel_id)
    assert stored[0][0].startswith("enc:v1:") and TOKEN not in stored[0][0]  # encrypted at rest


def test_a_disabled_number_gets_no_turns(fd: Running) -> None:
    call(fd, "POST", f"/{demo_channel_id(fd)}/disable")
    ack = fd.post_webhook(text_message("wamid.DISABLED1", "hello?"))
    assert ack.json()["unknown_channel"] == 1
    assert fd.query("select count(*) from messages")[0][0] == 0


def test_uncertain_sends_policy_is_resend_unless_set_to_hold(fd: Running) -> None:
    path = f"/{demo_channel_id(fd)}"
    assert call(fd, "GET", path).json()["uncertain_sends"] == "resend"
    changed = call(fd, "PATCH", path, {"uncertain_sends": "hold"})
    assert (changed.status_code, changed.json()["uncertain_sends"]) == (200, "hold")
    assert fd.query("select uncertain_sends from channels where id = :i", i=int(path[1:]))[0][0] == "hold"
    assert call(fd, "PATCH", path, {"name": "Support"}).json()["uncertain_sends"] == "hold"
    refused = call(fd, "PATCH", path, {"uncertain_sends": "sometimes"})
    assert refused.status_code == 422
    assert call(fd, "GET", path).json()["uncertain_sends"] == "hold"
    new = {"phone_number_id": "100200300401", "uncertain_sends": "hold"}
    assert call(fd, "POST", body=new).json()["uncertain_sends"] == "hold"


def test_duplicate_phone_number_id_is_409(fd: Running) -> None:
    answer = call(fd, "POST", body={"phone_number_id": DEMO_NUMBER})
    assert answer.status_code == 409
    assert DEMO_NUMBER in answer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone_number_id": "12ab"}, "phone_number_id"),
        ({"phone_number_id": "12"}, "phone_number_id"),
        ({"phone_number_id": "100200300402", "display_phone_number": "call me"}, "display_phone_number"),
        ({"phone_number_id": "100200300402", "access_token": "x"}, "access_token"),
        ({"phone_number_id": "100200300402", "colour": "red"}, "colour"),
        ({"phone_number_id": "100200300402", "name": "Sales\x00"}, "name"),  # was a 500 on PostgreSQL
        ({"phone_number_id": "100200300402", "uncertain_sends": "twice"}, "uncertain_sends"),
        ({}, "phone_number_id"),
    ],
)
def test_bad_input_is_422_naming_the_field(fd: Running, body: dict[str, Any], field: str) -> None:
    answer = call(fd, "POST", body=body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(field in e["loc"] for e in errors), errors


def test_a_token_that_cannot_go_in_a_header_is_422_not_a_500_later(fd: Running) -> None:
    """Found by test_api_schema: a non-ASCII token was stored, then "test connection" crashed (500)
    putting it in the Authorization header."""
    channel_id = demo_channel_id(fd)
    for bad in ["EAAG-tökén-0042", "EAAG token 0042", "EAAG-\u0085-0042"]:
        created = call(fd, "POST", body={"phone_number_id": "100200300499", "access_token": bad})
        assert created.status_code == 422, created.text
        assert any("access_token" in e["loc"] for e in created.json()["detail"])
        changed = call(fd, "PATCH", f"/{channel_id}", {"access_token": bad})
        assert changed.status_code == 422, changed.text
    assert call(fd, "POST", f"/{channel_id}/test").status_code == 200
    assert not fd.query("select id from channels where phone_number_id = '100200300499'")


def test_other_tenants_numbers_look_missing(fd: Running) -> None:
    other = add_tenant(fd, "other")
    theirs = add_channel(fd, other, "900800700600", token="their-token-123")
    for method, path, body in [
        ("GET", "", None),
        ("PATCH", "", {"name": "mine now"}),
        ("POST", "/disable", None),
        ("POST", "/enable", None),
        ("POST", "/test", None),
    ]:
        answer = call(fd, method, f"/{theirs}{path}", body)
        missing = call(fd, method, f"/{theirs + 1000}{path}", body)
        assert answer.status_code == missing.status_code == 404, (method, path)
        assert answer.json()["detail"].replace(str(theirs), "N") == missing.json()["detail"].replace(
            str(theirs + 1000), "N"
        )
    assert [c["id"] for c in call(fd, "GET").json()["items"]] == [demo_channel_id(fd)]
    row = fd.query("select name, enabled from channels where id = :i", i=theirs)[0]
    assert (row[0], bool(row[1])) == (None, True)
    assert fd.client.get(f"{fd.graph_url}/_fake/messages").json()["messages"] == []


def test_connection_test_reports_graph_answers(fd: Running) -> None:
    channel_id = demo_channel_id(fd)
    assert call(fd, "GET", f"/{channel_id}").json()["last_test"] is None
    started = datetime.now(UTC) - timedelta(seconds=1)
    ok = call(fd, "POST", f"/{channel_id}/test")
    assert ok.status_code == 200
    assert ok.json()["ok"] is True
    assert ok.json()["verified_name"] == "Fake Business"
    assert ok.json()["quality_rating"] == "GREEN"
    passed = call(fd, "GET", f"/{channel_id}").json()["last_test"]
    assert (passed["ok"], passed["error"]) == (True, None)
    assert started <= datetime.fromisoformat(passed["at"]) <= datetime.now(UTC) + timedelta(seconds=1)

    fd.fail_graph(status=401, code=190, message="Error validating access token: Session has expired")
    failed = call(fd, "POST", f"/{channel_id}/test").json()
    assert failed["ok"] is False
    assert failed["error_code"] == "190"
    assert "Session has expired" in failed["error_message"]
    announced = events(fd, "channel.status")
    assert announced[-1]["status"] == "error"
    assert announced[-1]["error_code"] == "190"
    # The outcome stays on the number, for the list and for anyone who looks later.
    listed = {c["id"]: c for c in call(fd, "GET").json()["items"]}[channel_id]["last_test"]
    assert listed["ok"] is False
    assert listed["error"] == "(#190) Error validating access token: Session has expired"
    assert datetime.fromisoformat(listed["at"]) >= datetime.fromisoformat(passed["at"])


def test_a_number_graph_does_not_know_fails_the_test(fd: Running) -> None:
    created = call(fd, "POST", body={"phone_number_id": "100200300403"}).json()
    # The fake answers any numeric id; make it refuse like Graph does for an unknown object.
    fd.fail_graph(status=400, code=100, message="Unsupported get request.", type="GraphMethodException")
    answer = call(fd, "POST", f"/{created['id']}/test").json()
    assert (answer["ok"], answer["error_code"]) == (False, "100")


def test_roles(fd: Running) -> None:
    assert call(fd, "GET", role="agent").status_code == 403
    assert call(fd, "GET", role="viewer").status_code == 403
    assert call(fd, "GET", role="owner").status_code == 200
    assert fd.client.get(f"{fd.url}{API}").status_code == 401
