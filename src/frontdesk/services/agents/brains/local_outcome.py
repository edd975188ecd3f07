"""How the local brain words a tool's result: the skill's reply for the outcome, as WhatsApp messages."""

from __future__ import annotations

from typing import Any

from frontdesk.domain.outbound import OutboundMessage, Row
from frontdesk.domain.team import Skill
from frontdesk.services.agents.brains.contract import AgentRequest, ToolCall
from frontdesk.services.agents.brains.replies import choice_list, render, texts
from frontdesk.services.agents.brains.slot_fill import shown
from frontdesk.services.agents.tools import ToolResult


def outcome(skill: Skill, result: ToolResult) -> str | None:
    """The `replies` key for a result: its error, `empty` when it found nothing; None = success."""
    if result.error is not None:
        return result.error.value
    lists = [v for v in result.facts.values() if isinstance(v, list)]
    if lists and not any(lists) and "empty" in skill.replies:
        return "empty"
    return None


def template_values(request: AgentRequest, skill: Skill, slots: dict[str, Any]) -> dict[str, Any]:
    """What a template may name: the globals and the skill's slots as a reply shows them."""
    contact = request.tools.contact
    values: dict[str, Any] = {
        "contact_name": (contact.name or "there").split()[0],
        "business_name": request.tools.tenant.name,
        "agent_name": request.agent.name,
        "opening_hours": request.opening_hours or "during opening hours",
    }
    for slot in skill.slots:
        if slots.get(slot.name) is not None:
            values[slot.name] = shown(slot, slots[slot.name])
    return values


def result_text(request: AgentRequest, skill: Skill, slots: dict[str, Any], result: ToolResult) -> str:
    """The skill's reply for this result, filled with slots, the tool's facts and its summary."""
    key = outcome(skill, result)
    template = skill.replies.get(key, "{summary}") if key else skill.reply
    if key == "empty" and "empty" not in skill.replies:
        template = skill.reply
    values = template_values(request, skill, slots)
    values.update({k: v for k, v in result.facts.items() if isinstance(v, str | int | float)})
    values["summary"] = result.summary
    return render(template, values) or result.summary


def result_messages(text: str, choices: tuple[Row, ...]) -> list[OutboundMessage]:
    """A text, with the result's choices as a WhatsApp list when it has some."""
    return choice_list(text, choices) if choices else texts(text)


def tool_call(name: str, args: dict[str, Any], result: ToolResult, *, confirmed: bool = False) -> ToolCall:
    return ToolCall(name=name, args=args, ok=result.ok, summary=result.summary, confirmed=confirmed)


def learned(slots: dict[str, Any], result: ToolResult | None) -> dict[str, Any]:
    """Values worth remembering for later turns: the slots and the references a result names."""
    out = {
        k: v
        for k, v in slots.items()
        if k in ("order_ref", "product", "products", "appointment_ref", "service", "city")
    }
    facts = result.facts if result is not None else {}
    nested = {k: v for k, v in facts.items() if isinstance(v, dict)}
    order, product, appointment = (nested.get(k, {}) for k in ("order", "product", "appointment"))
    for key, value in (
        ("order_ref", facts.get("order_ref") or order.get("ref")),
        ("product", facts.get("sku") or product.get("sku")),
        ("appointment_ref", appointment.get("ref") or _apt(facts.get("ref"))),
    ):
        if isinstance(value, str) and value:
            out[key] = value
    return out


def _apt(value: Any) -> str | None:
    return value if isinstance(value, str) and value.upper().startswith("APT") else None
