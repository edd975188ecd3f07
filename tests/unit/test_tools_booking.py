"""Booking tools over the demo's services, technicians and appointments (now: Fri 20 Nov 2026, 10:00)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from frontdesk.adapters.db.tables import appointments
from frontdesk.services.agents.tools import ToolError, ToolResult
from tests.support.agents import AMELIA, LUCAS, OLIVER, PRIYA, SOFIA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]


def _starts(result: ToolResult) -> list[str]:
    return [s["start"] for s in result.facts["slots"]]


async def _stored(agents: Agents, ref: str) -> tuple[datetime, datetime, str]:
    async with agents.store.read() as conn:
        row = (await conn.execute(select(appointments).where(appointments.c.ref == ref))).one()
    return row.start_at, row.end_at, row.status


# -- services and slots


async def test_list_services(agents: Agents) -> None:
    result = await agents.run(AMELIA, "list_services")
    assert [s["code"] for s in result.facts["services"]] == [
        "install-thermostat",
        "install-lighting",
        "install-audio",
        "repair-visit",
        "video-consult",
    ]
    assert result.choices[0].id == "service:install-thermostat" and "(video call)" in result.summary


async def test_find_slots_in_the_customers_city_from_now_on(agents: Agents) -> None:
    result = await agents.run(AMELIA, "find_slots", {"service": "lighting setup"})
    assert result.ok and result.facts["city"] == "London"
    assert result.facts["service"]["code"] == "install-lighting"
    first = result.facts["slots"][0]
    assert first["start"] == "2026-11-20T11:00" and first["end"] == "2026-11-20T12:00"  # an hour's notice
    assert first["slot_id"] == "slot:2026-11-20T11:00"
    assert [r.id for r in result.choices] == [s["slot_id"] for s in result.facts["slots"]]
    assert result.choices[0].title == "Fri 20 Nov, 11:00"


async def test_find_slots_on_one_day_and_part_of_day(agents: Agents) -> None:
    result = await agents.run(
        AMELIA,
        "find_slots",
        {
            "service": "install-lighting",
            "date_from": "2026-11-24",
            "days": 1,
            "part_of_day": "afternoon",
            "limit": 10,
        },
    )
    assert _starts(result)[0] == "2026-11-24T12:00"
    assert all("T12:00" <= s[10:] <= "T16:30" for s in _starts(result))


async def test_the_travel_buffer_after_an_existing_visit(agents: Agents) -> None:
    # Hannah (the only technician in Leicester) installs at Priya's from 09:00 to 10:30 on Tuesday.
    result = await agents.run(
        PRIYA, "find_slots", {"service": "thermostat", "date_from": "2026-11-24", "days": 1}
    )
    assert _starts(result)[0] == "2026-11-24T11:00"
    assert {s["technician"] for s in result.facts["slots"]} == {"Hannah Price"}


async def test_skills_decide_who_comes(agents: Agents) -> None:
    audio = await agents.run(
        OLIVER, "find_slots", {"service": "home cinema", "date_from": "2026-12-03", "days": 1}
    )
    # Dev already sets up audio 10:00-12:00 that day; 30 minutes of travel after it.
    assert _starts(audio)[0] == "2026-12-03T12:30"
    assert {s["technician"] for s in audio.facts["slots"]} == {"Dev Patel"}


async def test_no_slots_on_holidays_or_closed_days(agents: Agents) -> None:
    christmas = await agents.run(
        AMELIA, "find_slots", {"service": "lighting", "date_from": "2026-12-25", "days": 3}
    )
    assert christmas.ok and christmas.facts["slots"] == [] and "No free slots" in christmas.summary
    after = await agents.run(
        AMELIA, "find_slots", {"service": "lighting", "date_from": "2026-12-25", "days": 4}
    )
    assert _starts(after)[0].startswith("2026-12-28")
    sunday = await agents.run(
        AMELIA, "find_slots", {"service": "lighting", "date_from": "2026-11-22", "days": 1}
    )
    assert sunday.facts["slots"] == []


async def test_a_city_nobody_covers(agents: Agents) -> None:
    result = await agents.run(SOFIA, "find_slots", {"service": "lighting"})
    assert result.error is ToolError.NOT_ALLOWED and "Edinburgh" in result.summary
    assert result.facts["areas"] == ["Birmingham", "Bristol", "Leeds", "Leicester", "London", "Manchester"]
    elsewhere = await agents.run(SOFIA, "find_slots", {"service": "lighting", "city": "leeds"})
    assert elsewhere.ok and elsewhere.facts["city"] == "Leeds"


async def test_video_consultations_need_no_city(agents: Agents) -> None:
    result = await agents.run(SOFIA, "find_slots", {"service": "video call"})
    assert result.ok and result.facts["city"] is None
    assert {s["technician"] for s in result.facts["slots"]} == {"Lina Haddad"}


async def test_a_customer_without_a_city_is_asked(agents: Agents) -> None:
    result = await agents.run("447700900999", "find_slots", {"service": "lighting"})
    assert result.error is ToolError.MISSING_INFO and result.facts["missing"] == "city"


@pytest.mark.parametrize("service", ["installation", "massage"])
async def test_an_unclear_service_is_asked_for(agents: Agents, service: str) -> None:
    result = await agents.run(AMELIA, "find_slots", {"service": service})
    assert result.error is ToolError.MISSING_INFO and result.facts["missing"] == "service"
    assert len(result.choices) == 5


# -- book


async def test_book_a_free_slot(agents: Agents) -> None:
    args = {"service": "thermostat installation", "start": "2026-11-24T11:00"}
    asked = await agents.run(PRIYA, "book_appointment", args)
    assert asked.needs_confirmation
    assert asked.summary == "Book Thermostat installation on Tue 24 Nov, 11:00 in Leicester (£95.00)?"
    booked = await agents.run(PRIYA, "book_appointment", args, confirmed=True)
    assert booked.ok and booked.facts["appointment"]["ref"] == "APT-5004"
    assert booked.facts["appointment"]["technician"] == "Hannah Price"
    assert await _stored(agents, "APT-5004") == (
        datetime(2026, 11, 24, 11, tzinfo=UTC),
        datetime(2026, 11, 24, 12, 30, tzinfo=UTC),
        "booked",
    )
    later = await agents.run(
        PRIYA, "find_slots", {"service": "thermostat", "date_from": "2026-11-24", "days": 1}
    )
    assert _starts(later)[0] == "2026-11-24T13:00"  # 12:30 plus the travel buffer


async def test_a_taken_or_invalid_time_offers_alternatives(agents: Agents) -> None:
    taken = await agents.run(
        PRIYA, "book_appointment", {"service": "thermostat", "start": "2026-11-24T10:00"}
    )
    assert taken.error is ToolError.CONFLICT
    assert taken.facts["alternatives"][0]["start"] == "2026-11-24T11:00"
    assert taken.choices[0].id == "slot:2026-11-24T11:00"
    odd = await agents.run(PRIYA, "book_appointment", {"service": "thermostat", "start": "2026-11-24T11:10"})
    assert odd.error is ToolError.CONFLICT
    too_soon = await agents.run(PRIYA, "book_appointment", {"service": "repair", "start": "2026-11-20T10:30"})
    assert too_soon.error is ToolError.CONFLICT


async def test_the_same_slot_cannot_be_booked_twice(agents: Agents) -> None:
    args = {"service": "thermostat", "start": "2026-11-24T11:00"}
    assert (await agents.run(PRIYA, "book_appointment", args, confirmed=True)).ok
    before = await agents.snapshot()
    again = await agents.run(PRIYA, "book_appointment", args, confirmed=True)
    assert again.error is ToolError.CONFLICT
    assert await agents.snapshot() == before


async def test_booking_in_summer_time_stores_utc(agents: Agents) -> None:
    result = await agents.run(
        PRIYA, "book_appointment", {"service": "repair visit", "start": "2027-06-01T10:00"}, confirmed=True
    )
    assert result.facts["appointment"]["start"] == "2027-06-01T10:00"
    start, _, _ = await _stored(agents, result.facts["appointment"]["ref"])
    assert start == datetime(2027, 6, 1, 9, tzinfo=UTC)


async def test_a_service_that_needs_a_product_says_so(agents: Agents) -> None:
    amelia = await agents.run(
        AMELIA, "book_appointment", {"service": "thermostat", "start": "2026-11-24T14:00"}
    )
    assert amelia.needs_confirmation and "needs a Lumen Thermostat" in amelia.summary
    lucas = await agents.run(  # he has a thermostat on order, and no city on file
        LUCAS, "book_appointment", {"service": "thermostat", "start": "2026-11-24T14:00", "city": "Leeds"}
    )
    assert lucas.error is ToolError.NOT_ALLOWED  # Hannah, who installs thermostats, does not go to Leeds
    priya = await agents.run(
        PRIYA, "book_appointment", {"service": "thermostat", "start": "2026-11-24T14:00"}
    )
    assert "needs" not in priya.summary


# -- reschedule, cancel, list


async def test_reschedule_an_own_appointment(agents: Agents) -> None:
    args = {"appointment_ref": "apt-5001", "start": "2026-11-26T11:00"}
    asked = await agents.run(PRIYA, "reschedule_appointment", args)
    assert (
        asked.summary
        == "Move APT-5001 (Thermostat installation) from Tue 24 Nov, 09:00 to Thu 26 Nov, 11:00?"
    )
    moved = await agents.run(PRIYA, "reschedule_appointment", args, confirmed=True)
    assert moved.ok and moved.facts["appointment"]["start"] == "2026-11-26T11:00"
    assert await _stored(agents, "APT-5001") == (
        datetime(2026, 11, 26, 11, tzinfo=UTC),
        datetime(2026, 11, 26, 12, 30, tzinfo=UTC),
        "booked",
    )
    freed = await agents.run(
        PRIYA, "find_slots", {"service": "thermostat", "date_from": "2026-11-24", "days": 1}
    )
    assert _starts(freed)[0] == "2026-11-24T09:00"


async def test_reschedule_by_half_an_hour_overlapping_itself(agents: Agents) -> None:
    moved = await agents.run(
        PRIYA,
        "reschedule_appointment",
        {"appointment_ref": "5001", "start": "2026-11-24T09:30"},
        confirmed=True,
    )
    assert moved.ok and moved.facts["appointment"]["start"] == "2026-11-24T09:30"


async def test_reschedule_to_a_busy_time(agents: Agents) -> None:
    await agents.run(
        PRIYA, "book_appointment", {"service": "repair", "start": "2026-11-26T09:00"}, confirmed=True
    )
    clash = await agents.run(
        PRIYA,
        "reschedule_appointment",
        {"appointment_ref": "APT-5001", "start": "2026-11-26T09:30"},
        confirmed=True,
    )
    assert clash.error is ToolError.CONFLICT and clash.facts["alternatives"]
    assert (await _stored(agents, "APT-5001"))[0] == datetime(2026, 11, 24, 9, tzinfo=UTC)


async def test_cancel_then_list(agents: Agents) -> None:
    listed = await agents.run(AMELIA, "list_appointments")
    assert [a["ref"] for a in listed.facts["appointments"]] == ["APT-5003"]
    asked = await agents.run(AMELIA, "cancel_appointment", {"appointment_ref": "APT-5003"})
    assert asked.summary == "Cancel appointment APT-5003: Video consultation on Mon 23 Nov, 11:00?"
    done = await agents.run(AMELIA, "cancel_appointment", {"appointment_ref": "APT-5003"}, confirmed=True)
    assert done.ok and done.facts["appointment"]["status"] == "cancelled"
    assert (await _stored(agents, "APT-5003"))[2] == "cancelled"
    assert (await agents.run(AMELIA, "list_appointments")).facts["appointments"] == []
    everything = await agents.run(AMELIA, "list_appointments", {"include_past": True})
    assert "(cancelled)" in everything.summary
    again = await agents.run(AMELIA, "cancel_appointment", {"appointment_ref": "APT-5003"}, confirmed=True)
    assert again.error is ToolError.NOT_ALLOWED
    moved = await agents.run(
        AMELIA, "reschedule_appointment", {"appointment_ref": "APT-5003", "start": "2026-11-25T09:00"}
    )
    assert moved.error is ToolError.NOT_ALLOWED


async def test_past_appointments_cannot_change(agents: Agents) -> None:
    agents.clock.advance(days=4)  # Tue 24 Nov, 10:00: Priya's visit began at 09:00
    result = await agents.run(PRIYA, "cancel_appointment", {"appointment_ref": "APT-5001"}, confirmed=True)
    assert result.error is ToolError.NOT_ALLOWED and "already taken place" in result.summary
    assert (await agents.run(PRIYA, "list_appointments")).facts["appointments"] == [
        {
            "ref": "APT-5001",
            "service": "Thermostat installation",
            "service_code": "install-thermostat",
            "start": "2026-11-24T09:00",
            "end": "2026-11-24T10:30",
            "technician": "Hannah Price",
            "city": "Leicester",
            "status": "booked",
        }
    ]  # still under way until 10:30


async def test_unknown_appointment(agents: Agents) -> None:
    result = await agents.run(OLIVER, "cancel_appointment", {"appointment_ref": "APT-9999"})
    assert result.error is ToolError.NOT_FOUND
    assert result.summary == "No appointment APT-9999 was found for this WhatsApp number."


async def test_appointments_are_listed_as_choices(agents: Agents) -> None:
    result = await agents.run(OLIVER, "list_appointments")
    assert [row.id for row in result.choices] == ["appointment:APT-5002"]


async def test_a_holiday_asked_for_is_named_as_closed(agents: Agents) -> None:
    boxing_day = await agents.run(AMELIA, "find_slots", {"service": "lighting", "date_from": "2026-12-26"})
    assert boxing_day.summary.startswith("We're closed on Sat 26 Dec (a holiday).")
    assert all(not s.startswith("2026-12-26") for s in _starts(boxing_day))
