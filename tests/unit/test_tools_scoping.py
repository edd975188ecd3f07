"""Scoping: another customer's order or appointment is answered exactly like one that does not exist,
and asking about it changes nothing; another tenant's data is invisible; model-supplied ids are ignored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from frontdesk.adapters.db.tables import contacts, orders, tenants
from frontdesk.domain.business import NewReturn, OrderStatus, ReturnItem, ReturnKind, StaffTaskKind
from frontdesk.domain.errors import NotFoundError
from frontdesk.services.agents.tools import ToolResult
from tests.support.agents import AMELIA, GRACE, JACK, MOHAMMED, OLIVER, PRIYA, SOFIA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]

# (tool, arguments with {ref}, the ref's owner, a caller who does not own it)
CASES = [
    ("order_status", {"order_ref": "{ref}"}, "LH-100250", OLIVER, AMELIA),
    ("cancel_order", {"order_ref": "{ref}"}, "LH-100260", PRIYA, AMELIA),
    ("cancel_order", {"order_ref": "{ref}", "reason": "x"}, "LH-100250", OLIVER, JACK),
    ("start_return", {"order_ref": "{ref}"}, "LH-100290", MOHAMMED, AMELIA),
    ("start_return", {"order_ref": "{ref}", "faulty": True}, "LH-100300", GRACE, SOFIA),
    (
        "reschedule_appointment",
        {"appointment_ref": "{ref}", "start": "2026-11-26T11:00"},
        "APT-5001",
        PRIYA,
        AMELIA,
    ),
    ("cancel_appointment", {"appointment_ref": "{ref}"}, "APT-5002", OLIVER, PRIYA),
    ("cancel_appointment", {"appointment_ref": "{ref}"}, "APT-5003", AMELIA, OLIVER),
]
MISSING = {"order_ref": "LH-100999", "appointment_ref": "APT-5999"}


def _args(template: dict[str, Any], ref: str) -> dict[str, Any]:
    return {k: (ref if v == "{ref}" else v) for k, v in template.items()}


def _shape(result: ToolResult, ref: str) -> str:
    """The result as JSON with the reference asked for blanked out."""
    return json.dumps(result.model_dump(mode="json"), sort_keys=True).replace(ref, "<REF>")


@pytest.mark.parametrize("confirmed", [False, True])
@pytest.mark.parametrize(("tool", "template", "ref", "owner", "caller"), CASES)
async def test_someone_elses_is_answered_like_nothing(
    agents: Agents, tool: str, template: dict[str, Any], ref: str, owner: str, caller: str, confirmed: bool
) -> None:
    missing = MISSING["order_ref" if "order_ref" in template else "appointment_ref"]
    before = await agents.snapshot()
    theirs = await agents.run(caller, tool, _args(template, ref), confirmed=confirmed)
    none = await agents.run(caller, tool, _args(template, missing), confirmed=confirmed)
    assert not theirs.ok and theirs.error == "not_found"
    assert _shape(theirs, ref) == _shape(none, missing)
    digits = await agents.run(caller, tool, _args(template, ref.split("-")[1]), confirmed=confirmed)
    assert _shape(digits, ref.split("-")[1]) == _shape(none, missing)
    assert await agents.snapshot() == before
    own = await agents.run(owner, tool, _args(template, ref))  # the owner gets an answer
    assert own.ok or own.error != "not_found"


@pytest.mark.parametrize(("tool", "template", "ref", "owner", "caller"), CASES)
async def test_ids_from_the_model_do_not_change_whose_data_it_is(
    agents: Agents, tool: str, template: dict[str, Any], ref: str, owner: str, caller: str
) -> None:
    victim = await agents.ctx(owner)
    args = {
        **_args(template, ref),
        "contact_id": victim.contact.id,
        "tenant_id": victim.tenant.id,
        "conversation_id": victim.conversation.id,
        "wa_id": owner,
    }
    before = await agents.snapshot()
    result = await agents.run(caller, tool, args, confirmed=True)
    assert result.error == "not_found"
    assert await agents.snapshot() == before


async def test_lists_hold_only_the_callers_data(agents: Agents) -> None:
    expected = {
        AMELIA: {"LH-100231", "LH-100245"},
        OLIVER: {"LH-100250", "LH-100252"},
        PRIYA: {"LH-100260", "LH-100261"},
    }
    for who, refs in expected.items():
        result = await agents.run(who, "list_orders", {"limit": 10})
        assert {o["order_ref"] for o in result.facts["orders"]} == refs
    appts = await agents.run(OLIVER, "list_appointments", {"include_past": True})
    assert [a["ref"] for a in appts.facts["appointments"]] == ["APT-5002"]


async def test_free_slots_say_nothing_about_whose_bookings_block_them(agents: Agents) -> None:
    result = await agents.run(
        AMELIA, "find_slots", {"service": "thermostat", "date_from": "2026-11-24", "days": 1}
    )
    text = json.dumps(result.model_dump(mode="json"))
    assert "APT-5001" not in text and "Priya" not in text and "Leicester" not in text


async def _second_tenant(agents: Agents) -> tuple[int, int]:
    """Another business holding an order with the same reference as Amelia's; returns (tenant, contact)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    async with agents.store.begin() as conn:
        tenant = (
            await conn.execute(
                insert(tenants)
                .values(
                    slug="other", name="Other", timezone="UTC", currency="EUR", profile={}, created_at=now
                )
                .returning(tenants.c.id)
            )
        ).scalar_one()
        contact = (
            await conn.execute(
                insert(contacts)
                .values(
                    tenant_id=tenant,
                    wa_id=AMELIA,
                    preferences={},
                    marketing_opt_in=False,
                    vip=False,
                    created_at=now,
                )
                .returning(contacts.c.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(orders).values(
                tenant_id=tenant,
                order_ref="LH-100231",
                contact_id=contact,
                items=[{"sku": "X", "qty": 1}],
                total=Decimal("5"),
                status="processing",
                ordered_at="2026-11-01",
            )
        )
    return tenant, contact


async def test_another_tenants_data_is_invisible(agents: Agents) -> None:
    other_tenant, other_contact = await _second_tenant(agents)
    amelia = await agents.ctx(AMELIA)
    data = amelia.data
    mine = await data.order(amelia.tenant.id, amelia.contact.id, "LH-100231")
    assert mine is not None and mine.status is OrderStatus.DELIVERED
    assert await data.order(other_tenant, amelia.contact.id, "LH-100231") is None
    assert await data.order(amelia.tenant.id, other_contact, "LH-100231") is None
    theirs = await data.order(other_tenant, other_contact, "LH-100231")
    assert theirs is not None and theirs.status is OrderStatus.PROCESSING
    assert await data.profile(other_tenant, amelia.contact.id) is None
    assert await data.orders_of(other_tenant, amelia.contact.id) == []
    assert await data.search_products(other_tenant) == []
    assert await data.services(other_tenant) == [] and await data.technicians(other_tenant) == []
    assert await data.appointments_of(other_tenant, amelia.contact.id) == []
    start = datetime(2026, 11, 1, tzinfo=UTC)
    assert await data.busy_between(other_tenant, start, start + timedelta(days=60)) == []
    assert (await agents.messages.search(other_tenant, None, "order", limit=10)) == []


async def test_writes_with_a_mismatched_contact_change_nothing(agents: Agents) -> None:
    other_tenant, other_contact = await _second_tenant(agents)
    priya = await agents.ctx(PRIYA)
    oliver = await agents.ctx(OLIVER)
    data, t = priya.data, priya.tenant.id
    now = datetime(2026, 11, 20, tzinfo=UTC)
    before = await agents.snapshot()
    only = {OrderStatus.PROCESSING, OrderStatus.BACKORDERED}
    assert (
        await data.set_order_status(
            t, oliver.contact.id, "LH-100260", status=OrderStatus.CANCELLED, only_from=only
        )
        is None
    )
    request = NewReturn(kind=ReturnKind.REFUND, items=(ReturnItem(sku="LH-SPK-MINI", qty=1),), reason="")
    assert (
        await data.record_return(
            t, priya.contact.id, "LH-100290", request=request, conversation_id=None, now=now
        )
        is None
    )
    assert await data.cancel_appointment(t, oliver.contact.id, "APT-5001") is None
    moved = await data.move_appointment(
        t,
        oliver.contact.id,
        "APT-5001",
        technician_code="tech-hannah",
        start_at=now,
        end_at=now + timedelta(hours=1),
        buffer=timedelta(0),
    )
    assert moved is None
    assert await data.update_profile(other_tenant, priya.contact.id, preferences={"x": "y"}) is None
    assert await data.set_marketing(other_tenant, priya.contact.id, opt_in=True, now=now) is None
    with pytest.raises(NotFoundError):
        await data.add_staff_task(
            other_tenant,
            priya.contact.id,
            kind=StaffTaskKind.CALLBACK,
            details={},
            conversation_id=None,
            now=now,
        )
    assert await agents.snapshot() == before
    assert await data.order(other_tenant, other_contact, "LH-100231") is not None
