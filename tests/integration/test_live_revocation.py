"""An open `WS /api/v1/ws` ends (close code 1008) as soon as the right to it does: logout, the member
disabled, their role lowered, the access token expired, and when that happens in another process (a
second app on the same database). On SQLite and PostgreSQL, over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import write
from tests.support.live import receive_until, texts, until_closed, ws_url
from tests.support.staff import bearer_login, ensure_staff, password_hash

POLICY_VIOLATION = 1008


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def bearer(fd: Running, role: str) -> str:
    return fd.staff_headers(role)["Authorization"].removeprefix("Bearer ")


@contextmanager
def open_feed(fd: Running, token: str) -> Iterator[ClientConnection]:
    """A socket that is live: it has already received an event."""
    with connect(ws_url(fd), additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10) as ws:
        write(fd, "before")
        receive_until(ws, lambda got: "before" in texts(got))
        yield ws


def member_id(fd: Running, role: str) -> int:
    return int(ensure_staff(fd.sync_db_url, email=f"{role}@lumen.test", role=role))


def patch_member(fd: Running, role: str, change: dict[str, object]) -> None:
    response = fd.client.patch(
        f"{fd.url}/api/v1/users/{member_id(fd, role)}", json=change, headers=fd.staff_headers("owner")
    )
    assert response.status_code == 200, response.text


def test_logout_closes_the_sessions_socket(fd: Running) -> None:
    token = bearer(fd, "agent")
    with open_feed(fd, token) as ws, open_feed(fd, bearer(fd, "viewer")) as other:
        response = fd.client.post(
            f"{fd.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 204
        write(fd, "after logout")
        code, _, frames = until_closed(ws)
        assert code == POLICY_VIOLATION
        assert "after logout" not in texts(frames)
        receive_until(other, lambda got: "after logout" in texts(got))  # another session is untouched


def test_disabling_a_member_closes_their_socket(fd: Running) -> None:
    with open_feed(fd, bearer(fd, "agent")) as ws:
        patch_member(fd, "agent", {"disabled": True})
        write(fd, "after disable")
        code, reason, frames = until_closed(ws)
    assert code == POLICY_VIOLATION and reason
    assert "after disable" not in texts(frames)


def test_a_lowered_role_closes_the_socket_and_a_new_one_opens(fd: Running) -> None:
    token = bearer(fd, "admin")
    with open_feed(fd, token) as ws:
        patch_member(fd, "admin", {"role": "viewer"})
        code, _, _ = until_closed(ws)
    assert code == POLICY_VIOLATION
    with open_feed(fd, token):  # the session lives on: the client reconnects with its new role
        pass


def test_an_expired_access_token_closes_the_socket(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, access_token_ttl_seconds=5) as fd:
        with open_feed(fd, bearer(fd, "viewer")) as ws:
            code, reason, _ = until_closed(ws, timeout=20)
        assert code == POLICY_VIOLATION and "expired" in reason
        with pytest.raises(InvalidStatus) as refused, open_feed(fd, bearer(fd, "viewer")):
            pass
        assert refused.value.response.status_code == 403


def test_disabling_in_one_process_closes_the_socket_held_by_another(
    database_url: str, graph_url: str
) -> None:
    with (
        running_frontdesk(database_url, graph_url) as here,
        running_frontdesk(database_url, graph_url, live_session_check_seconds=0.5) as there,
    ):
        token = bearer(here, "agent")  # a session opened through one process...
        with open_feed(there, token) as ws:  # ...watching the feed through the other
            patch_member(here, "agent", {"disabled": True})
            code, _, _ = until_closed(ws)
    assert code == POLICY_VIOLATION


def _operator_token(fd: Running) -> str:
    fd.execute(
        "insert into staff_users (email, name, password_hash, failed_logins, password_changed_at, "
        "created_at, operator) values ('op@platform.test', 'Op', :h, 0, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP, :op)",
        h=password_hash(),
        op=True,
    )
    return bearer_login(fd.client, fd.url, email="op@platform.test", tenant="lumen")["Authorization"][7:]


def test_disabling_the_business_closes_its_staffs_sockets_and_not_an_operators(fd: Running) -> None:
    operator = _operator_token(fd)
    lumen = fd.query("select id from tenants where slug = 'lumen'")[0][0]
    tenant_url = f"{fd.url}/api/v1/tenants/{lumen}"
    with open_feed(fd, bearer(fd, "agent")) as ws, open_feed(fd, operator) as kept:
        disabled = fd.client.patch(
            tenant_url, json={"disabled": True}, headers={"Authorization": f"Bearer {operator}"}
        )
        assert disabled.status_code == 200, disabled.text
        code, reason, _ = until_closed(ws)
        assert code == POLICY_VIOLATION and reason
        enabled = fd.client.patch(
            tenant_url, json={"disabled": False}, headers={"Authorization": f"Bearer {operator}"}
        )
        assert enabled.status_code == 200
        write(fd, "after enable")
        receive_until(kept, lambda got: "after enable" in texts(got))  # the operator's socket stayed


def test_switching_tenant_closes_the_old_sessions_socket(fd: Running) -> None:
    operator = _operator_token(fd)
    fd.execute(
        "insert into tenants (slug, name, timezone, currency, profile, created_at) "
        "values ('second', 'Second', 'UTC', 'EUR', '{}', CURRENT_TIMESTAMP)"
    )
    with open_feed(fd, operator) as ws:
        switched = fd.client.post(
            f"{fd.url}/api/v1/auth/switch",
            json={"tenant": "second"},
            headers={"Authorization": f"Bearer {operator}"},
        )
        assert switched.status_code == 200, switched.text
        code, _, _ = until_closed(ws)
    assert code == POLICY_VIOLATION
