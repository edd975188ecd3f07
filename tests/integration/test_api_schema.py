"""Schemathesis over every operation of `/openapi.json`, with every check, against the real app as a
signed-in owner: what `st run` does with all its checks, run by schemathesis's own engine from Python.

All four phases run: the schema's examples; coverage (each parameter and property at and past its bounds,
missing, of the wrong type, and the methods a path does not have); fuzzing (positive and negative cases,
`Profile.max_examples` per operation); and stateful sequences that feed one answer's ids into the next
requests. Every registered check judges the answers (`ALL_CHECKS`, and the test fails if one never ran):
no server error; a documented status, content type, headers and body; invalid data refused and valid
data accepted; 405 with an honest `Allow` for an undocumented method; auth not ignored; a deleted
resource gone and a created one there; and no object of the owner's tenant readable by another tenant's
owner (the two are "peers"). The cases are generated from a fixed seed and not shrunk; two workers run
operations side by side, so the stateful phase may meet the data in another order from run to run. A
failure is listed with a curl to replay it.

Two settings narrow what is generated or expected, each for a reason the schema cannot state:
- no NUL characters in generated text: every route refuses NUL anywhere in a request with 422, because
  no database stores it as text (`frontdesk.api.body`, docs/admin-api.md); JSON Schema cannot say that
  of every string at once. The refusal is tested in test_inbox_api.py and test_tenant_api.py.
- `SEMANTIC`: operations whose schema-valid requests can still be refused by a rule JSON Schema cannot
  express (across fields, or against stored state), with the status each answers then (the same list
  is in docs/admin-api.md); `positive_data_acceptance` accepts that status for them only, and every
  other check still applies. Everywhere it accepts `ACCEPTED`.

Two routes end or change the caller's session, so each runs on its own (see `OWN_SESSION`). The
WebSocket `/api/v1/ws` is not in the OpenAPI document; tests/integration/test_live_events.py covers it.

The cost is bounded per database (`PROFILES`): the fullest run on SQLite; on PostgreSQL the same
examples and coverage phase (where the bounds and odd values the databases differ on are sent) with
fewer fuzzed cases and stateful scenarios.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.specs.openapi import checks as openapi_checks

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import OTHER_TENANT, add_other_tenant, write
from tests.support.staff import bearer_login, ensure_staff

SEED = 11
WORKERS = 2


@dataclass(frozen=True)
class Profile:
    """How much one run generates: fuzzed cases per operation, and stateful scenarios and their length."""

    max_examples: int
    stateful_scenarios: int
    stateful_steps: int


PROFILES = {
    "sqlite": Profile(max_examples=5, stateful_scenarios=15, stateful_steps=6),
    "postgresql": Profile(max_examples=2, stateful_scenarios=3, stateful_steps=4),
}
"""The fullest run on SQLite (the suite's default database); on PostgreSQL the same examples and coverage
with fewer fuzzed cases and stateful scenarios, to keep both within the suite's time."""

_CURSOR = "a `cursor` of the schema's shape is one this list gave out (its values decode to a position)"

_BUSINESS_TABLES = ("products", "customers", "orders", "services", "technicians", "appointments")
_REFERENCES = "the keys a row refers to are rows of the tenant (an order's customer and SKUs, ...)"
_PACK = "the file is a CSV table or pack whose rows pass the pack's checks (the report lists them)"

SEMANTIC: dict[tuple[str, str], tuple[list[str], str]] = {
    ("PATCH", "/api/v1/tenant"): (["422"], "each day opens before it closes"),
    ("GET", "/api/v1/stats"): (["422"], "`since` is not after `until`, and a period is at most 366 days"),
    ("GET", "/api/v1/contacts"): (["422"], _CURSOR),
    ("GET", "/api/v1/conversations"): (["422"], _CURSOR),
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): (["422"], _CURSOR),
    ("GET", "/api/v1/audit"): (["422"], _CURSOR),
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): (
        ["422"],
        "WhatsApp's rules across fields: unique button ids, unique row ids across sections, a title on "
        "each of several sections",
    ),
    ("POST", "/api/v1/knowledge/documents"): (
        ["415", "422"],
        "the file's type is in its name (415), and its text in its bytes (422)",
    ),
    ("PUT", "/api/v1/knowledge/documents/{document_id}"): (
        ["415", "422"],
        "the file's type is in its name (415), and its text in its bytes (422)",
    ),
    ("POST", "/api/v1/team/validate"): (["422"], "the YAML is a valid team: agents, skills, known tools"),
    ("PUT", "/api/v1/team"): (["422"], "the YAML is a valid team: agents, skills, known tools"),
    ("POST", "/api/v1/team/try"): (
        ["400", "422"],
        "a valid team or one of the tenant's versions (422), and a `state` a try returned (400)",
    ),
    ("POST", "/api/v1/auth/password"): (["400"], "`current_password` is the account's password"),
    ("POST", "/api/v1/channels"): (
        ["400", "422"],
        "a `team_version` is one of the tenant's team versions, an AWS number's ARN is in its `region` "
        "(422); a bridge number needs a server with a bridge (400: this one has none)",
    ),
    ("PATCH", "/api/v1/channels/{channel_id}"): (
        ["422"],
        "a `team_version` is one of the tenant's team versions; only fields of the number's kind; an AWS "
        "number's ARN in its region",
    ),
    **{
        ("POST", f"/api/v1/channels/{{channel_id}}/{action}"): (["400"], "a server with a bridge")
        for action in ("reconnect", "disconnect")
    },
    ("POST", "/api/v1/tenants"): (
        ["422"],
        "a known time zone and currency; the owner's e-mail and password together",
    ),
    **{("GET", f"/api/v1/business/{t}"): (["422"], _CURSOR) for t in _BUSINESS_TABLES},
    **{
        (method, f"/api/v1/business/{t}{suffix}"): (["422"], _REFERENCES)
        for t, key in (
            ("orders", "/{ref}"),
            ("appointments", "/{ref}"),
            ("services", "/{code}"),
            ("technicians", "/{code}"),
        )
        for method, suffix in (("POST", ""), ("PATCH", key))
    },
    ("POST", "/api/v1/business/appointments"): (["422"], _REFERENCES + "; a start in the years 2000 to 2100"),
    ("PATCH", "/api/v1/business/appointments/{ref}"): (
        ["422"],
        _REFERENCES + "; a start in the years 2000 to 2100",
    ),
    **{
        ("POST", f"/api/v1/business/{t}/import"): (["422"], _PACK)
        for t in ("products", "customers", "orders")
    },
    ("POST", "/api/v1/business/import"): (["422"], _PACK),
    ("POST", "/webhooks/aws"): (
        ["400"],
        "the text is an SNS message: a JSON object SNS signed, sent as text/plain",
    ),
}
"""Operation → (statuses `positive_data_acceptance` also accepts, the rule the schema cannot state)."""

ACCEPTED = ["2xx", "401", "403", "404", "409", "429"]
"""What `positive_data_acceptance` accepts of a schema-valid request everywhere: success, and the
refusals that depend on who asks and on stored state (no such id, a conflict), never on the request's
shape."""

OWN_SESSION = {
    ("POST", "/api/v1/auth/logout"): "ends the session it is called with: a fresh session per case",
    ("POST", "/api/v1/auth/switch"): "ends the session it is called with: a fresh session per case",
    ("POST", "/api/v1/auth/password"): "signs out the caller's other sessions: a separate owner's session",
}
"""Operations run apart from the rest, so the shared owner session stays valid for the whole run."""

assert openapi_checks  # imported for its checks: they join the registry when their module loads
ALL_CHECKS = [check.__name__ for check in CHECKS.get_all()]

_fresh = itertools.count(1)


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


@dataclass
class Outcome:
    """What a run generated, how long each phase took, and what failed (one entry per failure, with a
    curl to replay it)."""

    cases: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    checked: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        for phase, count in other.cases.items():
            self.cases[phase] = self.cases.get(phase, 0) + count
        for phase, took in other.seconds.items():
            self.seconds[phase] = self.seconds.get(phase, 0.0) + took
        self.checked += other.checked
        self.failures += other.failures


def engine_config(profile: Profile, auth: dict[str, Any]) -> SchemathesisConfig:
    """Every phase and every check, deterministic and bounded by `profile`, signed in by `auth`
    (headers, or a WFC auth document naming the owner and its peer)."""
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            **auth,
            "workers": WORKERS,
            "request-timeout": 60,  # a team try runs the agents; slow on a busy machine, never hung
            "cache": {"enabled": False},  # nothing learnt from earlier runs, nothing written to the tree
            "checks": {
                **{name: {"enabled": True} for name in ALL_CHECKS},
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
            },
            "generation": {
                "max-examples": profile.max_examples,
                "no-shrink": True,
                "deterministic": True,
                "database": "none",
                "allow-x00": False,
            },
            "phases": {
                "stateful": {
                    "max-steps": profile.stateful_steps,
                    "generation": {"max-examples": profile.stateful_scenarios},
                }
            },
            "operations": [
                {
                    # by label: separate `include-method` and `include-path` filters would match either
                    "include-name": f"{method} {path}",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, *statuses]}},
                }
                for (method, path), (statuses, _) in SEMANTIC.items()
            ],
        }
    )


def run_engine(
    fd: Running,
    config: SchemathesisConfig,
    keep: Callable[[str, str], bool],
    session: type | None = None,
) -> Outcome:
    """Run the engine over the operations `keep(method, path)` selects, signed in as `config` says or
    by a `session` auth provider (see `fresh_sessions`)."""
    document = schemathesis.openapi.from_url(f"{fd.url}/openapi.json", config=config)
    # Only `exclude` narrows here: per-operation config entries add an include that matches everything.
    schema = document.exclude(func=lambda ctx: not keep(ctx.operation.method.upper(), ctx.operation.path))
    if session is not None:
        schema.auth(refresh_interval=None)(session)  # asked for every case: nothing is cached
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            phase = str(event.phase.value)
            outcome.cases[phase] = outcome.cases.get(phase, 0) + len(event.recorder.cases)
            outcome.seconds[phase] = outcome.seconds.get(phase, 0.0) + event.elapsed_time
            outcome.checked.update(c.name for checks in event.recorder.checks.values() for c in checks)
            outcome.failures += _failures(event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            outcome.failures.append(f"error: {getattr(event, 'label', '')} {getattr(event, 'value', event)}")
        elif isinstance(event, events.EngineFinished):
            outcome.failures += [f"after the run: {f.title}: {f.message}" for f in event.failures]
    return outcome


def _failures(event: events.ScenarioFinished) -> Iterator[str]:
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status is Status.FAILURE and check.failure_info is not None:
                info = check.failure_info
                sent = event.recorder.interactions.get(case_id)
                answered = sent.response.status_code if sent and sent.response else "?"
                title = f"{event.recorder.label} | {check.name} ({answered}): {info.failure.title}"
                yield f"{title}\n  {info.failure.message}\n  {info.code_sample}"


def fresh_sessions(fd: Running) -> type:
    """An auth provider signing a new owner in for each case (a case may end its session)."""

    class FreshSession:
        def get(self, case: Any, ctx: Any) -> str:
            email = f"logout-{next(_fresh)}@lumen.test"
            ensure_staff(fd.sync_db_url, email=email, role="owner")
            return bearer_login(fd.client, fd.url, email=email, tenant="lumen")["Authorization"]

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": data}

    return FreshSession


def peers(fd: Running, path: Path) -> dict[str, Any]:
    """A WFC auth document with the owner of lumen (who runs every case) and the owner of another
    tenant (whom `object_level_authorization` replays lumen's reads as)."""
    users = {"lumen": fd.staff_headers("owner"), OTHER_TENANT: fd.staff_headers("owner", tenant=OTHER_TENANT)}
    document = {
        "auth": [
            {"name": name, "fixedHeaders": [{"name": k, "value": v} for k, v in headers.items()]}
            for name, headers in users.items()
        ]
    }
    path.write_text(json.dumps(document))
    return {"auth": {"wfc": {"path": str(path), "user": "lumen", "peers": list(users)}}}


def test_every_operation_passes_every_check(fd: Running, database_url: str, tmp_path: Path) -> None:
    write(fd, "hello, is the shop open on sunday?")  # a contact, a conversation and messages to work on
    add_other_tenant(fd)  # a peer tenant with a conversation of its own
    profile = PROFILES["sqlite" if database_url.startswith("sqlite") else "postgresql"]
    owner = fd.staff_headers("owner")
    started = time.monotonic()

    ensure_staff(fd.sync_db_url, email="password-owner@lumen.test", role="owner")
    password_owner = bearer_login(fd.client, fd.url, email="password-owner@lumen.test", tenant="lumen")
    outcome = run_engine(
        fd,
        engine_config(profile, {"headers": password_owner}),
        lambda method, path: (method, path) == ("POST", "/api/v1/auth/password"),
    )
    outcome.add(
        run_engine(
            fd,
            engine_config(profile, {}),
            lambda method, path: (
                (method, path) in {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/switch")}
            ),
            session=fresh_sessions(fd),
        )
    )
    outcome.add(
        run_engine(
            fd,
            engine_config(profile, peers(fd, tmp_path / "auth.json")),
            lambda method, path: (method, path) not in OWN_SESSION,
        )
    )
    took = time.monotonic() - started

    cases = sum(outcome.cases.values())
    phases = ", ".join(f"{p} {n} in {outcome.seconds.get(p, 0):.0f} s" for p, n in outcome.cases.items())
    print(f"\nschemathesis: {cases} cases ({phases}), {len(outcome.failures)} failures, {took:.0f} s")
    # the shared owner session survived the run, so every operation was tried signed in
    assert fd.client.get(f"{fd.url}/api/v1/auth/me", headers=owner).status_code == 200
    assert set(outcome.checked) == set(ALL_CHECKS), (
        f"checks never run: {set(ALL_CHECKS) - set(outcome.checked)}"
    )
    distinct = list(dict.fromkeys(outcome.failures))
    assert not distinct, f"{len(distinct)} distinct failures:\n\n" + "\n\n".join(distinct)


@pytest.fixture(scope="module")
def sqlite_fd(fake_graph_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One server for the tests below, whose subject does not depend on the database."""
    database = tmp_path_factory.mktemp("schema") / "frontdesk.db"
    with running_frontdesk(f"sqlite+aiosqlite:///{database}", fake_graph_server) as running:
        write(running, "hello")
        write(running, "hello again", sender="447700900102")  # two conversations: a page of one has a next
        yield running


def test_cursors_are_described_as_lists_give_them_out(sqlite_fd: Running) -> None:
    """Each `cursor` parameter states the shape of the `next_cursor`s the lists give out, so a client
    (and the property test) knows an empty or foreign-looking one is refused before any query."""
    fd, owner = sqlite_fd, sqlite_fd.staff_headers("owner")
    document = fd.client.get(f"{fd.url}/openapi.json").json()
    first = fd.client.get(f"{fd.url}/api/v1/conversations", params={"limit": 1}, headers=owner).json()
    empty = fd.client.get(f"{fd.url}/api/v1/conversations", params={"cursor": ""}, headers=owner)

    cursors = [
        parameter["schema"]
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "cursor"
    ]
    assert len(cursors) == 10  # audit, contacts, conversations, a conversation's messages, 6 business tables
    shapes = {json.dumps(c["anyOf"][0], sort_keys=True) for c in cursors}
    assert len(shapes) == 1
    shape = json.loads(shapes.pop())
    assert shape["minLength"] == 1 and shape["maxLength"] == 200
    assert re.fullmatch(shape["pattern"], first["next_cursor"])
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_an_integer_in_a_body_is_any_number_without_a_fraction(sqlite_fd: Running) -> None:
    """JSON has one kind of number, and the schema's `integer` is one without a fractional part: `3.0`
    is 3 (found by the stateful phase: `{"user_id": 245.0}` was 422). Text, booleans and fractions stay
    refused."""
    fd, owner, api = sqlite_fd, sqlite_fd.staff_headers("owner"), f"{sqlite_fd.url}/api/v1"
    agent = ensure_staff(fd.sync_db_url, email="whole@lumen.test", role="agent")
    conversation = fd.query("select min(id) from conversations")[0][0]
    team = fd.client.get(f"{api}/team", headers=owner).json()

    def assign(user_id: Any) -> Any:
        return fd.client.put(
            f"{api}/conversations/{conversation}/assignee", json={"user_id": user_id}, headers=owner
        )

    assigned = assign(float(agent))
    assert assigned.status_code == 200, assigned.text
    assert fd.query("select assignee_user_id from conversations where id = :c", c=conversation) == [(agent,)]
    kept = fd.client.patch(f"{api}/tenant", json={"retention_days": 400.0}, headers=owner)
    assert kept.status_code == 200 and kept.json()["retention_days"] == 400
    saved = fd.client.put(
        f"{api}/team", json={"yaml": team["yaml"], "base_version": float(team["version"])}, headers=owner
    )
    assert saved.status_code == 200, saved.text
    assert [assign(v).status_code for v in (agent + 0.5, str(agent), True)] == [422, 422, 422]
