"""The tenant settings API (owners only) over real HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk

API = "/api/v1/tenant"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def patch(fd: Running, body: Any, role: str = "owner") -> Any:
    return fd.client.patch(f"{fd.url}{API}", json=body, headers=fd.staff_headers(role))


def test_read_and_change_the_settings(fd: Running) -> None:
    tenant = fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers()).json()
    assert (tenant["slug"], tenant["name"], tenant["timezone"]) == ("lumen", "Lumen Home", "Europe/London")
    assert tenant["opening_hours"]["mon"] == {"open": "09:00", "close": "18:00"}
    assert tenant["opening_hours"]["sun"] is None

    week = {"mon": {"open": "08:30", "close": "17:00"}, "sat": {"open": "10:00", "close": "12:00"}}
    changed = patch(fd, {"name": "Lumen Home & Garden", "timezone": "Europe/Dublin", "opening_hours": week})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["name"] == "Lumen Home & Garden"
    assert body["timezone"] == "Europe/Dublin"
    assert body["opening_hours"]["mon"] == {"open": "08:30", "close": "17:00"}
    assert body["opening_hours"]["tue"] is None
    assert fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers()).json() == body

    # Other profile data (holidays, the booking rules) is kept; the booking tools read the new hours.
    profile = fd.query("select profile from tenants where slug = 'lumen'")[0][0]
    assert "holidays" in str(profile) and "08:30" in str(profile)
    audit = fd.query("select action, details from audit_log where action = 'tenant.update'")
    assert len(audit) == 1 and "opening_hours" in str(audit[0][1])


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"timezone": "../etc/passwd"}, "timezone", "IANA"),
        ({"opening_hours": {"mon": {"open": "18:00", "close": "09:00"}}}, "mon", "open before closing"),
        ({"opening_hours": {"mon": {"open": "25:00", "close": "26:00"}}}, "mon", "HH:MM"),
        ({"opening_hours": {"funday": None}}, "funday", "Extra inputs"),
        ({"name": "   "}, "name", "at least 1"),
        ({"name": "Lumen\x00Home"}, "name", "NUL"),  # found by test_api_schema: a 500 on PostgreSQL
    ],
)
def test_bad_settings_are_422_with_field_and_reason(fd: Running, body: Any, field: str, reason: str) -> None:
    answer = patch(fd, body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(field in e["loc"] and reason in e["msg"] for e in errors), errors
    assert fd.query("select timezone from tenants where slug = 'lumen'")[0][0] == "Europe/London"


def test_only_owners(fd: Running) -> None:
    assert patch(fd, {"name": "x"}, role="admin").status_code == 403
    assert fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers("admin")).status_code == 403


def test_a_body_over_the_size_limit_is_413_and_changes_nothing(fd: Running) -> None:
    before = fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers()).json()
    huge = {"name": "x" * (2 * 1024 * 1024)}  # FRONTDESK_MAX_BODY_BYTES is 1 MiB
    response = fd.client.patch(f"{fd.url}{API}", json=huge, headers=fd.staff_headers())
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert fd.client.get(f"{fd.url}{API}", headers=fd.staff_headers()).json() == before
