"""The team API (read, validate, save as versions, try a message) over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from frontdesk.adapters.db.demo_seed import DEMO_DIR
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import text_message

API = "/api/v1/team"
OLIVER = "447700900102"
TEAM = (DEMO_DIR / "team.yaml").read_text(encoding="utf-8")
GREETING = "I'm the {business_name} assistant."
SEEDED = 1
"""The demo tenant's team version after the seed: its pack's team.yaml, adopted as version 1."""


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def get(fd: Running, role: str = "viewer") -> Any:
    answer = fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers(role))
    assert answer.status_code == 200, answer.text
    return answer.json()


def put(fd: Running, yaml: str, base_version: int, role: str = "admin") -> Any:
    body = {"yaml": yaml, "base_version": base_version}
    return fd.client.put(f"{fd.url}{API}", json=body, headers=fd.staff_headers(role))


def post(fd: Running, path: str, body: Any, role: str = "admin") -> Any:
    return fd.client.post(f"{fd.url}{API}/{path}", json=body, headers=fd.staff_headers(role), timeout=60)


def without_tool(yaml: str) -> str:
    """The demo team with an unknown tool given to the orders agent (a problem with a path and line)."""
    return yaml.replace("tools: [list_orders,", "tools: [cancel_everything, list_orders,", 1)


def test_the_demos_team_is_its_packs_until_saved(fd: Running) -> None:
    # The demo seed adopts the demo pack's team.yaml as version 1; the configured file (the default
    # team) serves businesses without a team of their own.
    team = get(fd)
    assert (team["version"], team["source"], team["saved_by"]) == (SEEDED, "saved", "system")
    assert team["yaml"] == TEAM
    agents = team["summary"]["agents"]
    assert [a["name"] for a in agents] == ["orders", "products", "support", "account", "booking"]
    orders = agents[0]
    assert "order_status" in orders["tools"] and orders["models"][-1] == "local" and orders["skills"] > 3
    assert orders["description"] and orders["instructions"]
    tools = {t["name"]: t["description"] for t in team["tools"]}
    assert "order_status" in tools and "handoff" in tools and tools["cancel_order"]


def test_validate_names_each_problem_by_path_and_line(fd: Running) -> None:
    good = post(fd, "validate", {"yaml": TEAM})
    assert good.status_code == 200, good.text
    assert good.json()["summary"]["name"] == "Lumen Home"

    bad = post(fd, "validate", {"yaml": without_tool(TEAM)})
    assert bad.status_code == 422, bad.text
    problems = bad.json()["problems"]
    assert any(
        p["path"].startswith("agents[0].tools") and "cancel_everything" in p["message"] and p["line"]
        for p in problems
    ), problems
    line = next(p["line"] for p in problems if p["path"].startswith("agents[0].tools"))
    assert (
        "cancel_everything" in TEAM.splitlines()[line - 1]
        or "cancel_everything" in without_tool(TEAM).splitlines()[line - 1]
    )

    syntax = post(fd, "validate", {"yaml": "name: x\nsupervisor: [\n"})
    assert syntax.status_code == 422 and syntax.json()["problems"][0]["line"] is not None

    provider = TEAM.replace('models: ["openai:gpt-4o-mini"', 'models: ["nosuch:model-1"', 2)
    unknown = post(fd, "validate", {"yaml": provider})
    assert unknown.status_code == 422, unknown.text
    assert any(
        "unknown provider" in p["message"] and ".models[0]" in p["path"] for p in unknown.json()["problems"]
    )


def test_a_save_with_an_error_saves_nothing(fd: Running) -> None:
    answer = put(fd, without_tool(TEAM), SEEDED)
    assert answer.status_code == 422
    assert answer.json()["problems"]
    assert get(fd)["version"] == SEEDED
    assert fd.query("select count(*) from team_versions")[0][0] == SEEDED
    assert fd.query("select count(*) from audit_log where action = 'team.updated'")[0][0] == SEEDED


def test_saves_are_versions_and_a_stale_base_is_409(fd: Running) -> None:
    edited = TEAM.replace(GREETING, "I'm the {business_name} helper.")
    saved = put(fd, edited, SEEDED)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert (body["version"], body["source"]) == (SEEDED + 1, "saved")
    assert body["saved_by"] and body["saved_at"]
    assert get(fd)["yaml"] == edited and get(fd)["version"] == SEEDED + 1

    stale = put(fd, TEAM, SEEDED)  # someone else's edit, started from the seeded version
    assert stale.status_code == 409 and "newer version" in stale.json()["detail"]
    assert get(fd)["yaml"] == edited

    assert put(fd, TEAM, SEEDED + 1).json()["version"] == SEEDED + 2
    audit = fd.query("select actor, details from audit_log where action = 'team.updated' order by id")
    assert len(audit) == SEEDED + 2 and "version" in str(audit[-1].details)
    assert audit[0].actor == "system"


def test_roles(fd: Running) -> None:
    for role in ("viewer", "agent"):
        assert put(fd, TEAM, SEEDED, role=role).status_code == 403
        assert post(fd, "validate", {"yaml": TEAM}, role=role).status_code == 403
    assert post(fd, "try", {"message": "hi"}, role="viewer").status_code == 403
    assert post(fd, "try", {"message": "hi"}, role="agent").status_code == 200
    assert get(fd, "viewer")["version"] == SEEDED


def counts(fd: Running) -> tuple[Any, ...]:
    return tuple(
        fd.query(f"select count(*) from {table}")[0][0]
        for table in ("messages", "outbox", "events", "jobs", "staff_tasks", "appointments", "audit_log")
    )


def test_try_is_a_dry_run(fd: Running) -> None:
    fd.staff_headers("agent")  # sign in first: a login is audited
    before, order = counts(fd), "select status from orders where order_ref = 'LH-100250'"
    ask = post(fd, "try", {"message": "please cancel my order LH-100250", "wa_id": OLIVER}, role="agent")
    assert ask.status_code == 200, ask.text
    first = ask.json()
    assert first["contact"]["wa_id"] == OLIVER
    assert first["routing"]["parts"][0]["agent"] == "orders" and first["routing"]["reason"]
    assert first["routing"]["candidates"][0]["confidence"] > 0
    question = first["replies"][-1]
    assert question["kind"] == "buttons"
    yes = next(b for b in question["buttons"] if "yes" in b["title"].lower())

    tap = {"message": yes["title"], "tapped": yes["id"], "wa_id": OLIVER, "state": first["state"]}
    done = post(fd, "try", tap, role="agent").json()
    assert "LH-100250" in json.dumps(done["replies"]) and "cancelled" in json.dumps(done["replies"])
    assert [t["name"] for t in done["tools"]] == ["cancel_order"] and done["tools"][0]["args"]
    assert done["writes"] == [
        {"action": "set_order_status", "details": {"order_ref": "LH-100250", "status": "cancelled"}}
    ]
    assert fd.query(order)[0].status == "backordered"  # nothing changed
    assert counts(fd) == before
    assert fd.sent() == []


def test_try_a_draft(fd: Running) -> None:
    draft = TEAM.replace(GREETING, "I'm the DRAFT-{business_name} bot.")
    answer = post(fd, "try", {"yaml": draft, "message": "hello"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "DRAFT-Lumen Home" in body["replies"][0]["body"]
    assert body["routing"]["parts"][0] == {
        "agent": "supervisor",
        "skill": "greeting",
        "text": "hello",
        "pending": False,
    }
    assert body["latency_ms"] >= 0

    invalid = post(fd, "try", {"yaml": without_tool(TEAM), "message": "hello"})
    assert invalid.status_code == 422 and invalid.json()["problems"]
    assert post(fd, "try", {"message": "hello", "wa_id": "99999999"}).status_code == 404
    assert get(fd)["version"] == SEEDED


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("", "put", {"yaml": TEAM}),
        ("", "put", {"yaml": TEAM, "base_version": -1}),
        ("", "put", {"yaml": "", "base_version": 0}),
        ("validate", "post", {"yaml": TEAM, "extra": 1}),
        ("try", "post", {"message": ""}),
        ("try", "post", {"message": "hi", "wa_id": "not-a-number"}),
        ("try", "post", {"message": "hi\x00"}),
    ],
)
def test_malformed_bodies_are_422(fd: Running, path: str, method: str, body: Any) -> None:
    url = f"{fd.url}{API}/{path}".rstrip("/")
    answer = fd.client.request(method.upper(), url, json=body, headers=fd.staff_headers("admin"))
    assert answer.status_code == 422, answer.text
    assert isinstance(answer.json()["detail"], list)


def test_an_oversize_body_is_413(fd: Running) -> None:
    huge = TEAM + "#" * (2 * 1024 * 1024)
    assert put(fd, huge, SEEDED).status_code == 413
    assert get(fd)["version"] == SEEDED


def test_a_junk_state_is_400_not_500(fd: Running) -> None:
    junk = {
        "agent": "orders",
        "skill": "cancel_order",
        "agents": {"orders": {"pending": {"slot": 5}, "slots": []}},
    }
    answer = post(fd, "try", {"message": "yes", "state": junk})
    assert answer.status_code in (200, 400), answer.text


def test_a_saved_team_answers_the_next_turn_without_restart(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        assert fd.post_webhook(text_message("wamid.G1", "hello")).status_code == 200
        first = fd.wait_for(lambda: fd.sent() or None, timeout=60, what="the first reply")[0]
        assert "assistant" in json.dumps(first["body"])

        edited = TEAM.replace(GREETING, "I'm the {business_name} concierge, version two.")
        assert put(fd, edited, SEEDED).status_code == 200
        assert fd.post_webhook(text_message("wamid.G2", "hi there", sender=OLIVER)).status_code == 200
        sent = fd.wait_for(
            lambda: s if len(s := fd.sent()) >= 2 else None, timeout=60, what="the second reply"
        )
        assert "concierge, version two" in json.dumps(sent[1]["body"])
