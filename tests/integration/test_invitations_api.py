"""Adding someone to a tenant is an invitation the person accepts (issue #11, defect 4), over real HTTP on
SQLite and PostgreSQL: a tenant's admin inviting another tenant's account attaches nothing, learns
nothing (the answer, the lists and the audit log look the same as for a new e-mail), and every step is
audited on both sides. Accepting takes the invitation's one-time code, which only the inviting admin
was shown: signing in as the e-mail is not enough (an admin whose invitation made an account chose its
password, and must not carry it into other tenants)."""

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
INVITED_KEYS = INVITATION_KEYS | {"code"}  # the answer to the invite itself, the only one with the code


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


def accept(fd: Running, headers: dict[str, str], invitation: dict[str, Any], code: str | None = None) -> Any:
    """Accept with the invitation's own code unless another is given."""
    body = {"code": invitation["code"] if code is None else code}
    return fd.client.post(f"{fd.url}{MINE}/{invitation['id']}/accept", json=body, headers=headers)


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
        assert set(body) == INVITED_KEYS and body["email"] == email and not body["expired"]
        assert len(body["code"]) >= 22  # 128 random bits in URL-safe base64
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
        body = {"code": invitation["code"]} if verb == "accept" else None
        refused = fd.client.post(f"{fd.url}{MINE}/{invitation['id']}/{verb}", json=body, headers=stranger)
        assert refused.status_code == 404, refused.text
    mine = bearer(sign_in(fd, vic)["access_token"])
    listed = fd.client.get(f"{fd.url}{MINE}", headers=mine).json()["items"]
    assert [(i["id"], i["tenant"], i["invited_by"]) for i in listed] == [
        (invitation["id"], {"slug": "lumen", "name": "Lumen", "role": "viewer"}, "admin@lumen.test")
    ]
    accepted = accept(fd, mine, invitation)
    assert accepted.status_code == 200 and accepted.json() == {
        "slug": "lumen",
        "name": "Lumen",
        "role": "viewer",
    }
    assert accept(fd, mine, invitation).status_code == 404
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
    assert accept(fd, mine, cancelled).status_code == 404
    assert ("invitation.cancelled", "admin@lumen.test") in [(a, actor) for a, actor, _ in audit(fd, "lumen")]

    expired = invite(fd, admin, vic).json()
    fd.execute("update staff_invitations set expires_at = created_at where id = :i", i=expired["id"])
    assert fd.client.get(f"{fd.url}{MINE}", headers=mine).json() == {"items": []}
    assert accept(fd, mine, expired).status_code == 404
    assert fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin).json()["items"][0]["expired"] is True
    again = invite(fd, admin, vic)  # an expired invitation gives way to a new one
    assert again.status_code == 202 and accept(fd, mine, again.json()).json() == {
        "slug": "lumen",
        "name": "Lumen",
        "role": "agent",
    }


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


def test_an_admin_who_chose_an_accounts_password_cannot_carry_it_into_another_tenant(fd: Running) -> None:
    # The reviewer's takeover: lumen's admin invites a new e-mail, so lumen's admin chose its password
    # and signs in as it; then `other` invites the same e-mail, as its admin.
    lumen = admin_of(fd)
    invite(fd, lumen, "pat@example.test", password="lumen-chose-this")
    held = bearer(sign_in(fd, "pat@example.test", password="lumen-chose-this")["access_token"])
    theirs = invite(fd, admin_of(fd, "other"), "pat@example.test", role="admin", password="other-chose-this")
    assert theirs.status_code == 202, theirs.text
    theirs_body = theirs.json()
    # Signed in as the e-mail, lumen's admin sees the invitation but cannot accept it without its code.
    assert [i["id"] for i in fd.client.get(f"{fd.url}{MINE}", headers=held).json()["items"]] == [
        theirs_body["id"]
    ]
    unknown = fd.client.post(f"{fd.url}{MINE}/999999/accept", json={"code": "x"}, headers=held)
    assert unknown.status_code == 404
    for refused in (
        fd.client.post(f"{fd.url}{MINE}/{theirs_body['id']}/accept", headers=held),
        accept(fd, held, theirs_body, code=""),
        accept(fd, held, theirs_body, code="a-guess-at-the-code"),
    ):  # a wrong or missing code looks like no invitation at all
        assert refused.status_code == 404 and set(refused.json()) == set(unknown.json())
        assert refused.json()["detail"] == f"invitation {theirs_body['id']} not found"
    assert login(fd.client, fd.url, email="pat@example.test", tenant="other").status_code == 401
    assert login(fd.client, fd.url, email="pat@example.test", password="other-chose-this").status_code == 401
    # The person, given the code by other's admin, joins; other's admin's password never works.
    assert accept(fd, held, theirs_body).json() == {"slug": "other", "name": "Other", "role": "admin"}
    assert (
        sign_in(fd, "pat@example.test", password="lumen-chose-this", tenant="other")["tenant"]["role"]
        == "admin"
    )
    for tenant in (None, "lumen", "other"):
        extra = {"tenant": tenant} if tenant else {}
        wrong = login(fd.client, fd.url, email="pat@example.test", password="other-chose-this", **extra)
        assert wrong.status_code == 401


def test_five_wrong_codes_cancel_the_invitation_and_say_so_in_the_audit_log(fd: Running) -> None:
    vic = victim(fd)
    invitation = invite(fd, admin_of(fd), vic).json()
    mine = bearer(sign_in(fd, vic)["access_token"])
    for _ in range(5):
        assert accept(fd, mine, invitation, code="wrong-code").status_code == 404
    # The invitation is gone: even the right code finds nothing now, and the admins see it gone.
    assert accept(fd, mine, invitation).status_code == 404
    assert fd.client.get(f"{fd.url}{MINE}", headers=mine).json() == {"items": []}
    assert fd.client.get(f"{fd.url}{USERS}/invitations", headers=admin_of(fd)).json() == {"items": []}
    cancelled = [(actor, d) for a, actor, d in audit(fd, "lumen") if a == "invitation.cancelled"]
    assert cancelled == [(vic, {"email": vic, "role": "agent", "reason": "too many wrong codes"})]
    assert "lumen" not in login(fd.client, fd.url, email=vic).text


def test_four_wrong_codes_leave_the_right_one_working(fd: Running) -> None:
    vic = victim(fd)
    invitation = invite(fd, admin_of(fd), vic).json()
    mine = bearer(sign_in(fd, vic)["access_token"])
    for _ in range(4):
        assert accept(fd, mine, invitation, code="wrong-code").status_code == 404
    assert accept(fd, mine, invitation).status_code == 200
    # The code is stored only as a digest.
    assert invitation["code"] not in str(fd.query("select * from staff_invitations"))


def test_an_invitation_answers_the_same_and_drops_the_password_of_an_existing_account(fd: Running) -> None:
    vic = victim(fd)
    admin = admin_of(fd)
    answers = [invite(fd, admin, email, password="admin-password") for email in (vic, "fresh@lumen.test")]
    assert [a.status_code for a in answers] == [202, 202]
    assert set(answers[0].json()) == set(answers[1].json()) == INVITED_KEYS
    assert answers[0].json()["code"] != answers[1].json()["code"]
    # The existing account keeps its own password: the admin's is usable nowhere.
    for tenant in (None, "lumen", "other"):
        extra = {"tenant": tenant} if tenant else {}
        assert login(fd.client, fd.url, email=vic, password="admin-password", **extra).status_code == 401
    assert login(fd.client, fd.url, email=vic).status_code == 200
