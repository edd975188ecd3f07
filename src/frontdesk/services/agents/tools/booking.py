"""Booking tools: services, free slots, book, reschedule, cancel and list the customer's appointments.

Slots come from `availability` (skills, areas, hours, opening hours, holidays, bookings, travel buffer);
booking re-checks the chosen time in the write transaction. Times the customer gives without a zone
are the business's local time. Only the customer's own appointments can be seen, moved or cancelled.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import Field

from frontdesk.domain.business import Appointment, AppointmentStatus, NewAppointment, Service
from frontdesk.domain.errors import ConflictError
from frontdesk.services.agents.tool_helpers import availability as av
from frontdesk.services.agents.tool_helpers.booking_lookups import (
    appointment_facts,
    calendar,
    find_appointment,
    missing_appointment,
    required_note,
    resolve_service,
    service_facts,
    service_row,
    slot_facts,
    slot_row,
    visit_city,
    where,
)
from frontdesk.services.agents.tool_helpers.formatting import Prices, row, short_day, when
from frontdesk.services.agents.tools.base import (
    Limit,
    NoArgs,
    Ref,
    Text,
    Tool,
    ToolArgs,
    ToolContext,
    ToolError,
    ToolResult,
    ask_to_confirm,
    done,
    failed,
)


async def list_services(ctx: ToolContext, args: NoArgs) -> ToolResult:
    rules = await ctx.data.rules(ctx.tenant.id)
    services = await ctx.data.services(ctx.tenant.id)
    lines = [f"• *{s.name}* — {s.duration_min} min, {Prices.of(rules)(s.price)}{_video(s)}" for s in services]
    return done(
        "\n".join(lines) or "No services can be booked.",
        choices=tuple(service_row(s, Prices.of(rules)) for s in services),
        services=[service_facts(s, Prices.of(rules)) for s in services],
    )


def _video(s: Service) -> str:
    return " (video call)" if s.remote else ""


# -- find_slots


class FindSlotsArgs(ToolArgs):
    service: Text = Field(description="The service's code or name, e.g. 'thermostat installation'.")
    date_from: date | None = Field(None, description="First day to look at (default: today).")
    days: Annotated[int, Field(ge=1, le=31)] = Field(
        7, description="How many days to look at (1 = that day only)."
    )
    part_of_day: av.PartOfDay | None = None
    city: Text | None = Field(None, description="Where the visit is (default: the customer's city).")
    limit: Limit = 5


async def find_slots(ctx: ToolContext, args: FindSlotsArgs) -> ToolResult:
    service = await resolve_service(ctx, args.service)
    if isinstance(service, ToolResult):
        return service
    city = await visit_city(ctx, service, args.city)
    if isinstance(city, ToolResult):
        return city
    first = max(args.date_from or ctx.today(), ctx.today())
    cal, prices = await calendar(ctx, service, first, first + timedelta(days=args.days))
    earliest = max(_start_of(first, ctx), ctx.now() + timedelta(minutes=cal.rules.min_notice_min))
    slots = av.find_slots(
        cal,
        city=city,
        earliest=earliest,
        days=args.days,
        limit=args.limit,
        per_day=3 if args.days > 1 else None,
        part_of_day=args.part_of_day,
    )
    names = {t.code: t.name for t in cal.technicians}
    # A day asked for that is a holiday: say so, before the next free slots.
    closed = f"We're closed on {short_day(first)} (a holiday).\n" if first in cal.rules.holidays else ""
    facts: dict[str, Any] = {
        "service": service_facts(service, prices),
        "city": city,
        "from": first.isoformat(),
    }
    if not slots:
        return done(f"{closed}No free slots for {service.name} in those {args.days} days.", slots=[], **facts)
    lines = [f"• {when(s.start, ctx.tz)} with {names[s.technician]}" for s in slots]
    return done(
        f"{closed}Free slots for {service.name}:\n" + "\n".join(lines),
        choices=tuple(slot_row(s, names, ctx.tz) for s in slots),
        slots=[slot_facts(s, names, ctx.tz) for s in slots],
        **facts,
    )


def _start_of(day: date, ctx: ToolContext) -> datetime:
    return av.to_utc(datetime.combine(day, time()), ctx.tz)


async def _alternatives(
    ctx: ToolContext, cal: av.Calendar, city: str | None, around: datetime
) -> list[av.Slot]:
    earliest = max(ctx.now() + timedelta(minutes=cal.rules.min_notice_min), around - timedelta(hours=12))
    return av.find_slots(cal, city=city, earliest=earliest, days=2, limit=3)


def _unavailable(ctx: ToolContext, cal: av.Calendar, alternatives: list[av.Slot], at: datetime) -> ToolResult:
    names = {t.code: t.name for t in cal.technicians}
    return failed(
        ToolError.CONFLICT,
        f"{when(at, ctx.tz)} is not available for {cal.service.name}.",
        choices=tuple(slot_row(s, names, ctx.tz) for s in alternatives),
        alternatives=[slot_facts(s, names, ctx.tz) for s in alternatives],
    )


# -- book_appointment


class BookArgs(ToolArgs):
    service: Text = Field(description="The service's code or name.")
    start: datetime = Field(description="The slot's start, local time, e.g. 2026-11-24T14:00.")
    city: Text | None = Field(None, description="Where the visit is (default: the customer's city).")


async def book_appointment(ctx: ToolContext, args: BookArgs) -> ToolResult:
    service = await resolve_service(ctx, args.service)
    if isinstance(service, ToolResult):
        return service
    city = await visit_city(ctx, service, args.city)
    if isinstance(city, ToolResult):
        return city
    start = av.to_utc(args.start, ctx.tz)
    local_day = start.astimezone(ctx.tz).date()
    cal, prices = await calendar(ctx, service, local_day, local_day + timedelta(days=2))
    earliest = ctx.now() + timedelta(minutes=cal.rules.min_notice_min)
    slot = av.slot_at(cal, start=start, city=city, earliest=earliest)
    if slot is None:
        return _unavailable(ctx, cal, await _alternatives(ctx, cal, city, start), start)
    place = where(service, city, ctx.tenant.name)
    what = f"{service.name} on {when(slot.start, ctx.tz)} {place} ({prices(service.price)})"
    note = await required_note(ctx, service)
    if not ctx.confirmed:
        return ask_to_confirm(f"Book {what}?{note}", service=service.code, start=args.start.isoformat())
    new = NewAppointment(
        service_code=service.code,
        technician_code=slot.technician,
        start_at=slot.start,
        end_at=slot.end,
        city=city,
    )
    try:
        booked = await ctx.data.add_appointment(
            ctx.tenant.id, ctx.contact.id, new, buffer=timedelta(minutes=cal.rules.travel_buffer_min)
        )
    except ConflictError:
        return _unavailable(ctx, cal, await _alternatives(ctx, cal, city, start), start)
    return done(
        f"Booked: {what}, with {booked.technician_name}. Your reference is {booked.ref}.{note}",
        appointment=appointment_facts(booked, ctx.tz),
    )


# -- reschedule_appointment / cancel_appointment


class AppointmentRefArgs(ToolArgs):
    appointment_ref: Ref = Field(description="The appointment's reference, e.g. APT-5001.")


class RescheduleArgs(AppointmentRefArgs):
    start: datetime = Field(description="The new start, local time, e.g. 2026-11-26T10:00.")


def _unchangeable(ctx: ToolContext, appt: Appointment) -> ToolResult | None:
    if appt.status is not AppointmentStatus.BOOKED:
        return failed(ToolError.NOT_ALLOWED, f"Appointment {appt.ref} is already cancelled.", ref=appt.ref)
    if appt.start_at <= ctx.now():
        return failed(ToolError.NOT_ALLOWED, f"Appointment {appt.ref} has already taken place.", ref=appt.ref)
    return None


async def reschedule_appointment(ctx: ToolContext, args: RescheduleArgs) -> ToolResult:
    appt = await find_appointment(ctx, args.appointment_ref)
    if appt is None:
        return missing_appointment(args.appointment_ref)
    if (refused := _unchangeable(ctx, appt)) is not None:
        return refused
    service = next(s for s in await ctx.data.services(ctx.tenant.id) if s.code == appt.service_code)
    start = av.to_utc(args.start, ctx.tz)
    local_day = start.astimezone(ctx.tz).date()
    cal, _ = await calendar(ctx, service, local_day, local_day + timedelta(days=2), exclude_ref=appt.ref)
    earliest = ctx.now() + timedelta(minutes=cal.rules.min_notice_min)
    slot = av.slot_at(cal, start=start, city=appt.city, earliest=earliest, prefer=appt.technician_code)
    if slot is None:
        return _unavailable(ctx, cal, await _alternatives(ctx, cal, appt.city, start), start)
    change = f"{appt.ref} ({service.name}) from {when(appt.start_at, ctx.tz)} to {when(slot.start, ctx.tz)}"
    if not ctx.confirmed:
        return ask_to_confirm(f"Move {change}?", ref=appt.ref, start=args.start.isoformat())
    moved = await ctx.data.move_appointment(
        ctx.tenant.id,
        ctx.contact.id,
        appt.ref,
        technician_code=slot.technician,
        start_at=slot.start,
        end_at=slot.end,
        buffer=timedelta(minutes=cal.rules.travel_buffer_min),
    )
    if moved is None:
        return missing_appointment(args.appointment_ref)
    return done(f"Moved {change}.", appointment=appointment_facts(moved, ctx.tz))


async def cancel_appointment(ctx: ToolContext, args: AppointmentRefArgs) -> ToolResult:
    appt = await find_appointment(ctx, args.appointment_ref)
    if appt is None:
        return missing_appointment(args.appointment_ref)
    if (refused := _unchangeable(ctx, appt)) is not None:
        return refused
    what = f"{appt.ref}: {appt.service_name} on {when(appt.start_at, ctx.tz)}"
    if not ctx.confirmed:
        return ask_to_confirm(f"Cancel appointment {what}?", ref=appt.ref)
    cancelled = await ctx.data.cancel_appointment(ctx.tenant.id, ctx.contact.id, appt.ref)
    if cancelled is None:
        return missing_appointment(args.appointment_ref)
    return done(f"Cancelled appointment {what}.", appointment=appointment_facts(cancelled, ctx.tz))


# -- list_appointments


class ListAppointmentsArgs(ToolArgs):
    include_past: bool = Field(False, description="Also past and cancelled appointments.")


async def list_appointments(ctx: ToolContext, args: ListAppointmentsArgs) -> ToolResult:
    mine = await ctx.data.appointments_of(ctx.tenant.id, ctx.contact.id)
    if not args.include_past:
        mine = [a for a in mine if a.status is AppointmentStatus.BOOKED and a.end_at > ctx.now()]
    if not mine:
        return done("You have no upcoming appointments.", appointments=[])
    lines = [f"• {a.ref}: {a.service_name}, {when(a.start_at, ctx.tz)}" + _status(a) for a in mine]
    choices = tuple(
        row(f"appointment:{a.ref}", a.ref, f"{a.service_name}, {when(a.start_at, ctx.tz)}") for a in mine
    )
    return done("\n".join(lines), choices=choices, appointments=[appointment_facts(a, ctx.tz) for a in mine])


def _status(a: Appointment) -> str:
    return "" if a.status is AppointmentStatus.BOOKED else f" ({a.status.value})"


TOOLS: tuple[Tool[Any], ...] = (
    Tool("list_services", "The services that can be booked, with duration and price.", NoArgs, list_services),
    Tool(
        "find_slots",
        "Free appointment slots for a service from a date, in the customer's city (video: anywhere).",
        FindSlotsArgs,
        find_slots,
    ),
    Tool(
        "book_appointment",
        "Book a service at a free slot's start time.",
        BookArgs,
        book_appointment,
        side_effect=True,
    ),
    Tool(
        "reschedule_appointment",
        "Move one of the customer's appointments to a new free start time.",
        RescheduleArgs,
        reschedule_appointment,
        side_effect=True,
    ),
    Tool(
        "cancel_appointment",
        "Cancel one of the customer's upcoming appointments.",
        AppointmentRefArgs,
        cancel_appointment,
        side_effect=True,
    ),
    Tool(
        "list_appointments", "The customer's upcoming appointments.", ListAppointmentsArgs, list_appointments
    ),
)
