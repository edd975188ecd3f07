"""Adding someone to a tenant is an invitation the person accepts (issue #11, defect 4), over real HTTP on
SQLite and PostgreSQL: a tenant's admin inviting another tenant's account attaches nothing, learns
nothing (the answer, the lists and the audit log look the same as for a new e-mail), and every step is
audited on both sides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_auth_api import bearer, serve, sign_in, staff
from tests.support.harness import Running
from tests.support.staff import ensure_staff, login

USERS = "/api/v1/users"
MINE = "/api/v1/invitations"
# What an answer may say about the invited e-mail: nothing that differs between an account and none.
INVITATION_KEYS = {"id", "email", "role", "invited_by", "created_at", "expires_at", "expired"}


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with serve(database_url, graph_url) as running:
        yield running


def admin_of(fd: Running, tenant: str = "lumen") -> dict[str, str]:
    return bearer(sign_in(fd, staff(fd, "admin", tenant), tenant=tenant)["access_token"])


def victim(fd: Running) -> str:
    """An account of the tenant `other` that has signed in (so it has a name and a last sign-in)."""
    email = "vic@other.test"
    ensure_staff(fd.sync_db_url, email=email, role="owner", tenant="other")
    sign_in(fd, email)
    return email


def invite(fd: Running, headers: dict[str, str], email: str, **extra: Any) -> Any:
    body = {"email": email, "name": "Given Name", "role": "agent", "password": "chosen-by-admin", **extra}
    return fd.client.post(f"{fd.url}{USERS}", json=body, headers=headers)


def audit(fd: Running, tenant: str) -> list[tuple[str, str, dict[str, Any]]]:
    headers = bearer(sign_in(fd, staff(fd, "owner", tenant), tenant=tenant)["access_token"])
    items = fd.client.get(f"{fd.url}/api/v1/audit", params={"limit": 200}, headers=headers).json()["items"]
    return [(e["action"], e["actor"], e["details"]) for e in items if not e["action"].startswith("login.")]


def test_inviting_another_tenants_account_attaches_nothing_and_answers_like_a_new_email(fd: Running) -> None:
    vic = victim(fd)
    admin = admin_of(fd)
    answers = {email: invite(fd, admin, email) for email in (vic, "newbie@lumen.test")}
    for email, answer in answers.items():
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert set(body) == INVITATION_KEYS and body["email"] == email and not body["expired"]
        assert body["role"] == "agent" and body["invited_by"] == "admin@lumen.test"
    # Nothing changed for the victim: still one tenant, so a login without a tenant still works.
    assert login(fd.client, fd.url, email=vic).status_code == 200
    assert [m["email"] for m in fd.client.get(f"{fd.url}{USERS}", headers=admin).json()["items"]] == [
        "admin@lumen.test"
    ]
    sent = fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin).json()["items"]
    assert sorted(i["email"] for i in sent) == sorted(answers) and all(
        set(i) == INVITATION_KEYS for i in sent
    )
    created = [
        (actor, details) for action, actor, details in audit(fd, "lumen") if action == "invitation.created"
    ]
    assert len(created) == 2 and {d["email"] for _, d in created} == set(answers)
    assert all(
        actor == "admin@lumen.test" and set(d) == {"email", "role", "expires_at"} for actor, d in created
    )
    # The admin's own tenant and a live invitation are no secret: those conflicts may say so.
    assert invite(fd, admin, vic).status_code == 409
    assert invite(fd, admin, "admin@lumen.test").status_code == 409


def test_the_invited_account_accepts_and_both_tenants_audit_it(fd: Running) -> None:
    vic = victim(fd)
    invitation = invite(fd, admin_of(fd), vic, role="viewer").json()
    # Someone else, even a member of the same tenant, neither sees nor accepts it.
    stranger = bearer(sign_in(fd, staff(fd, "agent", "other"))["access_token"])
    assert fd.client.get(f"{fd.url}{MINE}", headers=stranger).json() == {"items": []}
    for verb in ("accept", "decline"):
        refused = fd.client.post(f"{fd.url}{MINE}/{invitation['id']}/{verb}", headers=stranger)
        assert refused.status_code == 404, refused.text
    mine = bearer(sign_in(fd, vic)["access_token"])
    listed = fd.client.get(f"{fd.url}{MINE}", headers=mine).json()["items"]
    assert [(i["id"], i["tenant"], i["invited_by"]) for i in listed] == [
        (invitation["id"], {"slug": "lumen", "name": "Lumen", "role": "viewer"}, "admin@lumen.test")
    ]
    accepted = fd.client.post(f"{fd.url}{MINE}/{invitation['id']}/accept", headers=mine)
    assert accepted.status_code == 200 and accepted.json() == {
        "slug": "lumen",
        "name": "Lumen",
        "role": "viewer",
    }
    assert fd.client.post(f"{fd.url}{MINE}/{invitation['id']}/accept", headers=mine).status_code == 404
    assert fd.client.get(f"{fd.url}{MINE}", headers=mine).json() == {"items": []}
    # Now, and only now, the account works for two tenants.
    assert "lumen, other" in login(fd.client, fd.url, email=vic).json()["detail"]
    assert sign_in(fd, vic, tenant="lumen")["tenant"]["role"] == "viewer"
    assert ("invitation.accepted", vic) in [(a, actor) for a, actor, _ in audit(fd, "lumen")]
    joined = [d for a, actor, d in audit(fd, "other") if a == "account.joined_tenant" and actor == vic]
    assert joined == [{"email": vic, "role": "viewer", "tenant": "lumen"}]


def test_declined_cancelled_and_expired_invitations_cannot_be_accepted(fd: Running) -> None:
    vic = victim(fd)
    admin = admin_of(fd)
    mine = bearer(sign_in(fd, vic)["access_token"])
    declined = invite(fd, admin, vic).json()
    assert fd.client.post(f"{fd.url}{MINE}/{declined['id']}/decline", headers=mine).status_code == 204
    assert fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin).json() == {"items": []}
    assert ("invitation.declined", vic) in [(a, actor) for a, actor, _ in audit(fd, "lumen")]

    cancelled = invite(fd, admin, vic).json()
    rival = admin_of(fd, "other")  # another tenant's admin cannot withdraw it
    assert (
        fd.client.delete(f"{fd.url}{USERS}/invitations/{cancelled['id']}", headers=rival).status_code == 404
    )
    assert (
        fd.client.delete(f"{fd.url}{USERS}/invitations/{cancelled['id']}", headers=admin).status_code == 204
    )
    assert fd.client.post(f"{fd.url}{MINE}/{cancelled['id']}/accept", headers=mine).status_code == 404
    assert ("invitation.cancelled", "admin@lumen.test") in [(a, actor) for a, actor, _ in audit(fd, "lumen")]

    expired = invite(fd, admin, vic).json()
    fd.execute("update staff_invitations set expires_at = created_at where id = :i", i=expired["id"])
    assert fd.client.get(f"{fd.url}{MINE}", headers=mine).json() == {"items": []}
    assert fd.client.post(f"{fd.url}{MINE}/{expired['id']}/accept", headers=mine).status_code == 404
    assert fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin).json()["items"][0]["expired"] is True
    again = invite(fd, admin, vic)  # an expired invitation gives way to a new one
    assert again.status_code == 202 and fd.client.post(
        f"{fd.url}{MINE}/{again.json()['id']}/accept", headers=mine
    ).json() == {"slug": "lumen", "name": "Lumen", "role": "agent"}


def test_a_new_email_joins_at_its_first_sign_in(fd: Running) -> None:
    admin = admin_of(fd)
    assert invite(fd, admin, "Newbie@Lumen.test").status_code == 202
    first = sign_in(fd, "newbie@lumen.test", password="chosen-by-admin")
    assert first["tenant"] == {"slug": "lumen", "name": "Lumen", "role": "agent"}
    members = fd.client.get(f"{fd.url}{USERS}", headers=admin).json()["items"]
    assert {m["email"]: m["name"] for m in members}["newbie@lumen.test"] == "Given Name"
    assert fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin).json() == {"items": []}
    assert ("invitation.accepted", "newbie@lumen.test") in [(a, actor) for a, actor, _ in audit(fd, "lumen")]


def test_an_account_whose_invitation_was_withdrawn_before_it_was_used_is_made_again(fd: Running) -> None:
    admin = admin_of(fd)
    first = invite(fd, admin, "gone@lumen.test", password="first-password").json()
    assert fd.client.delete(f"{fd.url}{USERS}/invitations/{first['id']}", headers=admin).status_code == 204
    assert login(fd.client, fd.url, email="gone@lumen.test", password="first-password").status_code == 401
    assert invite(fd, admin, "gone@lumen.test", password="second-password").status_code == 202
    assert login(fd.client, fd.url, email="gone@lumen.test", password="first-password").status_code == 401
    assert sign_in(fd, "gone@lumen.test", password="second-password")["tenant"]["slug"] == "lumen"


def test_an_invitation_is_refused_the_same_way_for_any_email(fd: Running) -> None:
    vic = victim(fd)
    admin = admin_of(fd)
    for email in (vic, "newbie@lumen.test"):
        short = invite(fd, admin, email, password="short")
        assert short.status_code == 422 and "password" in str(short.json()["detail"])
        owner = invite(fd, admin, email, role="owner")  # only an owner makes an owner
        assert owner.status_code == 403
    assert not fd.query("select id from staff_invitations")
    assert not fd.query("select id from staff_users where email = 'newbie@lumen.test'")
