"""The admin API's edges (issue #11 defect 5 and its "also seen"): every number a route takes is bounded
in the OpenAPI schema and refused with 422 outside its bounds before any query runs; request values are
taken as the schema types them (no `0` for `false`, no Unix time for a date); a wrong method is a 405
whose `Allow` lists the path's real methods; and an unexpected failure is a JSON 500 with the request
id, logged once with its stack trace, holding nothing of the error's own message.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import write

HUGE = 9223372036854775808  # 2**63: overflowed SQLite's integers (500) before the bounds


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def _operations(fd: Running) -> Iterator[tuple[str, str, dict[str, Any]]]:
    document = fd.client.get(f"{fd.url}/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def _integer_parameters(operation: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for parameter in operation.get("parameters", []):
        schema = parameter["schema"]
        for each in schema.get("anyOf", [schema]):
            if each.get("type") == "integer":
                yield parameter, each


def test_every_integer_parameter_states_its_bounds(fd: Running) -> None:
    unbounded = [
        f"{method} {path} {parameter['name']}"
        for method, path, operation in _operations(fd)
        for parameter, schema in _integer_parameters(operation)
        if "minimum" not in schema or "maximum" not in schema or schema["maximum"] >= 2**53
    ]
    assert unbounded == []


def test_a_number_past_its_bound_is_422_naming_it(fd: Running) -> None:
    """Every integer parameter of every GET, one past its maximum and at 2**63: 422 naming it, not 500."""
    owner = fd.staff_headers("owner")
    probes = 0
    for method, path, operation in _operations(fd):
        if method != "GET" or not path.startswith("/api/"):
            continue
        for parameter, schema in _integer_parameters(operation):
            for value in (schema["maximum"] + 1, HUGE):
                url = fd.url + path.replace("{" + parameter["name"] + "}", str(value))
                url = _with_other_path_ids(url)
                query = {parameter["name"]: value} if parameter["in"] == "query" else None
                answer = fd.client.get(url, params=query, headers=owner)
                assert answer.status_code == 422, (path, parameter["name"], value, answer.text)
                assert [parameter["in"], parameter["name"]] in [e["loc"] for e in answer.json()["detail"]]
                probes += 1
    assert probes >= 20  # offsets, limits, ids of documents, contacts, conversations, channels, users...
    answer = fd.client.get(f"{fd.url}/api/v1/knowledge/documents?offset={HUGE}", headers=owner)
    assert answer.status_code == 422  # the adversarial run's 500


def _with_other_path_ids(url: str) -> str:
    return url.replace("{kind}", "turn").replace("{item_id}", "1")


def test_request_values_are_taken_only_as_their_schema_types_them(fd: Running) -> None:
    write(fd, "hello")
    owner = fd.staff_headers("owner")
    agent_id = fd.query("select id from staff_users where email = 'owner@lumen.test'")[0][0]
    viewer = fd.staff_headers("viewer")  # a member the owner may change
    viewer_id = fd.query("select id from staff_users where email = 'viewer@lumen.test'")[0][0]
    channel = fd.query("select id from channels order by id")[0][0]
    contact = fd.query("select id from contacts order by id")[0][0]
    conversation = fd.query("select id from conversations order by id")[0][0]
    api = f"{fd.url}/api/v1"
    refused = {
        "disabled 0": fd.client.patch(f"{api}/users/{viewer_id}", json={"disabled": 0}, headers=owner),
        "enabled 0": fd.client.patch(f"{api}/channels/{channel}", json={"enabled": 0}, headers=owner),
        "enabled 'true'": fd.client.post(
            f"{api}/channels", json={"phone_number_id": "1234567", "enabled": "true"}, headers=owner
        ),
        "vip 1": fd.client.patch(f"{api}/contacts/{contact}", json={"vip": 1}, headers=owner),
        "preview_url 1": fd.client.post(
            f"{api}/conversations/{conversation}/messages",
            json={"kind": "text", "body": "hi", "preview_url": 1},
            headers=owner,
        ),
        "user_id '3'": fd.client.put(
            f"{api}/conversations/{conversation}/assignee", json={"user_id": str(agent_id)}, headers=owner
        ),
        "base_version true": fd.client.put(
            f"{api}/team", json={"yaml": "x", "base_version": True}, headers=owner
        ),
        "message without kind": fd.client.post(
            f"{api}/conversations/{conversation}/messages", json={"body": "hi"}, headers=owner
        ),
        "until=0": fd.client.get(f"{api}/stats", params={"until": "0"}, headers=owner),
        "since=20260101": fd.client.get(f"{api}/stats", params={"since": "20260101"}, headers=owner),
        "updated_since=0": fd.client.get(
            f"{api}/conversations", params={"updated_since": "0"}, headers=owner
        ),
        "audit since=0": fd.client.get(f"{api}/audit", params={"since": "0"}, headers=owner),
        "search q=' '": fd.client.get(f"{api}/knowledge/search", params={"q": " "}, headers=owner),
    }
    assert {name: answer.status_code for name, answer in refused.items()} == dict.fromkeys(refused, 422)
    assert fd.query("select disabled_at from staff_memberships where user_id = :u", u=viewer_id) == [(None,)]
    assert fd.query("select enabled from channels where id = :c", c=channel)[0][0] in (True, 1)

    accepted = {
        "disabled false": fd.client.patch(
            f"{api}/users/{viewer_id}", json={"disabled": False}, headers=owner
        ),
        "enabled true": fd.client.patch(f"{api}/channels/{channel}", json={"enabled": True}, headers=owner),
        "until a date": fd.client.get(f"{api}/stats", params={"until": "2026-11-30"}, headers=owner),
        "since a time": fd.client.get(
            f"{api}/conversations", params={"updated_since": "2026-11-30T10:00:00+01:00"}, headers=owner
        ),
        "audit since Z": fd.client.get(
            f"{api}/audit", params={"since": "2026-11-30T10:00:00Z"}, headers=owner
        ),
    }
    assert {name: answer.status_code for name, answer in accepted.items()} == dict.fromkeys(accepted, 200)
    assert viewer  # signed in, so the member exists


def test_a_validation_error_never_echoes_the_value_sent(fd: Running) -> None:
    secret = "x" * 5000  # a password over the limit
    answer = fd.client.post(
        f"{fd.url}/api/v1/users",
        json={"email": "sam@lumen.test", "role": "agent", "password": secret},
        headers=fd.staff_headers("owner"),
    )
    assert answer.status_code == 422
    assert secret not in answer.text
    assert all(set(error) == {"loc", "msg", "type"} for error in answer.json()["detail"])


def test_a_wrong_method_is_405_listing_the_methods_the_path_has(fd: Running) -> None:
    owner = fd.staff_headers("owner")
    wrong = []
    for path, documented in _methods_by_path(fd).items():
        url = fd.url + path.replace("{kind}", "turn")
        for name in ("{document_id}", "{channel_id}", "{user_id}", "{item_id}", "{invitation_id}"):
            url = url.replace(name, "1")
        url = url.replace("{contact_id}", "1").replace("{conversation_id}", "1")
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} - documented:
            answer = fd.client.request(method, url, headers=owner)
            allow = {m.strip() for m in answer.headers.get("allow", "").split(",")}
            if answer.status_code != 405 or allow != documented or "detail" not in answer.json():
                wrong.append(f"{method} {path}: {answer.status_code} Allow: {answer.headers.get('allow')}")
    assert wrong == []


def _methods_by_path(fd: Running) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for method, path, _ in _operations(fd):
        found.setdefault(path, set()).add(method)
    return found


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[_Records]:
    handler, root = _Records(), logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def test_an_unexpected_failure_is_a_json_500_with_the_request_id_logged_once(
    fd: Running, logged: _Records, database_url: str
) -> None:
    """The database refuses the write (a trigger): not a failure any handler expects."""
    write(fd, "hello")
    contact = fd.query("select id from contacts order by id")[0][0]
    if database_url.startswith("sqlite"):
        fd.execute(
            "create trigger refuse_city before update on contacts when new.city = 'Atlantis' "
            "begin select raise(abort, 'refused by test: Atlantis'); end"
        )
    else:
        fd.execute(
            "create function refuse_city() returns trigger language plpgsql as $$ begin "
            "if new.city = 'Atlantis' then raise exception 'refused by test: Atlantis'; end if; "
            "return new; end $$"
        )
        fd.execute(
            "create trigger refuse_city before update on contacts for each row execute function refuse_city()"
        )

    answer = fd.client.patch(
        f"{fd.url}/api/v1/contacts/{contact}",
        json={"city": "Atlantis"},
        headers={**fd.staff_headers("owner"), "X-Request-ID": "req-boom-1"},
    )

    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-request-id"] == "req-boom-1"
    assert answer.json() == {"detail": "internal error", "request_id": "req-boom-1"}
    assert "Atlantis" not in answer.text
    with_trace = [r for r in logged.records if r.exc_info and r.exc_info[1] is not None]
    assert len(with_trace) == 1, [r.getMessage() for r in with_trace]
    trace = "".join(traceback.format_exception(with_trace[0].exc_info[1]))  # type: ignore[index]
    assert "refused by test" in trace
    assert getattr(with_trace[0], "request_id", None) == "req-boom-1"
