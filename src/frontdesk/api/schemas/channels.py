"""Request and response bodies of the channel endpoints. Credentials go in, and only "set" comes out.

A number to add is one of three bodies picked by `kind` (absent: `whatsapp_cloud`, so clients written
before kinds existed keep working); a field that belongs to another kind is refused naming the kind it
belongs to. Every answer is one `ChannelOut` whatever the kind, with the other kinds' fields null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    StrictBool,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.admin import (
    AWS_NUMBER,
    AWS_REGION,
    ChannelChanges,
    ChannelDetails,
    ConnectionTest,
    NewBridgeChannel,
    NewChannel,
    aws_number_region,
    check_aws_number,
    check_region,
)
from frontdesk.domain.channel_kinds import ChannelKind, ChannelStatus
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


TeamVersion = Annotated[
    int,
    Field(
        ge=0,
        strict=True,
        description="The tenant's team version that answers on this number (0: the team file, then each "
        "saved version); null (or left out): the tenant's current team, whichever it is",
    ),
]
Region = Annotated[
    str,
    Field(description="The AWS region the number is linked in", json_schema_extra={"pattern": AWS_REGION}),
    AfterValidator(check_region),
]
AwsNumber = Annotated[
    str,
    Field(
        description="AWS End User Messaging's id of the number: `phone-number-id-…`, or its ARN "
        "(`arn:aws:social-messaging:<region>:<account>:phone-number-id/…`)",
        json_schema_extra={"pattern": AWS_NUMBER},
    ),
    AfterValidator(check_aws_number),
]


def _refused(message: str) -> object:
    """A field another kind has, refused here with `message` (so the error names it, rather than a bare
    "extra input"); hidden from the schema."""

    def refuse(value: object) -> None:
        raise ValueError(message)

    return BeforeValidator(refuse)


_NO_BRIDGE_ID = _refused(
    "a wa_bridge channel has no phone number id: Frontdesk names its zapw session (session_id), and the "
    "number is known once a phone scans the QR"
)
_NO_BRIDGE_TOKEN = _refused("a wa_bridge channel has no token: the bridge's API key is a server setting")
_NO_AWS_TOKEN = _refused(
    "an aws_social channel has no token: AWS credentials come from the server's boto3 chain"
)
_AWS_ONLY = _refused('only an aws_social channel has this field: add "kind": "aws_social"')
_BRIDGE_ONLY = _refused('only a wa_bridge channel has this field: add "kind": "wa_bridge"')
Hidden = SkipJsonSchema[None]


class CloudChannelIn(BaseModel):
    """A Cloud API number to add (`kind` may be left out). `access_token` is write-only: answers only say
    whether one is set."""

    model_config = ConfigDict(
        extra="forbid",
        title="CloudChannelIn",
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

    kind: Literal[ChannelKind.WHATSAPP_CLOUD] = ChannelKind.WHATSAPP_CLOUD
    phone_number_id: GraphId = Field(description="The number's id in the WhatsApp Cloud API (digits)")
    waba_id: GraphId | None = Field(default=None, description="The WhatsApp Business Account id")
    display_phone_number: DisplayNumber | None = None
    name: Name | None = None
    access_token: Token | None = Field(
        default=None, description="A token for this number; unset, FRONTDESK_WHATSAPP_ACCESS_TOKEN is used"
    )
    enabled: StrictBool = True
    uncertain_sends: UncertainSends = Field(default=UncertainSends.RESEND, description=_UNCERTAIN_SENDS)
    team_version: TeamVersion | None = None
    aws_phone_number_id: Annotated[Hidden, _AWS_ONLY] = None
    region: Annotated[Hidden, _AWS_ONLY] = None
    groups: Annotated[Hidden, _BRIDGE_ONLY] = None

    def to_domain(self) -> NewChannel:
        token = self.access_token.get_secret_value() if self.access_token else None
        values = self.model_dump(exclude={"access_token", "aws_phone_number_id", "region", "groups"})
        return NewChannel(**values, access_token=token)


class BridgeChannelIn(BaseModel):
    """A number to link by QR through the bridge (zapw): the answer carries the QR to scan."""

    model_config = ConfigDict(
        extra="forbid",
        title="BridgeChannelIn",
        json_schema_extra={"examples": [{"kind": "wa_bridge", "name": "Shop"}]},
    )

    kind: Literal[ChannelKind.WA_BRIDGE]
    name: Name = Field(description="What staff call the number (it has none until a phone is linked)")
    groups: StrictBool = Field(
        default=False, description="Whether group messages start turns (they are always stored)"
    )
    uncertain_sends: UncertainSends = Field(default=UncertainSends.RESEND, description=_UNCERTAIN_SENDS)
    team_version: TeamVersion | None = None
    phone_number_id: Annotated[Hidden, _NO_BRIDGE_ID] = None
    access_token: Annotated[Hidden, _NO_BRIDGE_TOKEN] = None
    aws_phone_number_id: Annotated[Hidden, _AWS_ONLY] = None
    region: Annotated[Hidden, _AWS_ONLY] = None

    def to_domain(self) -> NewBridgeChannel:
        return NewBridgeChannel(
            name=self.name,
            groups=self.groups,
            uncertain_sends=self.uncertain_sends,
            team_version=self.team_version,
        )


class AwsChannelIn(BaseModel):
    """A number linked to AWS End User Messaging Social: Meta's id (which its events name) and AWS's."""

    model_config = ConfigDict(
        extra="forbid",
        title="AwsChannelIn",
        json_schema_extra={
            "examples": [
                {
                    "kind": "aws_social",
                    "phone_number_id": "109876543210002",
                    "aws_phone_number_id": "phone-number-id-0123456789abcdef0123456789abcdef",
                    "region": "eu-west-1",
                    "name": "Lumen sales",
                }
            ]
        },
    )

    kind: Literal[ChannelKind.AWS_SOCIAL]
    phone_number_id: GraphId = Field(
        description="Meta's id of the number (digits), which the events AWS forwards name it by"
    )
    aws_phone_number_id: AwsNumber
    region: Region
    waba_id: GraphId | None = Field(default=None, description="The WhatsApp Business Account id")
    display_phone_number: DisplayNumber | None = None
    name: Name | None = None
    enabled: StrictBool = True
    uncertain_sends: UncertainSends = Field(default=UncertainSends.RESEND, description=_UNCERTAIN_SENDS)
    team_version: TeamVersion | None = None
    access_token: Annotated[Hidden, _NO_AWS_TOKEN] = None
    groups: Annotated[Hidden, _BRIDGE_ONLY] = None

    @field_validator("region")
    @classmethod
    def _arn_in_region(cls, region: str, info: ValidationInfo) -> str:
        """An ARN names its region: `region` must be the same one (checked after `aws_phone_number_id`)."""
        named = aws_number_region(info.data.get("aws_phone_number_id") or "")
        if named is not None and named != region:
            raise ValueError(f"the ARN in aws_phone_number_id is in {named}, not in {region}")
        return region

    def to_domain(self) -> NewChannel:
        return NewChannel(**self.model_dump(exclude={"access_token", "groups"}))


_UNKNOWN_KIND = "kind"
"""The union's tag for a body whose `kind` is none of the kinds: pydantic puts a tag in an error's `loc`,
and this one then reads `["body", "kind"]`."""
_KINDS = TypeAdapter(ChannelKind)
_KIND_NAMES = frozenset(k.value for k in ChannelKind)


def _refuse_kind(body: Any) -> Any:
    """Where a body with an unknown `kind` goes: fails naming the kinds there are (`ChannelKind`'s error)."""
    _KINDS.validate_python(body.get("kind"))
    raise AssertionError("unreachable: only a body with an unknown kind is read as this")


def _kind_of(body: Any) -> str:
    """The union's tag: the body's `kind`, "whatsapp_cloud" when it has none (as before kinds existed);
    anything but an object goes to the Cloud API's body, which says it must be one."""
    if not isinstance(body, dict):
        return str(getattr(body, "kind", ChannelKind.WHATSAPP_CLOUD))
    kind = body.get("kind", ChannelKind.WHATSAPP_CLOUD)
    return kind if isinstance(kind, str) and kind in _KIND_NAMES else _UNKNOWN_KIND


ChannelIn = Annotated[
    Annotated[CloudChannelIn, Tag(ChannelKind.WHATSAPP_CLOUD)]
    | Annotated[BridgeChannelIn, Tag(ChannelKind.WA_BRIDGE)]
    | Annotated[AwsChannelIn, Tag(ChannelKind.AWS_SOCIAL)]
    | SkipJsonSchema[Annotated[Any, BeforeValidator(_refuse_kind), Tag(_UNKNOWN_KIND)]],
    Discriminator(_kind_of),
]
"""A number to add, by `kind`: `whatsapp_cloud` (the default), `wa_bridge` or `aws_social`."""

_TAGS = set(ChannelKind)


def untagged(errors: Sequence[Any]) -> list[Any]:
    """`errors` of a `ChannelIn` with the union's tag taken out of each `loc`, which then reads
    `["body", field]` as every other body's errors do (pydantic puts the tag after "body")."""
    out = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and loc[1] in _TAGS:
            error = {**error, "loc": ("body", *loc[2:])}
        out.append(error)
    return out


class ChannelPatch(BaseModel):
    """Fields to change; those left out stay. `"access_token": null` drops the number's own token;
    `"team_version": null` gives the number back to the tenant's current team. Fields of another kind
    (`groups` on a Cloud API number, the AWS ids on any other) are refused with 422."""

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
    groups: StrictBool | None = Field(default=None, description="wa_bridge only: group messages start turns")
    team_version: TeamVersion | None = None
    aws_phone_number_id: AwsNumber | None = Field(default=None, description="aws_social only")
    region: Region | None = Field(default=None, description="aws_social only")

    def to_domain(self) -> ChannelChanges:
        values = self.model_dump(exclude_unset=True)
        if "access_token" in values:
            values["access_token"] = self.access_token.get_secret_value() if self.access_token else None
        for name in _NOT_NULL:
            if name in values and values[name] is None:
                del values[name]
        return ChannelChanges.model_validate(values)


_NOT_NULL = ("enabled", "uncertain_sends", "groups", "aws_phone_number_id", "region")
"""Fields a null cannot clear: a null there changes nothing."""


class CredentialState(BaseModel):
    set: bool = Field(description="Whether a value is stored; the value itself is never returned")


class LastTestOut(BaseModel):
    """The latest "test connection" of a number, by anyone."""

    at: datetime
    ok: bool
    error: str | None = Field(description="The provider's code and message when the test failed")


class ChannelOut(BaseModel):
    """A number as staff see it, whatever its kind; fields of another kind are null."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "kind": "whatsapp_cloud",
                    "phone_number_id": "109876543210001",
                    "session_id": None,
                    "waba_id": "209876543210001",
                    "display_phone_number": "+44 20 7946 0321",
                    "name": "Lumen support",
                    "enabled": True,
                    "access_token": {"set": True},
                    "uncertain_sends": "resend",
                    "aws_phone_number_id": None,
                    "region": None,
                    "groups": False,
                    "team_version": None,
                    "status": None,
                    "status_detail": None,
                    "status_at": None,
                    "profile_name": None,
                    "qr": None,
                    "qr_expires_at": None,
                    "webhook_url": "https://frontdesk.example.com/webhooks/whatsapp",
                    "verify_token": "a-long-random-string",
                    "created_at": "2026-11-21T10:00:00Z",
                    "last_test": {"at": "2026-11-26T09:12:00Z", "ok": True, "error": None},
                },
                {
                    "id": 2,
                    "kind": "wa_bridge",
                    "phone_number_id": None,
                    "session_id": "fd-3f9a1c0b7e2d4a65",
                    "waba_id": None,
                    "display_phone_number": None,
                    "name": "Shop",
                    "enabled": True,
                    "access_token": {"set": False},
                    "uncertain_sends": "resend",
                    "aws_phone_number_id": None,
                    "region": None,
                    "groups": False,
                    "team_version": None,
                    "status": "qr_waiting",
                    "status_detail": None,
                    "status_at": "2026-12-07T16:00:00Z",
                    "profile_name": None,
                    "qr": "2@Xk3vQ9b…",
                    "qr_expires_at": "2026-12-07T16:01:00Z",
                    "webhook_url": "https://frontdesk.example.com/webhooks/bridge",
                    "verify_token": None,
                    "created_at": "2026-12-07T16:00:00Z",
                    "last_test": None,
                },
            ]
        }
    )

    id: int
    kind: ChannelKind
    phone_number_id: str | None = Field(
        description="Meta's id of the number (whatsapp_cloud, aws_social); null for wa_bridge"
    )
    session_id: str | None = Field(
        description="wa_bridge: the zapw session Frontdesk named (`fd-…`); null for the other kinds"
    )
    waba_id: str | None
    display_phone_number: str | None = Field(
        description="The number in international form; for wa_bridge, the linked phone's (once connected)"
    )
    name: str | None
    enabled: bool
    access_token: CredentialState
    uncertain_sends: UncertainSends = Field(description=_UNCERTAIN_SENDS)
    aws_phone_number_id: str | None = Field(description="aws_social: AWS's id of the number (or its ARN)")
    region: str | None = Field(description="aws_social: the AWS region the number is linked in")
    groups: bool = Field(description="wa_bridge: whether group messages start turns (always false otherwise)")
    team_version: int | None = Field(
        description="The team version that answers on this number; null: the tenant's current team"
    )
    status: ChannelStatus | None = Field(
        description="wa_bridge: the link to the phone as the bridge reports it; null for Meta's kinds"
    )
    status_detail: str | None = Field(
        description="Why the status is what it is (the bridge's disconnect reason)"
    )
    status_at: datetime | None = Field(description="When the status last changed")
    profile_name: str | None = Field(description="wa_bridge: the linked phone's WhatsApp profile name")
    qr: str | None = Field(
        description="wa_bridge while `qr_waiting`: the QR to scan with the phone, a `2@…` payload to draw or "
        "a `data:image/png;base64,…` image; null in lists (GET the channel for a fresh one)"
    )
    qr_expires_at: datetime | None = Field(description="When `qr` stops working: GET the channel again then")
    webhook_url: str = Field(
        description="Where this kind's events come in: for whatsapp_cloud paste it into Meta (App → WhatsApp "
        "→ Configuration → Callback URL); for wa_bridge, zapw's WEBHOOK_URL with `?token=` and "
        "FRONTDESK_BRIDGE_WEBHOOK_TOKEN appended; for aws_social, the SNS topic's HTTPS subscription"
    )
    verify_token: str | None = Field(description="whatsapp_cloud: paste into Meta as the Verify token")
    created_at: datetime
    last_test: LastTestOut | None = Field(description="The latest connection test; null if never tested")

    @classmethod
    def of(cls, c: ChannelDetails, *, webhook_url: str, verify_token: str | None) -> ChannelOut:
        bridge = c.kind is ChannelKind.WA_BRIDGE
        return cls(
            id=c.id,
            kind=c.kind,
            phone_number_id=None if bridge else c.phone_number_id,
            session_id=c.phone_number_id if bridge else None,
            waba_id=c.waba_id,
            display_phone_number=c.display_phone_number,
            name=c.name,
            enabled=c.enabled,
            access_token=CredentialState(set=c.access_token_set),
            uncertain_sends=c.uncertain_sends,
            aws_phone_number_id=c.aws_phone_number_id,
            region=c.region,
            groups=c.groups,
            team_version=c.team_version,
            status=c.status,
            status_detail=c.status_detail,
            status_at=c.status_at,
            profile_name=c.profile_name,
            qr=c.qr,
            qr_expires_at=c.qr_expires_at,
            webhook_url=webhook_url,
            verify_token=verify_token if c.kind is ChannelKind.WHATSAPP_CLOUD else None,
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
