"""Helpers of the booking tools: resolving a service and a city, the calendar, facts and list rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.business import ON_SITE, Appointment, Service
from frontdesk.domain.outbound import Row
from frontdesk.services.agents.tool_helpers import availability as av
from frontdesk.services.agents.tool_helpers.formatting import (
    Prices,
    iso_local,
    join,
    match_ref,
    normal_ref,
    row,
    when,
)
from frontdesk.services.agents.tool_helpers.product_search import owned_skus, words
from frontdesk.services.agents.tools.base import ToolContext, ToolError, ToolResult, failed


def service_facts(s: Service, prices: Prices) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "duration_min": s.duration_min,
        "price": prices(s.price),
        "remote": s.remote,
        "description": s.description,
    }


def service_row(s: Service, prices: Prices) -> Row:
    return row(f"service:{s.code}", s.name, f"{s.duration_min} min · {prices(s.price)}")


def slot_facts(s: av.Slot, names: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    start = s.start.astimezone(tz)
    return {
        "slot_id": f"slot:{iso_local(s.start, tz)}",
        "start": iso_local(s.start, tz),
        "end": iso_local(s.end, tz),
        "date": start.date().isoformat(),
        "time": f"{start:%H:%M}",
        "technician": names.get(s.technician, s.technician),
    }


def slot_row(s: av.Slot, names: dict[str, str], tz: ZoneInfo) -> Row:
    return row(
        f"slot:{iso_local(s.start, tz)}", when(s.start, tz), f"with {names.get(s.technician, s.technician)}"
    )


def where(service: Service, city: str | None, business: str) -> str:
    """Where a visit happens, for a sentence: `by video`, `at Birke Hair Studio`, `in Leeds`."""
    if service.remote:
        return "by video"
    return f"at {business}" if city == ON_SITE else f"in {city}"


def appointment_facts(a: Appointment, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "ref": a.ref,
        "service": a.service_name,
        "service_code": a.service_code,
        "start": iso_local(a.start_at, tz),
        "end": iso_local(a.end_at, tz),
        "technician": a.technician_name,
        "city": a.city,
        "status": a.status.value,
    }


def _score(service: Service, terms: set[str]) -> float:
    """2 per word naming the service ("install" names `install-lighting` as "installation" does), 0.5 per
    word of its description."""
    name = set(words(service.name)) | set(words(service.code.replace("-", " ")))
    about = set(words(service.description))
    return sum(2 if any(_alike(t, w) for w in name) else 0.5 if t in about else 0 for t in terms)


def _alike(term: str, word: str) -> bool:
    return term == word or (
        min(len(term), len(word)) >= 4 and (term.startswith(word) or word.startswith(term))
    )


async def resolve_service(ctx: ToolContext, text: str) -> Service | ToolResult:
    """The service `text` names (code, name, or clearly best by words); else a result asking which."""
    services = await ctx.data.services(ctx.tenant.id)
    wanted = text.strip().casefold()
    exact = [s for s in services if wanted in (s.code.casefold(), s.name.casefold())]
    if exact:
        return exact[0]
    terms = set(words(text))
    scored = sorted(((s, _score(s, terms)) for s in services), key=lambda sc: -sc[1])
    if scored and scored[0][1] > 0 and (len(scored) == 1 or scored[0][1] > scored[1][1]):
        return scored[0][0]
    rules = await ctx.data.rules(ctx.tenant.id)
    return failed(
        ToolError.MISSING_INFO,
        f"Which service: {join((s.name for s in services), last='or')}?",
        choices=tuple(service_row(s, Prices.of(rules)) for s in services),
        missing="service",
    )


async def visit_city(ctx: ToolContext, service: Service, given: str | None) -> str | ToolResult | None:
    """Where the visit is: the city given, or the customer's; None for remote services; `on-site` for
    services at the business's premises (whatever town the customer names: they come to the business)."""
    if service.remote:
        return None
    technicians = await ctx.data.technicians(ctx.tenant.id)
    if av.on_site(service, technicians):
        return ON_SITE
    city = given
    if not city:
        profile = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
        city = profile.city if profile else None
    if not city:
        return failed(ToolError.MISSING_INFO, f"Which city is the {service.name.lower()} in?", missing="city")
    covered = av.areas(service, technicians)
    match = next((a for a in covered if a.casefold() == city.strip().casefold()), None)
    if match is None:
        return failed(
            ToolError.NOT_ALLOWED,
            f"Sorry, we do not offer {service.name.lower()} in {city}. We cover {join(covered)}.",
            city=city,
            areas=covered,
        )
    return match


async def calendar(
    ctx: ToolContext, service: Service, first: date, last: date, *, exclude_ref: str | None = None
) -> tuple[av.Calendar, Prices]:
    """The calendar for `service` from local day `first` to `last`, and how the business shows prices."""
    rules = await ctx.data.rules(ctx.tenant.id)
    technicians = await ctx.data.technicians(ctx.tenant.id)
    start = av.to_utc(datetime.combine(first - timedelta(days=1), time()), ctx.tz)
    end = av.to_utc(datetime.combine(last + timedelta(days=1), time()), ctx.tz)
    busy = await ctx.data.busy_between(ctx.tenant.id, start, end)
    cal = av.Calendar(
        service=service,
        technicians=technicians,
        busy=busy,
        rules=rules.booking,
        tz=ctx.tz,
        exclude_ref=exclude_ref,
    )
    return cal, Prices.of(rules)


async def find_appointment(ctx: ToolContext, text: str) -> Appointment | None:
    """The contact's appointment meant by `text` (`APT-5001` or `5001`), or None."""
    mine = await ctx.data.appointments_of(ctx.tenant.id, ctx.contact.id)
    ref = match_ref(text, [a.ref for a in mine])
    return next((a for a in mine if a.ref == ref), None)


def missing_appointment(text: str) -> ToolResult:
    ref = normal_ref(text)
    return failed(ToolError.NOT_FOUND, f"No appointment {ref} was found for this WhatsApp number.", ref=ref)


async def required_note(ctx: ToolContext, service: Service) -> str:
    """A reminder of products the service needs that the customer has not bought, or ''."""
    if not service.requires:
        return ""
    profile = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
    orders = await ctx.data.orders_of(ctx.tenant.id, ctx.contact.id, limit=50)
    lacking = [s for s in service.requires if s not in owned_skus(profile, orders)]
    if not lacking:
        return ""
    products = await ctx.data.search_products(ctx.tenant.id, skus=lacking)
    names = [p.name for p in products] or lacking
    return f" Note: this service needs a {join(names)}."
