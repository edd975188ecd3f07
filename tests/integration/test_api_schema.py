"""Schemathesis over every operation of `/openapi.json`, against the real app, as a signed-in owner.

Each operation gets requests generated from its documented parameters and bodies (half of them with
path ids that exist in the tenant, so the handlers run past their 404), and every answer must:
not be a server error, have a documented status code, and match the documented content type and body
schema. Generation is derandomized (the same cases on every run) and bounded (`MAX_EXAMPLES` per
operation, no shrinking), so the suite is reproducible and quick enough to run on every push.

Two routes end or change the caller's session, so each gets a session of its own instead of the shared
one (see `OWN_SESSION`). The WebSocket `/api/v1/ws` is not in the OpenAPI document (it has no request
and response schema to fuzz); tests/integration/test_live_events.py covers it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import write
from tests.support.staff import bearer_login, ensure_staff

MAX_EXAMPLES = 12
"""Cases per operation. With ~50 operations that is ~600 requests: about a minute on SQLite."""

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases on every run and every machine
    database=None,  # and no replay of earlier failures from a local example database
    deadline=None,  # the server's speed is not under test; the HTTP timeout bounds each request
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)

OWN_SESSION = {
    ("POST", "/api/v1/auth/logout"): "ends the session it is called with",
    ("POST", "/api/v1/auth/password"): "signs out the caller's other sessions",
}
"""Operations run with a session of their own: a fresh one per case (logout), or one of a separate
owner account (password), so the shared owner session stays valid for the rest of the run."""

_fresh = itertools.count(1)


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def known_path_parameters(fd: Running) -> dict[str, list[Any]]:
    """Ids that exist in the demo tenant, by path parameter name."""
    tenant = fd.query("select id from tenants where slug = 'lumen'")[0][0]

    def ids(sql: str) -> list[Any]:
        return [r[0] for r in fd.query(sql, t=tenant)]

    return {
        "conversation_id": ids("select id from conversations where tenant_id = :t"),
        "contact_id": ids("select id from contacts where tenant_id = :t"),
        "channel_id": ids("select id from channels where tenant_id = :t"),
        "user_id": ids("select user_id from staff_memberships where tenant_id = :t"),
        "document_id": ids("select id from kb_documents where tenant_id = :t"),
        "item_id": ids("select id from outbox where tenant_id = :t"),
    }


def case_strategy(operation: Any, known: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """Cases of the operation: fully generated, or (when it has path ids that exist) with real ids."""
    generated = operation.as_strategy()
    names = [p.name for p in operation.path_parameters]
    choices = {name: known[name] for name in names if known.get(name)}
    if not choices:
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in choices.items()})
    return st.one_of(real.flatmap(lambda ids: operation.as_strategy(path_parameters=ids)), generated)


def run_operation(
    fd: Running, operation: Any, known: dict[str, list[Any]], headers: Callable[[], dict[str, str]]
) -> None:
    @HYPOTHESIS
    @given(case=case_strategy(operation, known))
    def check(case: Any) -> None:
        case.call_and_validate(base_url=fd.url, headers=headers(), checks=CHECKS, timeout=30)

    check()


def test_every_operation_conforms_to_its_schema(fd: Running) -> None:
    write(fd, "hello, is the shop open on sunday?")  # a contact, a conversation and messages to work on
    owner = fd.staff_headers("owner")
    schema = schemathesis.openapi.from_url(f"{fd.url}/openapi.json", timeout=30)
    operations = [result.ok() for result in schema.get_all_operations()]

    ensure_staff(fd.sync_db_url, email="password-owner@lumen.test", role="owner")
    password_owner = bearer_login(fd.client, fd.url, email="password-owner@lumen.test", tenant="lumen")

    def fresh_session() -> dict[str, str]:
        email = f"logout-{next(_fresh)}@lumen.test"
        ensure_staff(fd.sync_db_url, email=email, role="owner")
        return bearer_login(fd.client, fd.url, email=email, tenant="lumen")

    own: dict[tuple[str, str], Callable[[], dict[str, str]]] = {
        ("POST", "/api/v1/auth/logout"): fresh_session,
        ("POST", "/api/v1/auth/password"): lambda: password_owner,
    }
    assert set(own) == set(OWN_SESSION)
    # The session-bound ones first: later cases may disable or demote any staff member by id.
    operations.sort(key=lambda op: (op.method.upper(), op.path) not in own)

    failures: list[str] = []
    for operation in operations:
        key = (operation.method.upper(), operation.path)
        known = known_path_parameters(fd)
        try:
            run_operation(fd, operation, known, own.get(key, lambda: owner))
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup is the latter
            failures.append(f"=== {operation.method.upper()} {operation.path}\n{exc}")
    # the shared owner session survived the run, so every operation was tried signed in
    assert fd.client.get(f"{fd.url}/api/v1/auth/me", headers=owner).status_code == 200
    assert not failures, f"{len(failures)} of {len(operations)} operations failed:\n\n" + "\n\n".join(
        failures
    )
