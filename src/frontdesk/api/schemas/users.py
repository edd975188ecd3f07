"""Request and response bodies of staff management (`/api/v1/users`) and the audit log (`/api/v1/audit`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool

from frontdesk.api.schemas.auth import Email
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.invitations import Invitation
from frontdesk.domain.staff import Member, Role
from frontdesk.services.accounts import MAX_PASSWORD, MIN_PASSWORD

_MEMBER: dict[str, JsonValue] = {
    "id": 2,
    "email": "sam@lumen.example",
    "name": "Sam Patel",
    "role": "agent",
    "disabled": False,
    "created_at": "2026-11-24T09:00:00Z",
    "last_login_at": "2026-11-26T08:41:00Z",
}


class MemberOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_MEMBER]})

    id: int
    email: str
    name: str
    role: Role
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None = Field(
        description="Their latest successful sign-in (to any tenant); null if they never signed in."
    )

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(
            id=member.user_id,
            email=member.email,
            name=member.name,
            role=member.role,
            disabled=member.disabled,
            created_at=member.created_at,
            last_login_at=member.last_login_at,
        )


class MemberListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_MEMBER], "total": 1, "limit": 50, "offset": 0}]}
    )

    items: list[MemberOut]
    total: int
    limit: int
    offset: int


class MemberIn(BaseModel):
    """Someone to invite. A new e-mail gets an account with this name and password, which joins at its
    first sign-in; an e-mail that already has an account joins only when its owner accepts, and keeps
    its own name and password. The answer is the same either way."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "sam@lumen.example",
                    "name": "Sam Patel",
                    "role": "agent",
                    "password": "a long passphrase",
                }
            ]
        },
    )

    email: str = Email
    name: str = Field(default="", max_length=200, pattern=NO_NUL)
    role: Role
    password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)


_INVITATION: dict[str, JsonValue] = {
    "id": 7,
    "email": "sam@lumen.example",
    "role": "agent",
    "invited_by": "owner@lumen.example",
    "created_at": "2026-11-24T09:00:00Z",
    "expires_at": "2026-12-01T09:00:00Z",
    "expired": False,
}


_CODE = "q0mX3fJ8c1vT9bYzL2wKpA"


class InvitationOut(BaseModel):
    """An invitation this tenant sent, waiting for the person to accept it (at their first sign-in for
    an account made by it, or from their invitations otherwise). Says nothing about the account."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INVITATION]})

    id: int
    email: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    expired: bool = Field(description="Past `expires_at`: it can no longer be accepted; invite again.")

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            expired=invitation.expired,
        )


class InvitationCreatedOut(InvitationOut):
    """The invitation just sent, with its one-time code: shown only in this answer (only a hash is
    kept). Give the code to the person; an existing account needs it to accept."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**_INVITATION, "code": _CODE}]})

    code: str = Field(
        description="The one-time code that accepting takes (`POST /api/v1/invitations/{id}/accept`). "
        "Shown once: hand it to the person yourself. Five wrong codes cancel the invitation."
    )

    @classmethod
    def of_new(cls, invitation: Invitation, code: str) -> InvitationCreatedOut:
        return cls(**InvitationOut.of(invitation).model_dump(), code=code)


class InvitationListOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_INVITATION]}]})

    items: list[InvitationOut]


class MemberPatch(BaseModel):
    """What to change; fields left out stay as they are. Disabling signs them out of this tenant."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"role": "admin"}, {"disabled": True}]}
    )

    role: Role | None = None
    disabled: StrictBool | None = None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        assert entry.id is not None
        return cls(
            id=entry.id,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            target_type=entry.target_type,
            target_id=entry.target_id,
            details=entry.details,
        )


class AuditListOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 41,
                            "at": "2026-11-24T09:00:00Z",
                            "actor": "owner@lumen.example",
                            "action": "user.changed",
                            "target_type": "user",
                            "target_id": "2",
                            "details": {"role": ["agent", "admin"]},
                        }
                    ],
                    "next_cursor": "WyIyMDI2LTExLTI0VDA5OjAwOjAwKzAwOjAwIiw0MV0",
                }
            ]
        }
    )

    items: list[AuditEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older entries; null on the last page")
