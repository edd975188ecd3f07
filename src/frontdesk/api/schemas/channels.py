"""Request and response bodies of the channel endpoints. Credentials go in, and only "set" comes out."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    StringConstraints,
)

from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.admin import ChannelChanges, ChannelDetails, ConnectionTest, NewChannel
from frontdesk.domain.models import UncertainSends

GraphId = Annotated[str, StringConstraints(pattern=r"^\d{5,32}$")]
DisplayNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{5,32}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
_TOKEN = re.compile(r"[\x21-\x7e]+")
_UNCERTAIN_SENDS = (
    "What to do with a reply whose send may have reached WhatsApp without Frontdesk hearing the outcome "
    "(the server stopped mid-send, or Graph timed out): `resend` sends it again (the customer gets it at "
    "least once, perhaps twice); `hold` never sends it again and lists it under the jobs' failed sends as "
    "`uncertain`, for staff to resend or discard (at most once)."
)


def _printable_ascii(token: SecretStr) -> SecretStr:
    """A token goes into an HTTP header, which cannot carry other characters (nor spaces, in a token)."""
    if not _TOKEN.fullmatch(token.get_secret_value()):
        raise ValueError("must be printable ASCII characters without spaces")
    return token


Token = Annotated[
    SecretStr,
    Field(min_length=8, max_length=4096, json_schema_extra={"pattern": r"^[\x21-\x7e]+$"}),
    AfterValidator(_printable_ascii),
]


class ChannelIn(BaseModel):
    """A WhatsApp number to add. `access_token` is write-only: answers only say whether one is set."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "phone_number_id": "109876543210001",
                    "waba_id": "209876543210001",
                    "display_phone_number": "+44 20 7946 0321",
                    "name": "Lumen support",
                    "access_token": "EAAG-example-token",
                }
            ]
        },
    )

    phone_number_id: GraphId = Field(description="The number's id in the WhatsApp Cloud API (digits)")
    waba_id: GraphId | None = Field(default=None, description="The WhatsApp Business Account id")
    display_phone_number: DisplayNumber | None = None
    name: Name | None = None
    access_token: Token | None = Field(
        default=None, description="A token for this number; unset, FRONTDESK_WHATSAPP_ACCESS_TOKEN is used"
    )
    enabled: StrictBool = True
    uncertain_sends: UncertainSends = Field(default=UncertainSends.RESEND, description=_UNCERTAIN_SENDS)

    def to_domain(self) -> NewChannel:
        token = self.access_token.get_secret_value() if self.access_token else None
        return NewChannel(**self.model_dump(exclude={"access_token"}), access_token=token)


class ChannelPatch(BaseModel):
    """Fields to change; those left out stay. `"access_token": null` drops the number's own token."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Lumen sales", "access_token": "EAAG-example-token"}]},
    )

    waba_id: GraphId | None = None
    display_phone_number: DisplayNumber | None = None
    name: Name | None = None
    access_token: Token | None = None
    enabled: StrictBool | None = None
    uncertain_sends: UncertainSends | None = Field(default=None, description=_UNCERTAIN_SENDS)

    def to_domain(self) -> ChannelChanges:
        values = self.model_dump(exclude_unset=True)
        if "access_token" in values:
            values["access_token"] = self.access_token.get_secret_value() if self.access_token else None
        if values.get("enabled", True) is None:
            del values["enabled"]
        if values.get("uncertain_sends", True) is None:
            del values["uncertain_sends"]
        return ChannelChanges.model_validate(values)


class CredentialState(BaseModel):
    set: bool = Field(description="Whether a value is stored; the value itself is never returned")


class LastTestOut(BaseModel):
    """The latest "test connection" of a number, by anyone."""

    at: datetime
    ok: bool
    error: str | None = Field(description="The provider's code and message when the test failed")


class ChannelOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "phone_number_id": "109876543210001",
                    "waba_id": "209876543210001",
                    "display_phone_number": "+44 20 7946 0321",
                    "name": "Lumen support",
                    "kind": "whatsapp_cloud",
                    "enabled": True,
                    "access_token": {"set": True},
                    "uncertain_sends": "resend",
                    "webhook_url": "https://frontdesk.example.com/webhooks/whatsapp",
                    "verify_token": "a-long-random-string",
                    "created_at": "2026-11-21T10:00:00Z",
                    "last_test": {"at": "2026-11-26T09:12:00Z", "ok": True, "error": None},
                }
            ]
        }
    )

    id: int
    phone_number_id: str
    waba_id: str | None
    display_phone_number: str | None
    name: str | None
    kind: str
    enabled: bool
    access_token: CredentialState
    uncertain_sends: UncertainSends = Field(description=_UNCERTAIN_SENDS)
    webhook_url: str = Field(description="Paste into Meta: App → WhatsApp → Configuration → Callback URL")
    verify_token: str = Field(description="Paste into Meta as the Verify token")
    created_at: datetime
    last_test: LastTestOut | None = Field(description="The latest connection test; null if never tested")

    @classmethod
    def of(cls, c: ChannelDetails, *, webhook_url: str, verify_token: str) -> ChannelOut:
        return cls(
            id=c.id,
            phone_number_id=c.phone_number_id,
            waba_id=c.waba_id,
            display_phone_number=c.display_phone_number,
            name=c.name,
            kind=c.kind,
            enabled=c.enabled,
            access_token=CredentialState(set=c.access_token_set),
            uncertain_sends=c.uncertain_sends,
            webhook_url=webhook_url,
            verify_token=verify_token,
            created_at=c.created_at,
            last_test=None if c.last_test is None else LastTestOut.model_validate(c.last_test.model_dump()),
        )


class ChannelPage(BaseModel):
    items: list[ChannelOut]
    total: int
    limit: int
    offset: int


class ConnectionTestOut(BaseModel):
    """Graph's answer about the number: ok with what it knows, or its error code and message."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ok": True,
                    "display_phone_number": "+44 20 7946 0321",
                    "verified_name": "Lumen Home",
                    "quality_rating": "GREEN",
                    "error_code": None,
                    "error_message": None,
                },
                {
                    "ok": False,
                    "display_phone_number": None,
                    "verified_name": None,
                    "quality_rating": None,
                    "error_code": "190",
                    "error_message": "(#190) Invalid OAuth access token",
                },
            ]
        }
    )

    ok: bool
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @classmethod
    def of(cls, t: ConnectionTest) -> ConnectionTestOut:
        phone = t.phone.model_dump() if t.phone else {}
        return cls(ok=t.ok, error_code=t.error_code, error_message=t.error_message, **phone)
