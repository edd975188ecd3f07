"""Request and response bodies of the tenant settings endpoints."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from frontdesk.api.params import WholeNumber
from frontdesk.api.schemas.conversations import NO_NUL
from frontdesk.domain.admin import TenantChanges, TenantSettings, WeekHours, check_day, check_timezone
from frontdesk.domain.retention import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

ClockTime = Annotated[str, Field(description="24-hour local time, HH:MM", examples=["09:00"])]
RetentionDays = Annotated[
    int | None,
    Field(
        strict=True,
        ge=MIN_RETENTION_DAYS,
        le=MAX_RETENTION_DAYS,
        description=(
            "Days after which message text and content (media references included), conversation "
            "summaries and live events are erased by an hourly job; the message rows, statistics and the "
            "audit log stay. null: kept for ever."
        ),
        examples=[365],
    ),
    WholeNumber,
]


class DayHours(BaseModel):
    """When the business opens and closes on one weekday (local time)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"open": "09:00", "close": "18:00"}]}
    )

    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _open_before_close(self) -> Self:
        check_day("this day", (self.open, self.close))
        return self


class OpeningHours(BaseModel):
    """Opening hours per weekday; a day that is null or left out is closed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "mon": {"open": "09:00", "close": "18:00"},
                    "tue": {"open": "09:00", "close": "18:00"},
                    "wed": {"open": "09:00", "close": "18:00"},
                    "thu": {"open": "09:00", "close": "18:00"},
                    "fri": {"open": "09:00", "close": "18:00"},
                    "sat": {"open": "10:00", "close": "16:00"},
                    "sun": None,
                }
            ]
        },
    )

    mon: DayHours | None = None
    tue: DayHours | None = None
    wed: DayHours | None = None
    thu: DayHours | None = None
    fri: DayHours | None = None
    sat: DayHours | None = None
    sun: DayHours | None = None

    def to_domain(self) -> WeekHours:
        return {day: (h.open, h.close) if h else None for day, h in self}

    @classmethod
    def of(cls, hours: WeekHours) -> OpeningHours:
        return cls(**{day: DayHours(open=s[0], close=s[1]) if s else None for day, s in hours.items()})


class TenantOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "slug": "lumen",
                    "name": "Lumen Home",
                    "timezone": "Europe/London",
                    "opening_hours": {"mon": {"open": "09:00", "close": "18:00"}, "sun": None},
                    "retention_days": 365,
                }
            ]
        }
    )

    id: int
    slug: str
    name: str
    timezone: str = Field(description="IANA time zone name")
    opening_hours: OpeningHours
    retention_days: RetentionDays

    @classmethod
    def of(cls, t: TenantSettings) -> TenantOut:
        return cls(
            id=t.id,
            slug=t.slug,
            name=t.name,
            timezone=t.timezone,
            opening_hours=OpeningHours.of(t.opening_hours),
            retention_days=t.retention_days,
        )


class TenantPatch(BaseModel):
    """Fields to change; those left out stay as they are. `opening_hours` replaces the whole week;
    `"retention_days": null` keeps messages for ever."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Lumen Home",
                    "timezone": "Europe/London",
                    "opening_hours": {"mon": {"open": "09:00", "close": "17:30"}},
                    "retention_days": 365,
                }
            ]
        },
    )

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)]
        | None
    ) = None
    timezone: str | None = Field(default=None, description="IANA time zone name, e.g. Europe/London")
    opening_hours: OpeningHours | None = None
    retention_days: RetentionDays = None

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    def to_domain(self) -> TenantChanges:
        retention = (
            {"retention_days": self.retention_days} if "retention_days" in self.model_fields_set else {}
        )
        return TenantChanges(
            name=self.name,
            timezone=self.timezone,
            opening_hours=self.opening_hours.to_domain() if self.opening_hours else None,
            **retention,
        )
