"""The channels admin API per kind, over real HTTP on SQLite and PostgreSQL: Cloud API and AWS numbers,
and a bridge number's whole life against the fake zapw (a real server on loopback): created with a QR,
linked and lost as zapw reports it on the webhook, disconnected, reconnected and deleted by staff."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.support.bridge import WEBHOOK_TOKEN, ZAPW_API_KEY, BridgeFrontdesk, FakeZapw
from tests.support.channels_api import call
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import DEMO_NUMBER, text_message
from tests.support.tenants import add_channel, add_tenant

AWS_ID = "phone-number-id-0123456789abcdef0123456789abcdef"
AWS_ARN = "arn:aws:social-messaging:eu-west-1:123456789012:phone-number-id/0123456789abcdef"
BRIDGE = {"kind": "wa_bridge", "name": "Shop"}

pytest_plugins = ["tests.support.bridge_fixtures"]


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    """Frontdesk without a bridge (FRONTDESK_BRIDGE_URL unset)."""
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def events(fd: Running) -> list[dict[str, Any]]:
    rows = fd.query("select payload from events where type = 'channel.status' order by id")
    return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]


def audit(fd: Running) -> list[tuple[str, str]]:
    """(action, actor) of every channel audit entry, in order."""
    rows = fd.query("select action, actor from audit_log where target_type = 'channel' order by id")
    return [(r[0], r[1]) for r in rows]


def sessions(zapw: FakeZapw) -> list[str]:
    """The session ids zapw has, asked with its API key as Frontdesk asks."""
    answer = zapw.http.get(f"{zapw.url}/sessions", headers={"Authorization": f"Bearer {ZAPW_API_KEY}"})
    return [s["id"] for s in answer.json()["data"]]


def channel_count(fd: Running) -> int:
    return int(fd.query("select count(*) from channels")[0][0])


def test_a_bridge_number_gets_a_qr_then_links_and_loses_its_phone_as_zapw_says(
    bridge: BridgeFrontdesk,
) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    created = call(fd, "POST", body=BRIDGE)
    assert created.status_code == 201, created.text
    channel = created.json()
    session = channel["session_id"]
    assert session.startswith("fd-") and sessions(zapw) == [session]
    assert (channel["kind"], channel["status"], channel["phone_number_id"]) == (
        "wa_bridge",
        "qr_waiting",
        None,
    )
    assert channel["qr"].startswith("2@") and channel["qr_expires_at"]
    assert channel["webhook_url"] == f"{fd.url}/webhooks/bridge"
    assert channel["verify_token"] is None and channel["access_token"] == {"set": False}
    assert WEBHOOK_TOKEN not in created.text and ZAPW_API_KEY not in created.text
    assert [c["qr"] for c in call(fd, "GET").json()["items"]] == [None, None]  # lists never ask zapw

    assert zapw.scan(session, phone="447700900123", name="Shop phone")["webhook_statuses"] == [200]
    linked = call(fd, "GET", f"/{channel['id']}").json()
    assert (linked["status"], linked["display_phone_number"], linked["profile_name"]) == (
        "connected",
        "+447700900123",
        "Shop phone",
    )
    assert linked["qr"] is None and linked["session_id"] == session
    announced = events(fd)[-1]
    assert (announced["channel_id"], announced["status"], announced["phone"]) == (
        channel["id"],
        "connected",
        "+447700900123",
    )
    assert (announced["profile_name"], announced["session_id"]) == ("Shop phone", session)

    zapw.disconnect(session, reason="logged out from the phone")
    lost = call(fd, "GET", f"/{channel['id']}").json()
    assert (lost["status"], lost["status_detail"]) == ("disconnected", "logged out from the phone")
    assert lost["display_phone_number"] == "+447700900123"  # the number it had, for staff to recognise
    assert (events(fd)[-1]["status"], events(fd)[-1]["reason"]) == (
        "disconnected",
        "logged out from the phone",
    )
    # Staff added it; the phone's link and its loss were reported by zapw, done by no one on the staff.
    assert [a for a, _ in audit(fd)] == ["channel.create", "channel.connect", "channel.disconnect"]
    assert [actor for _, actor in audit(fd)][1:] == ["system", "system"]


def test_a_repeated_or_older_session_event_changes_nothing(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    connected = zapw.scan(session)["envelope"]
    before = len(events(fd))
    assert zapw.deliver(connected)["webhook_statuses"] == [200]  # zapw's retry of the same event
    assert len(events(fd)) == before
    older = connected | {"eventType": "session.disconnected", "timestamp": connected["timestamp"] - 60_000}
    older["data"] = {"reason": "stale", "lastSeen": connected["timestamp"] - 60_000}
    assert zapw.deliver(older)["webhook_statuses"] == [200]
    row = fd.query("select status from channels where phone_number_id = :s", s=session)
    assert row[0][0] == "connected" and len(events(fd)) == before


def test_an_event_of_a_session_nobody_owns_is_answered_and_changes_nothing(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    envelope = {
        "sessionId": "fd-nobody0000000000000000",
        "origin": "447700900999",
        "eventType": "session.connected",
        "timestamp": 1_765_100_000_000,
        "data": {"phoneNumber": "447700900999", "name": "Stranger"},
    }
    assert zapw.deliver(envelope)["webhook_statuses"] == [200]
    assert events(fd) == [] and channel_count(fd) == 1


def test_get_gives_a_fresh_qr_once_the_last_one_expired(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    zapw.http.post(f"{zapw.url}/_fake/config", json={"qr_ttl_seconds": 0.001}).raise_for_status()
    channel = call(fd, "POST", body=BRIDGE).json()
    first = call(fd, "GET", f"/{channel['id']}").json()
    second = call(fd, "GET", f"/{channel['id']}").json()
    assert len({channel["qr"], first["qr"], second["qr"]}) == 3
    assert first["status"] == second["status"] == "qr_waiting"
    assert second["qr_expires_at"] >= first["qr_expires_at"]


def test_a_session_zapw_lost_reads_as_disconnected(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    channel = call(fd, "POST", body=BRIDGE).json()
    zapw.reset()  # zapw lost its sessions (its data volume, say)
    read = call(fd, "GET", f"/{channel['id']}").json()
    assert (read["status"], read["qr"]) == ("disconnected", None)
    assert "reconnect" in read["status_detail"]
    assert events(fd)[-1]["status"] == "disconnected"


def test_zapw_failing_on_create_stores_nothing(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    zapw.down()
    down = call(fd, "POST", body=BRIDGE)
    zapw.up()
    assert down.status_code == 503, down.text
    assert "bridge" in down.json()["detail"] and down.json()["request_id"]
    zapw.fail(on="sessions", status=401, error="Unauthorized", message="Invalid API key")
    refused = call(fd, "POST", body=BRIDGE)
    assert refused.status_code == 502, refused.text
    assert "Invalid API key" in refused.json()["detail"] and ZAPW_API_KEY not in refused.text
    assert channel_count(fd) == 1 and sessions(zapw) == []
    assert audit(fd) == [] and events(fd) == []


def refuse_bridge_inserts(fd: Running) -> None:
    """Make the database itself refuse to store a bridge number (a trigger), as a failing disk or a
    lost connection would, after zapw has made its session."""
    if fd.sync_db_url.startswith("sqlite"):
        fd.execute(
            "CREATE TRIGGER refuse_bridge BEFORE INSERT ON channels WHEN NEW.kind = 'wa_bridge' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
        return
    fd.execute(
        "CREATE FUNCTION refuse_bridge() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; "
        "END $$ LANGUAGE plpgsql"
    )
    fd.execute(
        "CREATE TRIGGER refuse_bridge BEFORE INSERT ON channels FOR EACH ROW "
        "WHEN (NEW.kind = 'wa_bridge') EXECUTE FUNCTION refuse_bridge()"
    )


def test_a_session_is_ended_again_when_the_number_cannot_be_stored(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    refuse_bridge_inserts(fd)
    answer = call(fd, "POST", body=BRIDGE)
    # SQLite reports a trigger's refusal as a constraint violation, which the repository takes for a
    # concurrent registration of the same key (409); PostgreSQL's is an unexpected error (500).
    assert answer.status_code == (409 if fd.sync_db_url.startswith("sqlite") else 500), answer.text
    assert sessions(zapw) == []  # zapw made one, Frontdesk ended it: no phone linked to nothing
    assert channel_count(fd) == 1 and audit(fd) == []


def test_a_session_zapw_made_before_failing_is_ended(bridge: BridgeFrontdesk) -> None:
    """zapw makes the session but the answer is an error (a proxy's 504 after zapw did it, a timeout):
    Frontdesk cannot know it was made, so it ends it (its id is new and random: nobody else's)."""
    fd, zapw = bridge.fd, bridge.zapw
    zapw.fail(on="sessions", after=True, status=504, error="Gateway Timeout", message="upstream timed out")
    answer = call(fd, "POST", body=BRIDGE)
    assert answer.status_code == 503, answer.text
    assert channel_count(fd) == 1 and sessions(zapw) == []

    old = bridge.add_bridge_number(scan=False)
    channel_id = int(fd.query("select id from channels where phone_number_id = :s", s=old)[0][0])
    zapw.fail(on="sessions", after=True, status=504, error="Gateway Timeout", message="upstream timed out")
    again = call(fd, "POST", f"/{channel_id}/reconnect")
    assert again.status_code == 503, again.text
    assert sessions(zapw) == [old]  # the channel's own session stays, the one made for nothing is gone
    assert call(fd, "GET", f"/{channel_id}").json()["session_id"] == old


def test_zapw_unreachable_on_create_is_503(database_url: str, graph_url: str) -> None:
    with running_frontdesk(
        database_url, graph_url, bridge_url="http://127.0.0.1:9", bridge_webhook_token=WEBHOOK_TOKEN
    ) as fd:
        answer = call(fd, "POST", body=BRIDGE)
        assert answer.status_code == 503, answer.text
        assert "bridge" in answer.json()["detail"]
        assert channel_count(fd) == 1


def test_disconnect_reconnect_and_delete_a_bridge_number(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    old = bridge.add_bridge_number()
    channel_id = int(fd.query("select id from channels where phone_number_id = :s", s=old)[0][0])
    path = f"/{channel_id}"

    refused = call(fd, "POST", f"{path}/reconnect")
    assert refused.status_code == 409 and "disconnect it first" in refused.json()["detail"]

    off = call(fd, "POST", f"{path}/disconnect")
    assert off.status_code == 200, off.text
    assert (off.json()["status"], off.json()["status_detail"]) == ("disconnected", "disconnected by staff")
    assert sessions(zapw) == []

    again = call(fd, "POST", f"{path}/reconnect")
    assert again.status_code == 200, again.text
    new = again.json()["session_id"]
    assert new != old and new.startswith("fd-") and sessions(zapw) == [new]
    assert (again.json()["status"], again.json()["qr"][:2]) == ("qr_waiting", "2@")
    assert again.json()["display_phone_number"] is None  # the old phone is forgotten until one scans
    # zapw's late retry for the old session names a session nobody owns now: the new link stands.
    stale = {"sessionId": old, "eventType": "session.connected", "timestamp": 4_102_444_800_000}
    zapw.deliver(stale | {"origin": "1", "data": {"phoneNumber": "447700900555", "name": "Old"}})
    assert call(fd, "GET", path).json()["status"] == "qr_waiting"
    zapw.scan(new, phone="447700900777")
    assert call(fd, "GET", path).json()["display_phone_number"] == "+447700900777"

    assert call(fd, "DELETE", path).status_code == 204
    assert call(fd, "GET", path).status_code == 404
    assert sessions(zapw) == []
    actions = [a for a, _ in audit(fd)]
    assert actions[0] == "channel.create" and actions[-1] == "channel.delete"
    assert {"channel.disconnect", "channel.reconnect", "channel.connect"} <= set(actions)
    assert events(fd)[-1]["status"] == "deleted"


def test_disconnect_fails_cleanly_when_zapw_does(bridge: BridgeFrontdesk) -> None:
    fd, zapw = bridge.fd, bridge.zapw
    session = bridge.add_bridge_number()
    channel_id = int(fd.query("select id from channels where phone_number_id = :s", s=session)[0][0])
    zapw.down()
    answer = call(fd, "POST", f"/{channel_id}/disconnect")
    zapw.up()
    assert answer.status_code == 503, answer.text
    assert call(fd, "GET", f"/{channel_id}").json()["status"] == "connected"
    assert call(fd, "DELETE", f"/{channel_id}").status_code == 204


def test_a_number_with_conversations_is_not_deleted(fd: Running) -> None:
    channel_id = int(fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)[0][0])
    fd.post_webhook(text_message("wamid.KEEP1", "hello"))
    fd.wait_for(lambda: fd.query("select id from conversations"), what="the conversation")
    answer = call(fd, "DELETE", f"/{channel_id}")
    assert answer.status_code == 409
    assert "disable it instead" in answer.json()["detail"]
    assert call(fd, "GET", f"/{channel_id}").status_code == 200
    assert fd.query("select count(*) from messages")[0][0] >= 1

    empty = call(fd, "POST", body={"phone_number_id": "100200300500"}).json()
    assert call(fd, "DELETE", f"/{empty['id']}").status_code == 204
    assert call(fd, "DELETE", f"/{empty['id']}").status_code == 404


def test_a_conversation_started_while_a_number_is_deleted_keeps_it(fd: Running) -> None:
    """A customer's first message being stored (its conversation inserted, not yet committed) while staff
    delete the number: the delete waits for it and answers 409, the conversation is not cascade-deleted.
    PostgreSQL: the delete is seen waiting on the lock before the conversation commits. SQLite: its
    write transactions are exclusive, so the delete runs before or after, never between (409 too)."""
    channel_id, tenant = fd.query(
        "select id, tenant_id from channels where phone_number_id = :p", p=DEMO_NUMBER
    )[0]
    fd.execute(
        "insert into contacts (tenant_id, wa_id, preferences, marketing_opt_in, vip, created_at) "
        "values (:t, '15550009999', '{}', :no, :no, CURRENT_TIMESTAMP)",
        t=tenant,
        no=False,
    )
    contact = fd.query("select id from contacts where wa_id = '15550009999'")[0][0]
    engine = create_engine(fd.sync_db_url)
    try:
        with engine.connect() as ingest, ThreadPoolExecutor(1) as pool:
            ingest.execute(
                text(
                    "insert into conversations (tenant_id, channel_id, contact_id, status, unread_count, "
                    "created_at, updated_at) values (:t, :c, :k, 'bot', 0, CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                ),
                {"t": tenant, "c": channel_id, "k": contact},
            )
            deleting = pool.submit(call, fd, "DELETE", f"/{channel_id}")
            if fd.sync_db_url.startswith("postgresql"):
                waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                fd.wait_for(lambda: fd.query(waiting)[0][0], what="the delete waiting for the channel")
            ingest.commit()
            answer = deleting.result(timeout=30)
    finally:
        engine.dispose()
    assert answer.status_code == 409, answer.text
    assert fd.query("select count(*) from conversations where channel_id = :c", c=channel_id)[0][0] == 1


def test_bridge_actions_on_a_server_without_a_bridge(fd: Running) -> None:
    answer = call(fd, "POST", body=BRIDGE)
    assert answer.status_code == 400, answer.text
    assert "FRONTDESK_BRIDGE_URL" in answer.json()["detail"]
    assert channel_count(fd) == 1
    demo, tenant = fd.query("select id, tenant_id from channels")[0]
    fd.execute(
        "insert into channels (tenant_id, kind, phone_number_id, enabled, status, created_at) "
        "values (:t, 'wa_bridge', 'fd-linked-before', :on, 'disconnected', CURRENT_TIMESTAMP)",
        t=tenant,
        on=True,
    )  # a bridge number from when the server had a bridge
    linked = int(fd.query("select id from channels where phone_number_id = 'fd-linked-before'")[0][0])
    theirs = add_channel(fd, add_tenant(fd), "200000000000777")
    for action in ("disconnect", "reconnect"):
        assert call(fd, "POST", f"/{linked}/{action}").status_code == 400
        assert call(fd, "POST", f"/{demo}/{action}").status_code == 409  # not a bridge number anyway
        assert call(fd, "POST", f"/{theirs}/{action}").status_code == 404  # another tenant's: not there


def test_bridge_actions_on_a_cloud_number_are_409(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    demo = int(fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)[0][0])
    for action in ("disconnect", "reconnect"):
        answer = call(fd, "POST", f"/{demo}/{action}")
        assert answer.status_code == 409, answer.text
        assert "wa_bridge" in answer.json()["detail"]


def test_an_aws_number_is_added_and_changed(fd: Running) -> None:
    body = {"kind": "aws_social", "phone_number_id": "100200300600", "aws_phone_number_id": AWS_ID}
    created = call(fd, "POST", body=body | {"region": "eu-west-1", "name": "AWS line"})
    assert created.status_code == 201, created.text
    channel = created.json()
    assert (channel["kind"], channel["aws_phone_number_id"], channel["region"]) == (
        "aws_social",
        AWS_ID,
        "eu-west-1",
    )
    assert channel["webhook_url"] == f"{fd.url}/webhooks/aws"
    assert (channel["verify_token"], channel["status"], channel["session_id"]) == (None, None, None)
    path = f"/{channel['id']}"

    moved = call(fd, "PATCH", path, {"aws_phone_number_id": AWS_ARN})
    assert moved.status_code == 200 and moved.json()["aws_phone_number_id"] == AWS_ARN
    elsewhere = call(fd, "PATCH", path, {"region": "us-east-1"})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["detail"][0]["loc"] == ["body", "region"]
    for field, value in [("groups", True), ("access_token", "EAAG-token-for-aws")]:
        wrong = call(fd, "PATCH", path, {field: value})
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", field], wrong.text
    # The key is Meta's id whatever the kind: a Cloud API number's is taken for AWS too, and back.
    taken = call(fd, "POST", body=body | {"region": "eu-west-1", "phone_number_id": DEMO_NUMBER})
    assert taken.status_code == 409
    assert call(fd, "POST", body={"phone_number_id": "100200300600"}).status_code == 409


def test_patch_groups_team_version_and_fields_of_another_kind(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    session = bridge.add_bridge_number(scan=False)
    bridge_id = int(fd.query("select id from channels where phone_number_id = :s", s=session)[0][0])
    demo = int(fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)[0][0])

    grouped = call(fd, "PATCH", f"/{bridge_id}", {"groups": True, "team_version": 0})
    assert grouped.status_code == 200, grouped.text
    assert (grouped.json()["groups"], grouped.json()["team_version"]) == (True, 0)
    back = call(fd, "PATCH", f"/{bridge_id}", {"team_version": None})
    assert (back.json()["team_version"], back.json()["groups"]) == (None, True)
    assert call(fd, "PATCH", f"/{demo}", {"team_version": 0}).json()["team_version"] == 0

    for channel_id, field, value in [
        (demo, "groups", True),
        (demo, "region", "eu-west-1"),
        (demo, "aws_phone_number_id", AWS_ID),
        (bridge_id, "waba_id", "55500011"),
        (bridge_id, "access_token", "EAAG-token-for-bridge"),
        (bridge_id, "region", "eu-west-1"),
    ]:
        answer = call(fd, "PATCH", f"/{channel_id}", {field: value})
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["body", field]
    fields = fd.query("select details from audit_log where action = 'channel.update' order by id")
    assert "EAAG-token" not in str(fields)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (BRIDGE | {"phone_number_id": "100200300700"}, "phone_number_id", "session"),
        (BRIDGE | {"access_token": "EAAG-token-0001"}, "access_token", "API key"),
        (BRIDGE | {"region": "eu-west-1"}, "region", "aws_social"),
        ({"kind": "wa_bridge"}, "name", "required"),
        (BRIDGE | {"groups": "yes"}, "groups", "boolean"),
        ({"kind": "telegram", "name": "x"}, "kind", "wa_bridge"),
        ({"kind": {}, "name": "x"}, "kind", "wa_bridge"),  # was a 500 (found by test_api_schema)
        ({"kind": ["wa_bridge"], "name": "x"}, "kind", "wa_bridge"),
        ({"phone_number_id": "100200300700", "groups": True}, "groups", "wa_bridge"),
        ({"phone_number_id": "100200300700", "region": "eu-west-1"}, "region", "aws_social"),
        ({"phone_number_id": "100200300700", "team_version": -1}, "team_version", "greater"),
        ({"phone_number_id": "100200300700", "team_version": "1"}, "team_version", "integer"),
        (
            {"kind": "aws_social", "phone_number_id": "100200300700", "region": "eu-west-1"},
            "aws_phone_number_id",
            "",
        ),
        (
            {
                "kind": "aws_social",
                "phone_number_id": "100200300700",
                "aws_phone_number_id": "pn-1",
                "region": "eu-west-1",
            },
            "aws_phone_number_id",
            "phone-number-id-",
        ),
        (
            {
                "kind": "aws_social",
                "phone_number_id": "100200300700",
                "aws_phone_number_id": AWS_ID,
                "region": "Ireland",
            },
            "region",
            "eu-west-1",
        ),
        (
            {
                "kind": "aws_social",
                "phone_number_id": "100200300700",
                "aws_phone_number_id": AWS_ARN,
                "region": "us-east-1",
            },
            "region",
            "eu-west-1",
        ),
        (
            {
                "kind": "aws_social",
                "phone_number_id": "abc",
                "aws_phone_number_id": AWS_ID,
                "region": "eu-west-1",
            },
            "phone_number_id",
            "",
        ),
        (
            {
                "kind": "aws_social",
                "phone_number_id": "100200300700",
                "aws_phone_number_id": AWS_ID,
                "region": "eu-west-1",
                "access_token": "EAAG-token-0001",
            },
            "access_token",
            "boto3",
        ),
    ],
)
def test_bad_bodies_per_kind_are_422_naming_the_field(
    fd: Running, body: dict[str, Any], field: str, says: str
) -> None:
    answer = call(fd, "POST", body=body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert [e["loc"] for e in errors] == [["body", field]], errors
    assert says in errors[0]["msg"]
    assert channel_count(fd) == 1


def test_other_tenants_numbers_look_missing_to_every_action(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    theirs = add_channel(fd, add_tenant(fd, "other"), "900800700601")
    for method, path in [("DELETE", ""), ("POST", "/reconnect"), ("POST", "/disconnect"), ("GET", "")]:
        answer = call(fd, method, f"/{theirs}{path}")
        missing = call(fd, method, f"/{theirs + 1000}{path}")
        assert answer.status_code == missing.status_code == 404, (method, path)
    assert fd.query("select count(*) from channels where id = :i", i=theirs)[0][0] == 1


def test_roles(bridge: BridgeFrontdesk) -> None:
    fd = bridge.fd
    assert call(fd, "POST", body=BRIDGE, role="agent").status_code == 403
    demo = int(fd.query("select id from channels")[0][0])
    assert call(fd, "DELETE", f"/{demo}", role="viewer").status_code == 403
    assert call(fd, "POST", f"/{demo}/disconnect", role="agent").status_code == 403
    assert sessions(bridge.zapw) == []
