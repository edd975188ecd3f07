"""Request and response bodies of sign-in (`/api/v1/auth`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import EMAIL_PATTERN, Membership, Role, Staff
from frontdesk.services.accounts import MAX_PASSWORD, MIN_PASSWORD, Login

Email = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["owner@lumen.example"])


class Delivery(StrEnum):
    """How the tokens come back: `bearer` in the body (API clients), `cookie` as httpOnly cookies
    (the web app; the body then carries only the CSRF token)."""

    BEARER = "bearer"
    COOKIE = "cookie"


class LoginIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"email": "owner@lumen.example", "password": "correct horse battery", "mode": "bearer"}
            ]
        },
    )

    email: str = Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    tenant: str | None = Field(
        default=None,
        max_length=64,
        pattern=NO_NUL,
        description="The tenant's slug; needed only if the account has several.",
    )
    mode: Delivery = Delivery.BEARER


class RefreshIn(BaseModel):
    """`refresh_token` for bearer clients; the web app sends `{}` and its refresh cookie."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"refresh_token": "q1Jx…"}, {}]}
    )

    refresh_token: str | None = Field(default=None, max_length=200)
    mode: Delivery | None = Field(default=None, description="Default: cookie if the cookie was used.")


class SwitchIn(BaseModel):
    """The tenant to work in next (its slug, from `tenants` of `GET /api/v1/auth/me`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tenant": "bikes"}]})

    tenant: str = Field(min_length=1, max_length=64, pattern=NO_NUL, description="The tenant's slug.")
    mode: Delivery | None = Field(
        default=None, description="Default: bearer if the request had an Authorization header, else cookie."
    )


class PasswordIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"current_password": "correct horse battery", "new_password": "a longer passphrase"}]
        },
    )

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    new_password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)


class TenantOut(BaseModel):
    slug: str
    name: str
    role: Role


class StaffTenantOut(TenantOut):
    """The tenant the session acts for, with what the web app needs to show its data."""

    currency: str = Field(description="ISO 4217 code of the business's prices", examples=["GBP"])

    @classmethod
    def of(cls, tenant: Tenant, role: Role) -> StaffTenantOut:
        return cls(slug=tenant.slug, name=tenant.name, role=role, currency=tenant.currency)


class MeOut(BaseModel):
    """The signed-in staff member, the tenant they act for, and every tenant they may sign in to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "email": "owner@lumen.example",
                    "name": "Lumen owner",
                    "role": "owner",
                    "tenant": {"slug": "lumen", "name": "Lumen Home", "role": "owner", "currency": "GBP"},
                    "tenants": [{"slug": "lumen", "name": "Lumen Home", "role": "owner"}],
                }
            ]
        }
    )

    id: int
    email: str
    name: str
    role: Role
    tenant: StaffTenantOut
    tenants: list[TenantOut]

    @classmethod
    def of(cls, staff: Staff, memberships: list[Membership]) -> MeOut:
        assert staff.user_id is not None
        here = StaffTenantOut.of(staff.tenant, staff.role)
        return cls(
            id=staff.user_id,
            email=staff.email,
            name=staff.name,
            role=staff.role,
            tenant=here,
            tenants=[TenantOut(slug=m.tenant.slug, name=m.tenant.name, role=m.role) for m in memberships],
        )


class UserRef(BaseModel):
    id: int
    email: str
    name: str
    role: Role


class LoginOut(BaseModel):
    """A session. Bearer mode: both tokens here (the refresh token is shown only now). Cookie mode: the
    tokens are in httpOnly cookies and `csrf_token` goes in the `X-CSRF-Token` header of writes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token_type": "bearer",
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…",
                    "refresh_token": "q1Jx…",
                    "csrf_token": None,
                    "expires_at": "2026-11-24T09:15:00Z",
                    "refresh_expires_at": "2026-12-08T09:00:00Z",
                    "user": {"id": 1, "email": "owner@lumen.example", "name": "", "role": "owner"},
                    "tenant": {"slug": "lumen", "name": "Lumen Home", "role": "owner"},
                }
            ]
        }
    )

    token_type: str = "bearer"
    access_token: str | None
    refresh_token: str | None
    csrf_token: str | None
    expires_at: datetime
    refresh_expires_at: datetime
    user: UserRef
    tenant: TenantOut

    @classmethod
    def of(cls, login: Login, *, mode: Delivery, csrf: str | None) -> LoginOut:
        staff = login.staff
        assert staff.user_id is not None
        bearer = mode is Delivery.BEARER
        return cls(
            access_token=login.access_token if bearer else None,
            refresh_token=login.refresh_token if bearer else None,
            csrf_token=csrf,
            expires_at=login.access_expires_at,
            refresh_expires_at=login.refresh_expires_at,
            user=UserRef(id=staff.user_id, email=staff.email, name=staff.name, role=staff.role),
            tenant=TenantOut(slug=staff.tenant.slug, name=staff.tenant.name, role=staff.role),
        )


class PasswordOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"sessions_ended": 2}]})

    sessions_ended: int = Field(description="How many other sessions of yours were signed out.")
