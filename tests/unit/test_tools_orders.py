"""Order tools over the demo data: list, status, cancel, return (and the returns policy, pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from frontdesk.adapters.db.tables import orders
from frontdesk.adapters.db.tables_agents import returns, staff_tasks
from frontdesk.domain.business import (
    Order,
    OrderItem,
    OrderStatus,
    Product,
    ReturnItem,
    ReturnKind,
    ReturnsPolicy,
)
from frontdesk.domain.errors import ConflictError
from frontdesk.services.agents.tool_helpers.return_policy import assess_return
from frontdesk.services.agents.tools import ToolError
from tests.support.agents import AMELIA, GRACE, JACK, MOHAMMED, OLIVER, PRIYA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]


async def _status(agents: Agents, ref: str) -> str:
    async with agents.store.read() as conn:
        return str(
            (await conn.execute(select(orders.c.status).where(orders.c.order_ref == ref))).scalar_one()
        )


# -- list_orders


async def test_list_orders_newest_first_with_rows_to_choose(agents: Agents) -> None:
    result = await agents.run(AMELIA, "list_orders")
    assert result.ok
    assert [o["order_ref"] for o in result.facts["orders"]] == ["LH-100245", "LH-100231"]
    assert [r.id for r in result.choices] == ["order:LH-100245", "order:LH-100231"]
    assert "Lumen Arc Floor Lamp" in result.summary and "£129.00" in result.summary  # what was paid
    assert result.facts["orders"][1]["items"][0] == {
        "sku": "LH-BULB-E27",
        "name": "Lumen Smart Bulb E27",
        "qty": 3,
    }


async def test_list_orders_by_status_and_limit(agents: Agents) -> None:
    delivered = await agents.run(AMELIA, "list_orders", {"status": "delivered"})
    assert [o["order_ref"] for o in delivered.facts["orders"]] == ["LH-100231"]
    one = await agents.run(AMELIA, "list_orders", {"limit": 1})
    assert len(one.facts["orders"]) == 1
    bad = await agents.run(AMELIA, "list_orders", {"status": "lost"})
    assert bad.error is ToolError.INVALID_ARGUMENTS


async def test_a_customer_without_orders(agents: Agents) -> None:
    result = await agents.run("447700900999", "list_orders")
    assert result.ok and result.facts["orders"] == [] and "no orders" in result.summary


# -- order_status


async def test_order_status_with_carrier_tracking_and_eta(agents: Agents) -> None:
    result = await agents.run(AMELIA, "order_status", {"order_ref": "LH-100245"})
    assert result.ok
    assert result.facts["order"]["status"] == "shipped"
    assert "DPD" in result.summary and "15501234567890" in result.summary and "Sat 21 Nov" in result.summary


@pytest.mark.parametrize("typed", ["lh-100245", "#LH-100245", "100245", "lh 100245", " LH-100245 "])
async def test_order_refs_as_people_type_them(agents: Agents, typed: str) -> None:
    result = await agents.run(AMELIA, "order_status", {"order_ref": typed})
    assert result.ok and result.facts["order"]["order_ref"] == "LH-100245"


async def test_order_status_of_delivered_and_backordered(agents: Agents) -> None:
    delivered = await agents.run(AMELIA, "order_status", {"order_ref": "LH-100231"})
    assert "was delivered on Sat 31 Oct" in delivered.summary
    waiting = await agents.run(OLIVER, "order_status", {"order_ref": "LH-100250"})
    assert "waiting for stock" in waiting.summary and "Wed 2 Dec" in waiting.summary


async def test_unknown_order(agents: Agents) -> None:
    result = await agents.run(AMELIA, "order_status", {"order_ref": "LH-999999"})
    assert not result.ok and result.error is ToolError.NOT_FOUND
    assert result.summary == "No order LH-999999 was found for this WhatsApp number."


# -- cancel_order


@pytest.mark.parametrize(("customer", "ref"), [(PRIYA, "LH-100260"), (OLIVER, "LH-100250")])
async def test_cancel_a_processing_or_backordered_order(agents: Agents, customer: str, ref: str) -> None:
    asked = await agents.run(customer, "cancel_order", {"order_ref": ref})
    assert asked.needs_confirmation and ref in asked.summary
    assert await _status(agents, ref) != "cancelled"
    result = await agents.run(customer, "cancel_order", {"order_ref": ref}, confirmed=True)
    assert result.ok and not result.needs_confirmation
    assert result.facts["order"]["status"] == "cancelled"
    assert await _status(agents, ref) == "cancelled"


@pytest.mark.parametrize(
    ("customer", "ref", "status"),
    [
        (AMELIA, "LH-100245", "shipped"),
        (AMELIA, "LH-100231", "delivered"),
        (PRIYA, "LH-100261", "cancelled"),
        (MOHAMMED, "LH-100291", "out_for_delivery"),
    ],
)
async def test_orders_that_left_the_warehouse_cannot_be_cancelled(
    agents: Agents, customer: str, ref: str, status: str
) -> None:
    result = await agents.run(customer, "cancel_order", {"order_ref": ref}, confirmed=True)
    assert not result.ok and result.error is ToolError.NOT_ALLOWED
    assert result.facts["status"] == status
    assert await _status(agents, ref) == status


async def test_cancel_loses_a_race_with_shipping(agents: Agents) -> None:
    ctx = await agents.ctx(PRIYA)
    await ctx.data.set_order_status(
        ctx.tenant.id,
        ctx.contact.id,
        "LH-100260",
        status=OrderStatus.SHIPPED,
        only_from={OrderStatus.PROCESSING},
    )
    with pytest.raises(ConflictError):
        await ctx.data.set_order_status(
            ctx.tenant.id,
            ctx.contact.id,
            "LH-100260",
            status=OrderStatus.CANCELLED,
            only_from={OrderStatus.PROCESSING},
        )
    assert await _status(agents, "LH-100260") == "shipped"


async def test_cancel_unknown_order(agents: Agents) -> None:
    result = await agents.run(PRIYA, "cancel_order", {"order_ref": "LH-1"}, confirmed=True)
    assert result.error is ToolError.NOT_FOUND


# -- start_return


async def test_start_a_return_inside_the_window(agents: Agents) -> None:
    asked = await agents.run(AMELIA, "start_return", {"order_ref": "LH-100231", "reason": "changed my mind"})
    assert asked.needs_confirmation and "for a refund" in asked.summary
    result = await agents.run(
        AMELIA, "start_return", {"order_ref": "LH-100231", "reason": "changed my mind"}, confirmed=True
    )
    assert result.ok and result.facts["return_ref"] == "RET-1001" and result.facts["kind"] == "refund"
    assert result.facts["items"] == [{"sku": "LH-BULB-E27", "qty": 3}, {"sku": "LH-SWITCH", "qty": 1}]
    assert await _status(agents, "LH-100231") == "return_requested"
    async with agents.store.read() as conn:
        task = (await conn.execute(select(staff_tasks))).one()
        stored = (await conn.execute(select(returns))).one()
    assert task.kind == "return" and task.status == "open" and task.details["return_ref"] == "RET-1001"
    assert task.details["reason"] == "changed my mind"
    assert stored.staff_task_id == task.id and stored.reason == "changed my mind"
    again = await agents.run(AMELIA, "start_return", {"order_ref": "LH-100231"}, confirmed=True)
    assert again.error is ToolError.NOT_ALLOWED and "already has a return" in again.summary


async def test_return_some_items_only(agents: Agents) -> None:
    result = await agents.run(
        AMELIA, "start_return", {"order_ref": "LH-100231", "skus": ["lh-switch"]}, confirmed=True
    )
    assert result.facts["items"] == [{"sku": "LH-SWITCH", "qty": 1}]
    second = await agents.run(GRACE, "start_return", {"order_ref": "LH-100301"}, confirmed=True)
    assert second.facts["return_ref"] == "RET-1002"


async def test_return_of_an_item_not_in_the_order(agents: Agents) -> None:
    result = await agents.run(AMELIA, "start_return", {"order_ref": "LH-100231", "skus": ["LH-SUB"]})
    assert result.error is ToolError.NOT_ALLOWED and "LH-SUB" in result.summary


async def test_after_30_days_only_faulty_items_under_warranty(agents: Agents) -> None:
    late = await agents.run(JACK, "start_return", {"order_ref": "LH-100270"}, confirmed=True)
    assert late.error is ToolError.NOT_ALLOWED
    assert "ended on 2026-11-02" in late.summary and "warranty" in late.summary
    assert await _status(agents, "LH-100270") == "delivered"
    faulty = await agents.run(
        JACK, "start_return", {"order_ref": "LH-100270", "faulty": True}, confirmed=True
    )
    assert faulty.ok and faulty.facts["kind"] == "warranty"


@pytest.mark.parametrize(
    ("customer", "ref", "words"),
    [
        (AMELIA, "LH-100245", "on its way"),
        (PRIYA, "LH-100260", "cancelled instead"),
        (JACK, "LH-100271", "already been returned"),
        (PRIYA, "LH-100261", "was cancelled"),
    ],
)
async def test_only_delivered_orders_can_be_returned(
    agents: Agents, customer: str, ref: str, words: str
) -> None:
    before = await agents.snapshot()
    result = await agents.run(customer, "start_return", {"order_ref": ref}, confirmed=True)
    assert result.error is ToolError.NOT_ALLOWED and words in result.summary
    assert await agents.snapshot() == before


# -- the policy, pure

TODAY = date(2026, 11, 20)
BUDS = Product(
    sku="LH-BUDS", name="Lumen Buds ANC", category="audio", price=Decimal(89), stock=5, tags=("earbuds",)
)
BULB = Product(sku="LH-BULB", name="Bulb", category="lighting", price=Decimal(15), stock=5, tags=("bulb",))
CATALOG = {p.sku: p for p in (BUDS, BULB)}


def _order(
    *skus: str, delivered: date = date(2026, 11, 1), status: OrderStatus = OrderStatus.DELIVERED
) -> Order:
    return Order(
        ref="X-1",
        items=tuple(OrderItem(sku=s, qty=1) for s in skus),
        total=Decimal(100),
        status=status,
        ordered_at=delivered,
        delivered_at=delivered,
    )


def test_the_window_is_30_days_from_delivery() -> None:
    policy = ReturnsPolicy()
    last_day = assess_return(_order("LH-BULB", delivered=date(2026, 10, 21)), CATALOG, policy, today=TODAY)
    assert last_day.allowed and last_day.deadline == TODAY and last_day.kind is ReturnKind.REFUND
    late = assess_return(_order("LH-BULB", delivered=date(2026, 10, 20)), CATALOG, policy, today=TODAY)
    assert not late.allowed and late.deadline == date(2026, 11, 19)


def test_earbuds_only_unopened_unless_faulty() -> None:
    policy, order = ReturnsPolicy(), _order("LH-BUDS", "LH-BULB")
    unknown = assess_return(order, CATALOG, policy, today=TODAY)
    assert not unknown.allowed and unknown.missing == "opened" and "Lumen Buds ANC" in unknown.reason
    opened = assess_return(order, CATALOG, policy, today=TODAY, opened=True)
    assert not opened.allowed and opened.missing is None and "hygiene" in opened.reason
    sealed = assess_return(order, CATALOG, policy, today=TODAY, opened=False)
    assert sealed.allowed
    broken = assess_return(order, CATALOG, policy, today=TODAY, opened=True, faulty=True)
    assert broken.allowed and broken.kind is ReturnKind.REFUND
    just_the_bulb = assess_return(order, CATALOG, policy, today=TODAY, skus=["LH-BULB"], opened=True)
    assert just_the_bulb.allowed and just_the_bulb.items == (ReturnItem(sku="LH-BULB", qty=1),)


def test_warranty_after_the_window_and_its_end() -> None:
    policy = ReturnsPolicy()
    old = _order("LH-BULB", delivered=date(2025, 1, 1))
    assert assess_return(old, CATALOG, policy, today=TODAY, faulty=True).kind is ReturnKind.WARRANTY
    ancient = _order("LH-BULB", delivered=date(2024, 1, 1))
    out = assess_return(ancient, CATALOG, policy, today=TODAY, faulty=True)
    assert not out.allowed and "out of warranty" in out.reason


def test_non_returnable_tags_and_overrides() -> None:
    final = Product(
        sku="F", name="Final sale lamp", category="x", price=Decimal(1), stock=1, tags=("final-sale",)
    )
    result = assess_return(_order("F"), {"F": final}, ReturnsPolicy(), today=TODAY)
    assert not result.allowed and "cannot be returned" in result.reason
    strict = ReturnsPolicy(window_days=14, unopened_only_tags=frozenset({"bulb"}))
    assert not assess_return(_order("LH-BULB"), CATALOG, strict, today=TODAY).allowed


def test_not_delivered_statuses_explain_why() -> None:
    for status in OrderStatus:
        if status is OrderStatus.DELIVERED:
            continue
        result = assess_return(_order("LH-BULB", status=status), CATALOG, ReturnsPolicy(), today=TODAY)
        assert not result.allowed and result.reason.startswith("Order X-1 ")


async def test_the_status_word_tracking_of_a_delivered_parcel_and_totals(agents: Agents) -> None:
    preparing = await agents.run(PRIYA, "order_status", {"order_ref": "LH-100260"})
    assert "processing" in preparing.summary and "not shipped yet" in preparing.summary
    waiting = await agents.run(OLIVER, "order_status", {"order_ref": "LH-100250"})
    assert "backordered" in waiting.summary
    delivered = await agents.run(AMELIA, "order_status", {"order_ref": "LH-100231"})
    assert "Royal Mail" in delivered.summary and "RM123456785GB" in delivered.summary
    listed = await agents.run(AMELIA, "list_orders")
    assert "£" in listed.summary
