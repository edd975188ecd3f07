"""A business pack's business to the database's columns and back, and its appointments' local times; the
importer and the export share it (the tables' rows are records, mapped by `business_record_rows`).

Comparing an existing row with the pack's goes through `*_from_row` then `==`, so "unchanged" means
exactly "an export would write the same row".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.adapters.db import business_record_rows as records
from frontdesk.adapters.db.business_record_rows import day as _day
from frontdesk.domain.business import WEEKDAYS
from frontdesk.domain.business_pack import PackBusiness, PackContacts, PackWhatsApp
from frontdesk.domain.business_records import AppointmentRecord

PROFILE_KEYS = (
    "legal_name",
    "languages",
    "locale",
    "website",
    "support_email",
    "opening_hours",
    "holidays",
    "contacts",
)
"""business.yaml's keys kept in the tenant's `profile` (name, timezone and currency have columns)."""


def _hours_json(hours: Mapping[str, tuple[time, time] | None]) -> dict[str, list[str]]:
    return {d: ([h[0].strftime("%H:%M"), h[1].strftime("%H:%M")] if h else []) for d, h in hours.items()}


def _hours(data: Mapping[str, Any] | None) -> dict[str, tuple[time, time] | None]:
    out: dict[str, tuple[time, time] | None] = {}
    for day in sorted(data or {}, key=lambda d: WEEKDAYS.index(d) if d in WEEKDAYS else 7):
        span = (data or {})[day]
        out[day] = (time.fromisoformat(span[0]), time.fromisoformat(span[1])) if span else None
    return out


# -- the business (tenant row and channel)


def tenant_values(
    b: PackBusiness, *, travel_buffer_min: int | None, profile: Mapping[str, Any]
) -> dict[str, Any]:
    """The tenant's columns for `b`, its profile being `profile` (the current one) with the keys `b` was
    given replaced (an empty one removed) and every other key kept: business.yaml upserts too."""
    new = dict(profile)
    given = set(PROFILE_KEYS) & b.model_fields_set
    doc = b.model_dump(mode="json", include=given) | (
        {"opening_hours": _hours_json(b.opening_hours)} if "opening_hours" in given else {}
    )
    for key, value in doc.items():
        if value in (None, [], {}):
            new.pop(key, None)
        else:
            new[key] = value
    if travel_buffer_min is not None:
        # Read by the booking tools (`BookingRules`): free time a technician needs after a visit.
        new["booking"] = {**(new.get("booking") or {}), "travel_buffer_min": travel_buffer_min}
    return {"name": b.name, "timezone": b.timezone, "currency": b.currency, "profile": new}


def business_from_row(tenant: Any, channel: Any | None) -> PackBusiness:
    p: dict[str, Any] = tenant.profile or {}
    whatsapp = None
    if channel is not None:
        whatsapp = PackWhatsApp(
            phone_number_id=channel.phone_number_id,
            waba_id=channel.waba_id or None,
            display_phone_number=channel.display_phone_number,
        )
    return PackBusiness(
        name=tenant.name,
        legal_name=p.get("legal_name"),
        whatsapp=whatsapp,
        timezone=tenant.timezone,
        currency=tenant.currency,
        languages=tuple(p.get("languages") or ()),
        locale=p.get("locale"),
        website=p.get("website"),
        support_email=p.get("support_email"),
        opening_hours=_hours(p.get("opening_hours")),
        holidays=tuple(d for d in map(_day, p.get("holidays") or ()) if d),
        contacts=PackContacts(**p["contacts"]) if p.get("contacts") else None,
    )


def travel_buffer_from_row(tenant: Any) -> int | None:
    value = ((tenant.profile or {}).get("booking") or {}).get("travel_buffer_min")
    return int(value) if value is not None else None


# -- tables: values for the database, and the pack row an existing row reads as


# -- appointments: a pack's start is a wall-clock time in the business's time zone, and has no end


def appointment_values(
    a: AppointmentRecord,
    *,
    service_id: int,
    technician_id: int,
    contact_id: int,
    duration_min: int,
    tz: ZoneInfo,
) -> dict[str, Any]:
    return records.appointment_values(
        a.model_copy(update={"start": a.start.replace(tzinfo=tz)}),
        service_id=service_id,
        technician_id=technician_id,
        contact_id=contact_id,
        duration_min=duration_min,
    )


def appointment_from_row(
    r: Any, *, service: str, technician: str, customer: str, tz: ZoneInfo
) -> AppointmentRecord:
    """The row as the pack has it (compared with `==` to the pack's, written by the export)."""
    a = records.appointment_from_row(r, service=service, technician=technician, customer=customer)
    return a.model_copy(update={"start": a.start.astimezone(tz).replace(tzinfo=None), "end": None})


def as_of(now: datetime) -> datetime:
    """`now` as an aware time (the database refuses naive ones)."""
    return now if now.tzinfo else now.replace(tzinfo=UTC)
