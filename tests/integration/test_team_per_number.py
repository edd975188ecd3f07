"""A team per number (#14): a tenant's numbers each answer with their own team version, over real HTTP
on SQLite and PostgreSQL.

Lumen Home has two numbers: its demo number follows the current team (version 2, a "concierge"
greeting), and a support number pinned to version 1 (the demo pack's team, "I'm the Lumen Home
assistant."). A customer writing "hello" to each gets each team's greeting, answered by the offline
`local` brain. A number can only be pinned to a version its own tenant has: anything else is a 422
naming `team_version`, and another tenant's versions never count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from frontdesk.adapters.db.demo_seed import DEMO_DIR
from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import OTHER_NUMBER, OTHER_TENANT, add_other_tenant
from tests.support.payloads import AMELIA, DEMO_NUMBER, text_message

TEAM = (DEMO_DIR / "team.yaml").read_text(encoding="utf-8")
GREETING = "I'm the {business_name} assistant."
CONCIERGE = TEAM.replace(GREETING, "I'm the {business_name} concierge, version two.")
SEEDED = 1
"""The demo tenant's team version after the seed (its pack's team.yaml)."""
SUPPORT_NUMBER = "109876543210002"
OLIVER = "447700900102"


def api(fd: Running, method: str, path: str, body: Any = None, *, tenant: str = "lumen") -> Any:
    headers = fd.staff_headers("owner", tenant=tenant)
    return fd.client.request(method, f"{fd.url}/api/v1/{path}", json=body, headers=headers, timeout=120)


def save(fd: Running, yaml: str, base_version: int, *, tenant: str = "lumen") -> None:
    answer = api(fd, "PUT", "team", {"yaml": yaml, "base_version": base_version}, tenant=tenant)
    assert answer.status_code == 200, answer.text


def channel_id(fd: Running, number: str) -> int:
    return int(fd.query("select id from channels where phone_number_id = :n", n=number)[0][0])


def greeting(fd: Running, number: str, sender: str, wamid: str) -> str:
    """`sender` says hello to `number`: the reply that number sent back, as JSON text."""

    def sent() -> list[dict[str, Any]]:
        return [r for r in fd.sent() if r["phone_number_id"] == number and r["body"]["to"] == sender]

    before = len(sent())
    assert fd.post_webhook(text_message(wamid, "hello", sender=sender, number=number)).status_code == 200
    # The first turn of a team builds it (embeds its examples): generous on a busy machine.
    replies = fd.wait_for(
        lambda: found if len(found := sent()) > before else None, timeout=120, what=f"{number}'s reply"
    )
    return json.dumps(replies[-1]["body"])


def field_error(answer: Any, field: str) -> str:
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", field], error
    return str(error["msg"])


def test_each_number_answers_with_its_own_team(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        save(fd, CONCIERGE, SEEDED)  # version 2: the current team
        body = {"phone_number_id": SUPPORT_NUMBER, "name": "Support", "team_version": SEEDED}
        created = api(fd, "POST", "channels", body)
        assert created.status_code == 201, created.text
        assert created.json()["team_version"] == SEEDED

        shown = api(fd, "GET", "team").json()
        assert shown["version"] == SEEDED + 1
        by_number = {c["id"]: c for c in shown["channels"]}
        demo, support = by_number[channel_id(fd, DEMO_NUMBER)], by_number[created.json()["id"]]
        assert (demo["team_version"], demo["answering_version"]) == (None, SEEDED + 1)
        assert (support["team_version"], support["answering_version"]) == (SEEDED, SEEDED)
        assert (support["name"], support["kind"], support["enabled"]) == ("Support", "whatsapp_cloud", True)

        assert "concierge, version two" in greeting(fd, DEMO_NUMBER, AMELIA, "wamid.P1")
        pinned = greeting(fd, SUPPORT_NUMBER, OLIVER, "wamid.P2")
        assert "Lumen Home assistant" in pinned and "concierge" not in pinned

        # A save moves the current team on; the pinned number keeps its version.
        save(fd, TEAM.replace(GREETING, "I'm the {business_name} host, version three."), SEEDED + 1)
        assert "host, version three" in greeting(fd, DEMO_NUMBER, AMELIA, "wamid.P3")
        assert "Lumen Home assistant" in greeting(fd, SUPPORT_NUMBER, OLIVER, "wamid.P4")

        # Back to the tenant's team: the number follows the current version again.
        unpinned = api(fd, "PATCH", f"channels/{support['id']}", {"team_version": None})
        assert unpinned.status_code == 200 and unpinned.json()["team_version"] is None
        assert "host, version three" in greeting(fd, SUPPORT_NUMBER, OLIVER, "wamid.P5")


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def test_a_number_is_pinned_only_to_a_version_its_tenant_has(fd: Running) -> None:
    demo = channel_id(fd, DEMO_NUMBER)
    body = {"phone_number_id": SUPPORT_NUMBER, "team_version": SEEDED + 1}
    message = field_error(api(fd, "POST", "channels", body), "team_version")
    assert (
        message == f"no team version {SEEDED + 1} in this business: its versions are 0 (the team file) to 1"
    )
    assert fd.query("select count(*) from channels where phone_number_id = :n", n=SUPPORT_NUMBER)[0][0] == 0

    field_error(api(fd, "PATCH", f"channels/{demo}", {"team_version": 7}), "team_version")
    assert fd.query("select team_version from channels where id = :c", c=demo)[0][0] is None

    pinned = api(fd, "PATCH", f"channels/{demo}", {"team_version": SEEDED})
    assert pinned.status_code == 200 and pinned.json()["team_version"] == SEEDED
    save(fd, TEAM, SEEDED)  # version 2 exists now
    again = api(fd, "PATCH", f"channels/{demo}", {"team_version": SEEDED + 1})
    assert again.status_code == 200 and again.json()["team_version"] == SEEDED + 1
    audit = fd.query("select details from audit_log where action = 'channel.update' order by id")
    assert len(audit) == 2 and "team_version" in str(audit[-1].details)


def test_another_tenants_versions_do_not_count(fd: Running) -> None:
    add_other_tenant(fd)
    for base in range(3):  # Acme saves versions 1, 2 and 3; Lumen has only 0 and 1
        save(fd, TEAM, base, tenant=OTHER_TENANT)
    demo, theirs = channel_id(fd, DEMO_NUMBER), channel_id(fd, OTHER_NUMBER)

    message = field_error(api(fd, "PATCH", f"channels/{demo}", {"team_version": 3}), "team_version")
    assert "no team version 3" in message and "to 1" in message
    mine = api(fd, "PATCH", f"channels/{theirs}", {"team_version": 3})  # Lumen's owner, Acme's number
    assert mine.status_code == 404
    ours = api(fd, "PATCH", f"channels/{theirs}", {"team_version": 3}, tenant=OTHER_TENANT)
    assert ours.status_code == 200 and ours.json()["team_version"] == 3

    team = api(fd, "GET", "team").json()  # Lumen's team lists only Lumen's numbers
    assert [c["id"] for c in team["channels"]] == [demo]
    acme = api(fd, "GET", "team", tenant=OTHER_TENANT).json()
    assert [(c["id"], c["team_version"], c["answering_version"]) for c in acme["channels"]] == [
        (theirs, 3, 3)
    ]


def test_try_a_saved_version(fd: Running) -> None:
    save(fd, CONCIERGE, SEEDED)  # the current team is version 2; a try builds the version it names
    tried = api(fd, "POST", "team/try", {"message": "hello", "version": SEEDED})
    assert tried.status_code == 200, tried.text
    assert "Lumen Home assistant" in tried.json()["replies"][0]["body"]
    file_team = api(fd, "POST", "team/try", {"message": "hello", "version": 0})
    assert file_team.status_code == 200, file_team.text

    assert "no team version 9" in field_error(
        api(fd, "POST", "team/try", {"message": "hello", "version": 9}), "version"
    )
    both = api(fd, "POST", "team/try", {"message": "hello", "version": 1, "yaml": TEAM})
    assert both.status_code == 422
    assert api(fd, "POST", "team/try", {"message": "hello", "version": -1}).status_code == 422
