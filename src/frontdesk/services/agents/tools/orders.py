"""Order tools: list the customer's orders, their status, cancel one, start a return.

An order is looked up among the current contact's orders only: another customer's order is answered
exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from frontdesk.domain.business import (
    CANCELLABLE,
    NewReturn,
    Order,
    OrderStatus,
    ReturnItem,
    ReturnKind,
    StaffTaskKind,
)
from frontdesk.services.agents.tool_helpers.formatting import (
    Prices,
    join,
    match_ref,
    normal_ref,
    row,
    short_day,
)
from frontdesk.services.agents.tool_helpers.return_policy import Assessment, assess_return
from frontdesk.services.agents.tools.base import (
    Limit,
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

_STATUS_TEXT = {
    OrderStatus.PROCESSING: "is processing: it is being prepared and has not shipped yet",
    OrderStatus.BACKORDERED: "is backordered: it is waiting for stock",
    OrderStatus.SHIPPED: "has shipped",
    OrderStatus.OUT_FOR_DELIVERY: "is out for delivery today",
    OrderStatus.DELIVERED: "was delivered",
    OrderStatus.RETURN_REQUESTED: "has a return in progress",
    OrderStatus.RETURNED: "was returned",
    OrderStatus.CANCELLED: "was cancelled",
}
_TRACKED = (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED)
"""Statuses whose reply names the carrier and the tracking number (a delivered parcel may be missing)."""


async def find_order(ctx: ToolContext, text: str) -> Order | None:
    """The contact's order meant by `text` (`LH-100231`, `#100231`, `100231`), or None."""
    found = await ctx.data.order(ctx.tenant.id, ctx.contact.id, normal_ref(text))
    if found is not None:
        return found
    mine = await ctx.data.orders_of(ctx.tenant.id, ctx.contact.id, limit=100)
    ref = match_ref(text, [o.ref for o in mine])
    return next((o for o in mine if o.ref == ref), None)


def not_found(text: str) -> ToolResult:
    ref = normal_ref(text)
    return failed(ToolError.NOT_FOUND, f"No order {ref} was found for this WhatsApp number.", order_ref=ref)


def order_facts(order: Order, prices: Prices) -> dict[str, Any]:
    return {
        "order_ref": order.ref,
        "status": order.status.value,
        "items": [{"sku": i.sku, "name": i.name or i.sku, "qty": i.qty} for i in order.items],
        "total": prices(order.total),
        "ordered_at": order.ordered_at.isoformat(),
        "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
        "eta": order.eta.isoformat() if order.eta else None,
        "carrier": order.carrier,
        "tracking": order.tracking,
    }


def items_text(order: Order) -> str:
    return join(f"{i.qty} × {i.name or i.sku}" for i in order.items)


def status_line(order: Order) -> str:
    """`Order LH-100245 has shipped with DPD (tracking 155…) and should arrive on Sat 21 Nov.`"""
    text = f"Order {order.ref} {_STATUS_TEXT[order.status]}"
    if order.status is OrderStatus.DELIVERED and order.delivered_at:
        text += f" on {short_day(order.delivered_at)}"
    if order.carrier and order.status in _TRACKED:
        text += f" with {order.carrier}" + (f" (tracking {order.tracking})" if order.tracking else "")
    if order.eta and order.status not in (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.RETURNED):
        text += f" and should arrive by {short_day(order.eta)}"
    return text + "."


# -- list_orders


class ListOrdersArgs(ToolArgs):
    status: OrderStatus | None = Field(None, description="Only orders in this status.")
    limit: Limit = 5


async def list_orders(ctx: ToolContext, args: ListOrdersArgs) -> ToolResult:
    rules = await ctx.data.rules(ctx.tenant.id)
    orders = await ctx.data.orders_of(ctx.tenant.id, ctx.contact.id, limit=100)
    if args.status:
        orders = [o for o in orders if o.status is args.status]
    orders = orders[: args.limit]
    if not orders:
        return done("There are no orders for this WhatsApp number.", orders=[])
    lines = [
        f"{o.ref} ({short_day(o.ordered_at)}): {items_text(o)}, {Prices.of(rules)(o.total)}"
        f" — {o.status.value.replace('_', ' ')}"
        for o in orders
    ]
    choices = tuple(
        row(f"order:{o.ref}", o.ref, f"{o.status.value.replace('_', ' ')} · {items_text(o)}") for o in orders
    )
    return done(
        "Your orders:\n" + "\n".join(f"• {line}" for line in lines),
        choices=choices,
        orders=[order_facts(o, Prices.of(rules)) for o in orders],
    )


# -- order_status


class OrderRefArgs(ToolArgs):
    order_ref: Ref = Field(description="The order number, e.g. LH-100231.")


async def order_status(ctx: ToolContext, args: OrderRefArgs) -> ToolResult:
    order = await find_order(ctx, args.order_ref)
    if order is None:
        return not_found(args.order_ref)
    prices = Prices.of(await ctx.data.rules(ctx.tenant.id))
    return done(f"{status_line(order)} Items: {items_text(order)}.", order=order_facts(order, prices))


# -- cancel_order


class CancelOrderArgs(OrderRefArgs):
    reason: Text | None = None


async def cancel_order(ctx: ToolContext, args: CancelOrderArgs) -> ToolResult:
    order = await find_order(ctx, args.order_ref)
    if order is None:
        return not_found(args.order_ref)
    if order.status not in CANCELLABLE:
        return failed(
            ToolError.NOT_ALLOWED,
            f"{status_line(order)} Only orders that have not shipped can be cancelled.",
            order_ref=order.ref,
            status=order.status.value,
        )
    if not ctx.confirmed:
        return ask_to_confirm(f"Cancel order {order.ref} ({items_text(order)})?", order_ref=order.ref)
    cancelled = await ctx.data.set_order_status(
        ctx.tenant.id, ctx.contact.id, order.ref, status=OrderStatus.CANCELLED, only_from=CANCELLABLE
    )
    if cancelled is None:  # gone meanwhile
        return not_found(args.order_ref)
    rules = await ctx.data.rules(ctx.tenant.id)
    return done(
        f"Order {order.ref} is cancelled; it will be refunded to the original payment method.",
        order=order_facts(cancelled, Prices.of(rules)),
    )


# -- start_return


class StartReturnArgs(OrderRefArgs):
    skus: list[Ref] = Field(
        default=[], max_length=10, description="SKUs to return; empty for the whole order."
    )
    reason: Text | None = Field(None, description="Why the customer returns it.")
    opened: bool | None = Field(None, description="Whether the items were opened (needed for earbuds).")
    faulty: bool = Field(False, description="The item does not work (warranty applies after 30 days).")


async def start_return(ctx: ToolContext, args: StartReturnArgs) -> ToolResult:
    order = await find_order(ctx, args.order_ref)
    if order is None:
        return not_found(args.order_ref)
    verdict = await _assess(ctx, order, args)
    if not verdict.allowed or verdict.kind is None:
        error = ToolError.MISSING_INFO if verdict.missing else ToolError.NOT_ALLOWED
        return failed(error, verdict.reason, order_ref=order.ref, missing=verdict.missing)
    what = join(f"{i.qty} × {_name(order, i)}" for i in verdict.items)
    warranty = verdict.kind is ReturnKind.WARRANTY
    if not ctx.confirmed:
        label = "a warranty claim" if warranty else "a return for a refund"
        return ask_to_confirm(f"Start {label} for {what} from order {order.ref}?", order_ref=order.ref)
    request = NewReturn(
        kind=verdict.kind,
        items=verdict.items,
        reason=args.reason or ("faulty" if args.faulty else ""),
        opened=args.opened,
        faulty=args.faulty,
    )
    record = await ctx.data.record_return(
        ctx.tenant.id,
        ctx.contact.id,
        order.ref,
        request=request,
        conversation_id=ctx.conversation.id,
        now=ctx.now(),
    )
    if record is None:
        return not_found(args.order_ref)
    then = "repair or replace it" if warranty else "refund you once it reaches us"
    return done(
        f"Return {record.ref} is started for {what} from order {order.ref}. We will email you a returns "
        f"label, and {then}.",
        return_ref=record.ref,
        order_ref=order.ref,
        kind=record.kind.value,
        items=[i.model_dump() for i in record.items],
        staff_task=StaffTaskKind.RETURN.value,
    )


async def _assess(ctx: ToolContext, order: Order, args: StartReturnArgs) -> Assessment:
    rules = await ctx.data.rules(ctx.tenant.id)
    products = await ctx.data.search_products(ctx.tenant.id, skus=[i.sku for i in order.items])
    return assess_return(
        order,
        {p.sku: p for p in products},
        rules.returns,
        today=ctx.today(),
        skus=args.skus,
        opened=args.opened,
        faulty=args.faulty,
    )


def _name(order: Order, item: ReturnItem) -> str:
    return next((i.name for i in order.items if i.sku == item.sku and i.name), item.sku)


TOOLS: tuple[Tool[Any], ...] = (
    Tool(
        "list_orders",
        "List the customer's orders, newest first, optionally by status.",
        ListOrdersArgs,
        list_orders,
    ),
    Tool(
        "order_status",
        "Status, tracking, carrier and expected delivery of one of the customer's orders.",
        OrderRefArgs,
        order_status,
    ),
    Tool(
        "cancel_order",
        "Cancel one of the customer's orders; only orders still processing or backordered.",
        CancelOrderArgs,
        cancel_order,
        side_effect=True,
    ),
    Tool(
        "start_return",
        "Start a return of a delivered order (30 days from delivery; earbuds unopened only unless faulty; "
        "faulty items later under warranty). Staff then email a returns label.",
        StartReturnArgs,
        start_return,
        side_effect=True,
    ),
)
