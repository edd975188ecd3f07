"""Bodies of the invited person's side of invitations (`/api/v1/invitations`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from frontdesk.api.schemas.auth import TenantOut
from frontdesk.domain.invitations import Invitation
from frontdesk.services.invitations import MAX_CODE

_MINE: dict[str, JsonValue] = {
    "id": 7,
    "tenant": {"slug": "rival", "name": "Rival Ltd", "role": "agent"},
    "invited_by": "owner@rival.example",
    "created_at": "2026-11-24T09:00:00Z",
    "expires_at": "2026-12-01T09:00:00Z",
}


class MyInvitationOut(BaseModel):
    """A tenant asking you to join its staff with `tenant.role`."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MINE]})

    id: int
    tenant: TenantOut
    invited_by: str
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> MyInvitationOut:
        tenant = invitation.tenant
        return cls(
            id=invitation.id,
            tenant=TenantOut(slug=tenant.slug, name=tenant.name, role=invitation.role),
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )


class MyInvitationListOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_MINE]}]})

    items: list[MyInvitationOut]


class AcceptIn(BaseModel):
    """The invitation's one-time code, which the person got from the admin who invited them."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "q0mX3fJ8c1vT9bYzL2wKpA"}]}
    )

    code: str = Field(
        default="",
        max_length=MAX_CODE,
        description="The code the inviting admin was shown once. A wrong or missing code is answered "
        "like an unknown invitation (404), and the fifth wrong one cancels the invitation.",
    )
