"""The returns policy, as far as data can check it (pure; the `start_return` tool applies it).

From the demo's `kb/returns.md` and `kb/warranty.md`:
- any reason, full refund, within `window_days` (30) of delivery;
- products tagged as hygiene items (the earbuds) only unopened, unless faulty;
- faulty items are covered by the warranty after the window (2 years from delivery);
- only delivered orders can be returned, and one return at a time per order.
Items being complete and undamaged is for staff to check when the parcel arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from frontdesk.domain.business import Order, OrderStatus, Product, ReturnItem, ReturnKind, ReturnsPolicy

_NOT_DELIVERED = {
    OrderStatus.PROCESSING: "has not shipped yet, so it can be cancelled instead",
    OrderStatus.BACKORDERED: "has not shipped yet, so it can be cancelled instead",
    OrderStatus.SHIPPED: "is on its way; a return can start once it is delivered",
    OrderStatus.OUT_FOR_DELIVERY: "is out for delivery; a return can start once it is delivered",
    OrderStatus.RETURN_REQUESTED: "already has a return in progress",
    OrderStatus.RETURNED: "has already been returned",
    OrderStatus.CANCELLED: "was cancelled, so there is nothing to return",
}


@dataclass(frozen=True)
class Assessment:
    """The policy's answer. `allowed` with a `kind`; otherwise `reason`, or `missing` to ask for."""

    allowed: bool
    reason: str = ""
    kind: ReturnKind | None = None
    items: tuple[ReturnItem, ...] = ()
    missing: str | None = None
    """`opened`: ask whether the hygiene items are unopened."""
    deadline: date | None = None
    """The last day of the returns window."""
    unknown_skus: tuple[str, ...] = field(default=())


def assess_return(
    order: Order,
    catalog: Mapping[str, Product],
    policy: ReturnsPolicy,
    *,
    today: date,
    skus: Sequence[str] = (),
    opened: bool | None = None,
    faulty: bool = False,
) -> Assessment:
    """May these items of `order` be returned today, and as a refund or under warranty?"""
    if order.status is not OrderStatus.DELIVERED:
        return Assessment(False, f"Order {order.ref} {_NOT_DELIVERED.get(order.status, 'is not delivered')}.")
    items, unknown = _chosen(order, skus)
    if unknown:
        return Assessment(False, f"Order {order.ref} has no {', '.join(unknown)}.", unknown_skus=unknown)
    products = [catalog[i.sku] for i in items if i.sku in catalog]
    blocked = [p.name for p in products if set(p.tags) & policy.non_returnable_tags]
    if blocked:
        return Assessment(False, f"{', '.join(blocked)} cannot be returned.")
    delivered = order.delivered_at or order.shipped_at or order.ordered_at
    deadline = delivered + timedelta(days=policy.window_days)
    if today > deadline:
        return _after_window(order, items, policy, today, delivered, deadline, faulty)
    hygiene = [p.name for p in products if set(p.tags) & policy.unopened_only_tags]
    if hygiene and not faulty:
        if opened is None:
            return Assessment(
                False, f"Are the {', '.join(hygiene)} unopened?", missing="opened", deadline=deadline
            )
        if opened:
            return Assessment(
                False,
                f"{', '.join(hygiene)} can only be returned unopened, for hygiene reasons, unless faulty.",
                deadline=deadline,
            )
    return Assessment(True, kind=ReturnKind.REFUND, items=items, deadline=deadline)


def _chosen(order: Order, skus: Sequence[str]) -> tuple[tuple[ReturnItem, ...], tuple[str, ...]]:
    """The order's items named by `skus` (all of them when none are named), and names it lacks."""
    in_order = {i.sku.upper(): i for i in order.items}
    wanted = list(dict.fromkeys(s.strip().upper() for s in skus)) or list(in_order)
    unknown = tuple(s for s in wanted if s not in in_order)
    items = tuple(ReturnItem(sku=in_order[s].sku, qty=in_order[s].qty) for s in wanted if s in in_order)
    return items, unknown


def _after_window(
    order: Order,
    items: tuple[ReturnItem, ...],
    policy: ReturnsPolicy,
    today: date,
    delivered: date,
    deadline: date,
    faulty: bool,
) -> Assessment:
    if faulty and today <= delivered + timedelta(days=policy.warranty_days):
        return Assessment(True, kind=ReturnKind.WARRANTY, items=items, deadline=deadline)
    if faulty:
        return Assessment(False, f"Order {order.ref} is out of warranty.", deadline=deadline)
    return Assessment(
        False,
        f"The {policy.window_days}-day return window for order {order.ref} ended on {deadline.isoformat()}; "
        "faulty items are still covered by the warranty.",
        deadline=deadline,
    )
