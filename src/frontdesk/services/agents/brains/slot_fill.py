"""Slot values for the local brain: read from a message, kept JSON-safe in the dialogue state, filled
from the conversation's context, and turned into a tool's arguments.

Stored forms: references, SKUs, service codes, cities and text as strings; a `date` as ISO text; a
`time` as `{"from": "14:00", "to": "17:00"}`; a `datetime` as `{"date": ..., "from": ..., "to": ...}`
(any part may be None); `many` slots as lists.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from frontdesk.domain.models import Direction, Message
from frontdesk.domain.outbound import Row
from frontdesk.domain.team import Skill, Slot
from frontdesk.services.agents.nlu import Mention, SlotReader, TimeWindow, When
from frontdesk.services.agents.nlu.dates import parse_date
from frontdesk.services.agents.nlu.slots import appointment_refs, order_refs
from frontdesk.services.agents.tool_helpers.formatting import without_brand
from frontdesk.services.agents.tools import TOOLS, ToolResult

CONTEXT_OF_TYPE = {
    "order_ref": "order_ref",
    "product": "product",
    "sku": "product",
    "appointment_ref": "appointment_ref",
    "service": "service",
    "city": "city",
    "datetime": "start",
}
"""Which remembered value (`ConversationState.context`) a slot of each type may take."""
_MENTION_TYPES = frozenset({"product", "sku", "service", "city"})
_OTHER = re.compile(r"\b(?:the other|other one|other order|other appointment)\b", re.IGNORECASE)


def read(
    reader: SlotReader, slot: Slot, text: str, *, now: datetime, expecting: bool
) -> tuple[Any, list[Row]]:
    """The slot's stored value in `text` (None when absent) and rows to choose from when ambiguous."""
    value = reader.read(slot, text, now=now, expecting=expecting)
    if value is None:
        return None, []
    if isinstance(value, list):
        keys = list(dict.fromkeys(m.best.key for m in value if isinstance(m, Mention)))
        return (keys or None), []
    if isinstance(value, Mention):
        if value.ambiguous and slot.type in _MENTION_TYPES:
            business = reader.vocabulary.business
            rows = [_row(slot, match.key, without_brand(match.name, business)) for match in value.candidates]
            return None, rows
        return value.best.key, []
    return _stored(value), []


def _row(slot: Slot, key: str, name: str) -> Row:
    return Row(id=f"{slot.type}:{key}"[:200], title=name[:24])


def _stored(value: Any) -> Any:
    if isinstance(value, When):
        return {"date": value.date.isoformat() if value.date else None, **window_value(value.window)}
    if isinstance(value, TimeWindow):
        return window_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def window_value(window: TimeWindow | None) -> dict[str, str | None]:
    """A time window as stored: `{"from": "14:00", "to": "17:00"}`."""
    if window is None:
        return {"from": None, "to": None}
    return {"from": window.start.strftime("%H:%M"), "to": window.end.strftime("%H:%M")}


def fill(
    skill: Skill, reader: SlotReader, text: str, *, now: datetime
) -> tuple[dict[str, Any], dict[str, list[Row]]]:
    """Every slot `text` gives a value for, and the ambiguous ones as rows to choose from."""
    values: dict[str, Any] = {}
    ambiguous: dict[str, list[Row]] = {}
    for slot in skill.slots:
        if slot.type == "text" and not slot.required:
            continue
        value, rows = read(reader, slot, text, now=now, expecting=False)
        if value is not None:
            values[slot.name] = value
        elif rows:
            ambiguous[slot.name] = rows
    return values, ambiguous


def from_context(skill: Skill, values: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """`values` with the missing `from_context` slots taken from what the conversation has seen."""
    out = dict(values)
    for slot in skill.slots:
        key = "products" if slot.many and slot.type in ("product", "sku") else CONTEXT_OF_TYPE.get(slot.type)
        known = key is not None and context.get(key) is not None
        if (
            slot.from_context
            and (not slot.many or key == "products")
            and slot.name not in out
            and known
            and key
        ):
            out[slot.name] = context[key]
    return out


def refers_to_other(text: str) -> bool:
    """ "and the other one?": the customer means a reference other than the one just discussed."""
    return bool(_OTHER.search(text))


def without_references(context: dict[str, Any]) -> dict[str, Any]:
    """The context without the order and appointment just discussed."""
    return {k: v for k, v in context.items() if k not in ("order_ref", "appointment_ref")}


def history_context(history: Sequence[Message]) -> dict[str, Any]:
    """The last order and appointment references of the conversation's recent messages."""
    found: dict[str, Any] = {}
    for message in reversed(history):
        text = message.text or ""
        if "order_ref" not in found and (refs := order_refs(text)):
            found["order_ref"] = refs[0] if message.direction is Direction.IN or len(refs) == 1 else None
        if "appointment_ref" not in found and (apts := appointment_refs(text)):
            found["appointment_ref"] = apts[0] if len(apts) == 1 else None
    return {k: v for k, v in found.items() if v}


def named_references(reader: SlotReader, text: str, listed: ToolResult, *, now: datetime) -> list[str]:
    """The listed orders or appointments that `text` names by a product, a service or a day.

    "has my floor lamp shipped" names the order with the floor lamp in it; "cancel my installation on
    the 3rd" the appointment on the 3rd. Empty when the text names none of them.
    """
    products = {m.key for mention in reader.vocabulary.products.find(text) for m in mention.candidates}
    services = {m.key for mention in reader.vocabulary.services.find(text) for m in mention.candidates}
    day = parse_date(text, now=now, tz=reader.timezone)
    named = []
    for order in _dicts(listed.facts.get("orders")):
        if products & {str(item.get("sku")) for item in _dicts(order.get("items"))}:
            named.append(str(order.get("order_ref")))
    for appointment in _dicts(listed.facts.get("appointments")):
        on_day = day is not None and str(appointment.get("start", "")).startswith(day.isoformat())
        if on_day or appointment.get("service_code") in services:
            named.append(str(appointment.get("ref")))
    return named


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def complete(slot: Slot, value: Any) -> bool:
    """Whether a stored value is enough for the tool (a `datetime` needs a day and an exact time)."""
    if value is None:
        return False
    if slot.type == "datetime":
        return isinstance(value, dict) and bool(value.get("date")) and _exact(value)
    return True


def _exact(value: dict[str, Any]) -> bool:
    return value.get("from") is not None and value.get("from") == value.get("to")


def tool_args(skill: Skill, values: dict[str, Any]) -> dict[str, Any]:
    """The tool's arguments from the skill's fixed `args` and its slot values."""
    args: dict[str, Any] = dict(skill.args)
    fields = TOOLS[skill.tool].args.model_fields if skill.tool in TOOLS else {}
    for slot in skill.slots:
        value = values.get(slot.name)
        if value is None or (fields and slot.name not in fields):
            continue
        args[slot.name] = _argument(slot, value)
        annotation = fields[slot.name].annotation if slot.name in fields else None
        if isinstance(args[slot.name], str) and _is_mapping(annotation):
            args[slot.name] = {"note": args[slot.name]}
    return args


def _argument(slot: Slot, value: Any) -> Any:
    if slot.type == "datetime" and isinstance(value, dict):
        return f"{value['date']}T{value['from']}" if value.get("date") and _exact(value) else None
    if slot.type == "time" and isinstance(value, dict):
        return part_of_day(value.get("from"))
    return value


def part_of_day(start: str | None) -> str | None:
    """`morning`, `afternoon` or `evening` for a time of day like "14:00"."""
    if not start:
        return None
    hour = int(start[:2])
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def _is_mapping(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_mapping(typing.get_args(annotation)[0])
    return origin is dict or annotation is dict


def shown(slot: Slot, value: Any) -> str:
    """A stored value as a reply shows it ("Tue 24 Nov, 14:00")."""
    if slot.type == "datetime" and isinstance(value, dict):
        day = date.fromisoformat(value["date"]).strftime("%a %-d %b") if value.get("date") else ""
        return ", ".join(part for part in (day, value.get("from") or "") if part)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
