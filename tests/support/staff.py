"""Staff accounts for tests: made straight in the database (argon2-hashed like the real ones), then
signed in over HTTP like any client."""

from __future__ import annotations

import functools
from typing import Any

import httpx
from pwdlib import PasswordHash
from sqlalchemy import create_engine, text

PASSWORD = "test-password-123"


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """One argon2 hash per password per test session (hashing is slow on purpose)."""
    return PasswordHash.recommended().hash(password)


def ensure_staff(
    sync_db_url: str, *, email: str, role: str, tenant: str = "lumen", password: str = PASSWORD
) -> int:
    """Make the account (if missing) and its membership of `tenant` with `role`; the user's id."""
    engine = create_engine(sync_db_url)
    try:
        with engine.begin() as conn:
            found = conn.execute(text("select id from tenants where slug = :s"), {"s": tenant})
            tenant_id = found.scalar_one()
            user_id = conn.execute(text("select id from staff_users where email = :e"), {"e": email}).scalar()
            if user_id is None:
                conn.execute(
                    text(
                        "insert into staff_users (email, name, password_hash, failed_logins, "
                        "password_changed_at, created_at) values (:e, :n, :h, 0, CURRENT_TIMESTAMP, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"e": email, "n": email.split("@")[0], "h": password_hash(password)},
                )
                user_id = conn.execute(
                    text("select id from staff_users where email = :e"), {"e": email}
                ).scalar_one()
            member = {"u": user_id, "t": tenant_id}
            exists = conn.execute(
                text("select 1 from staff_memberships where user_id = :u and tenant_id = :t"), member
            ).first()
            if exists is None:
                conn.execute(
                    text(
                        "insert into staff_memberships (user_id, tenant_id, role, created_at) "
                        "values (:u, :t, :r, CURRENT_TIMESTAMP)"
                    ),
                    {**member, "r": role},
                )
    finally:
        engine.dispose()
    return int(user_id)


def login(
    client: httpx.Client, url: str, *, email: str, password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    """`POST /api/v1/auth/login` (bearer mode unless `mode` says otherwise)."""
    return client.post(f"{url}/api/v1/auth/login", json={"email": email, "password": password, **extra})


def bearer_login(client: httpx.Client, url: str, *, email: str, tenant: str) -> dict[str, str]:
    """Sign in and return the `Authorization` header of the new session."""
    response = login(client, url, email=email, tenant=tenant)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
