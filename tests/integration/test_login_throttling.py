"""Failed logins over real HTTP, on SQLite and PostgreSQL, with the client's address given by a trusted
proxy (the test connects from 127.0.0.1, which uvicorn trusts, and says who it is in X-Forwarded-For):
a stranger's wrong passwords lock out the stranger's address only, never the real user elsewhere;
spraying one account from many addresses still meets the per-e-mail rate limit; and the address is the
last hop the proxy appended, not what the client wrote in front of it (issue #11, "also seen")."""

from __future__ import annotations

import httpx

from tests.integration.test_auth_api import serve, staff
from tests.support.harness import Running
from tests.support.staff import PASSWORD


def login_from(fd: Running, address: str, email: str, password: str = PASSWORD) -> httpx.Response:
    return fd.client.post(
        f"{fd.url}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_a_strangers_wrong_passwords_do_not_lock_the_real_user_out(database_url: str, graph_url: str) -> None:
    with serve(database_url, graph_url) as fd:
        real = staff(fd, "agent")
        for email in (real, "nobody@lumen.test"):  # an unknown e-mail answers exactly the same
            tries = [login_from(fd, "198.51.100.66", email, "wrong-password").status_code for _ in range(5)]
            assert tries == [401] * 4 + [429], email
            assert login_from(fd, "198.51.100.66", email).status_code == 429  # that address is locked out
        assert login_from(fd, "203.0.113.5", real).status_code == 200  # the real user, elsewhere, is not
        assert login_from(fd, "203.0.113.5", "nobody@lumen.test").status_code == 401
        # The real user's own failures still lock their own address; a success forgets earlier ones.
        for _ in range(4):
            assert login_from(fd, "203.0.113.5", real, "wrong-password").status_code == 401
        assert login_from(fd, "203.0.113.5", real).status_code == 200
        assert login_from(fd, "203.0.113.5", real, "wrong-password").status_code == 401


def test_spraying_one_account_from_many_addresses_meets_the_per_account_limit(
    database_url: str, graph_url: str
) -> None:
    with serve(database_url, graph_url, login_rate_limit="6/minute") as fd:
        real = staff(fd, "agent")
        answers = [login_from(fd, f"198.51.100.{n}", real, "wrong-password") for n in range(1, 9)]
        assert [a.status_code for a in answers] == [401] * 6 + [429, 429]
        assert int(answers[-1].headers["retry-after"]) >= 1
        # Only that e-mail is held back: the same addresses may still try another one.
        assert login_from(fd, "198.51.100.1", "someone@lumen.test", "wrong-password").status_code == 401


def test_the_client_address_is_the_last_hop_the_proxy_added(database_url: str, graph_url: str) -> None:
    with serve(database_url, graph_url) as fd:
        # The client wrote 10.9.9.9 itself; the proxy appended the address it really came from.
        login_from(fd, "10.9.9.9, 198.51.100.7", "nobody@lumen.test", "wrong-password")
        ips = [r[0] for r in fd.query("select ip from staff_login_failures")]
        assert ips == ["198.51.100.7"]
