"""Request and response bodies of the operators' tenants API (`/api/v1/tenants`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictBool, field_validator, model_validator

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.staff import EMAIL_PATTERN
from frontdesk.domain.tenants import (
    RESERVED_SLUGS,
    SLUG_MAX,
    SLUG_MIN,
    SLUG_PATTERN,
    TenantCreated,
    TenantSummary,
    check_slug,
)
from frontdesk.services.accounts import MAX_PASSWORD, MIN_PASSWORD
from frontdesk.services.tenants import NAME_MAX, check_currency, check_timezone

NAME_PATTERN = r"^[^\x00]*[^\x00\s][^\x00]*$"
"""Some text besides spaces, and no NUL (PostgreSQL refuses it)."""

_TENANT: dict[str, JsonValue] = {
    "id": 2,
    "slug": "bikes",
    "name": "Spoke & Chain Bikes",
    "timezone": "Europe/London",
    "currency": "GBP",
    "disabled": False,
    "created_at": "2026-12-07T12:00:00Z",
    "staff": 1,
    "channels": 1,
    "contacts": 4,
}


class TenantOut(BaseModel):
    """A business on this server, with counts that tell an operator whether it is in use."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TENANT]})

    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    disabled: bool = Field(description="Its staff cannot sign in, its numbers are ignored, no turn runs.")
    created_at: datetime
    staff: int = Field(description="Members, enabled or not.")
    channels: int = Field(description="WhatsApp numbers, enabled or not.")
    contacts: int = Field(description="Customers who wrote or were imported.")

    @classmethod
    def of(cls, t: TenantSummary) -> TenantOut:
        return cls(**t.model_dump())


class OwnerOut(BaseModel):
    id: int
    email: str
    created: bool = Field(description="A new account was made (else the e-mail's account joined as owner).")


class TenantCreatedOut(TenantOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [_TENANT | {"owner": {"id": 7, "email": "owner@bikes.example", "created": True}}]
        }
    )

    owner: OwnerOut | None = Field(description="The first owner, when one was named.")

    @classmethod
    def created(cls, c: TenantCreated, *, email: str | None) -> TenantCreatedOut:
        owner = None
        if c.owner_id is not None and email is not None:
            owner = OwnerOut(id=c.owner_id, email=email.strip().lower(), created=c.owner_created)
        return cls(**c.tenant.model_dump(), owner=owner)


class TenantListOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_TENANT]}]})

    items: list[TenantOut]


class TenantIn(BaseModel):
    """A business to create. With `owner_email`, `owner_password` is needed too: a new account is made
    for the e-mail (or its existing account joins as owner, keeping its own password)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "slug": "bikes",
                    "name": "Spoke & Chain Bikes",
                    "timezone": "Europe/London",
                    "currency": "GBP",
                    "owner_email": "owner@bikes.example",
                    "owner_password": "a long passphrase",
                }
            ]
        },
    )

    slug: str = Field(
        min_length=SLUG_MIN,
        max_length=SLUG_MAX,
        pattern=SLUG_PATTERN,
        description="Lowercase letters, digits and hyphens; names the tenant in sign-ins. Some words "
        "are reserved.",
        json_schema_extra={"not": {"enum": list[JsonValue](sorted(RESERVED_SLUGS))}},
    )
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)
    timezone: str = Field(
        default="UTC", min_length=1, max_length=64, description="An IANA time zone, like Europe/London."
    )
    currency: str = Field(
        default="GBP", min_length=3, max_length=3, description="An ISO 4217 code, like GBP or EUR."
    )
    owner_email: str | None = Field(
        default=None, min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["owner@bikes.example"]
    )
    owner_password: str | None = Field(default=None, min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
    owner_name: str = Field(default="", max_length=200, pattern=r"^[^\x00]*$")

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _checked(check_slug, value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _checked(check_timezone, value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _checked(check_currency, value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _owner(self) -> TenantIn:
        if (self.owner_email is None) != (self.owner_password is None):
            raise ValueError("the owner's e-mail and password go together: give both or neither")
        return self


def _checked(check: Callable[[str], str], value: str) -> str:
    """The service's own check, as a field validator: its refusal becomes the field's 422."""
    try:
        return check(value)
    except InvalidInputError as exc:
        raise ValueError(str(exc)) from None


class TenantPatch(BaseModel):
    """What to change; a field left out (or null) stays as it is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"disabled": True}, {"name": "Spoke & Chain", "disabled": False}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN)
    disabled: StrictBool | None = Field(
        default=None,
        description="true: its staff are signed out and cannot sign in, its webhooks are ignored and no "
        "turn runs; false: enabled again.",
    )
