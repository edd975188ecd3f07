"""The tool framework: registry, schemas, argument validation and caps, scoping keys, confirmation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from frontdesk.domain.errors import ConfigurationError, ConflictError, NotFoundError
from frontdesk.services.agents.brains.llm_tools import tool_specs
from frontdesk.services.agents.tools import (
    TOOLS,
    NoArgs,
    Tool,
    ToolContext,
    ToolError,
    ToolResult,
    allowed_tool,
)
from frontdesk.services.agents.tools.base import SCOPE_KEYS, done
from tests.support.agents import AMELIA, OLIVER, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]

EXPECTED = {
    "list_orders", "order_status", "cancel_order", "start_return",
    "search_products", "product_details", "compare_products", "recommend_products", "check_stock",
    "search_knowledge",
    "get_profile", "update_preferences", "set_marketing_opt_in",
    "request_data_export", "request_data_deletion",
    "list_services", "find_slots", "book_appointment", "reschedule_appointment", "cancel_appointment",
    "list_appointments",
    "summarize_conversation", "extract_tasks", "search_messages",
}  # fmt: skip
SIDE_EFFECTS = {
    "cancel_order",
    "start_return",
    "request_data_deletion",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
}


def test_the_registry_holds_every_tool_by_name() -> None:
    assert set(TOOLS) == EXPECTED
    assert all(name == tool.name for name, tool in TOOLS.items())
    assert {n for n, t in TOOLS.items() if t.side_effect} == SIDE_EFFECTS


def test_schemas_describe_the_named_tools_for_tool_calling() -> None:
    specs = tool_specs(["order_status", "find_slots", "handoff"])
    assert [s.name for s in specs] == ["order_status", "find_slots", "handoff"]
    order = specs[0]
    assert order.description
    assert order.parameters["type"] == "object"
    assert order.parameters["required"] == ["order_ref"]
    assert order.parameters["additionalProperties"] is False
    json.dumps([s.parameters for s in tool_specs(sorted(TOOLS))])  # all JSON


def test_no_tool_takes_a_tenant_or_a_contact() -> None:
    for spec in tool_specs(sorted(TOOLS)):
        assert not set(spec.parameters.get("properties", {})) & SCOPE_KEYS, spec.name


def test_unknown_tool_names_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="unknown tools: nope"):
        tool_specs(["order_status", "nope"])


def test_an_agent_runs_only_the_tools_it_lists() -> None:
    assert allowed_tool("order_status", ("order_status",)) is TOOLS["order_status"]
    assert allowed_tool("cancel_order", ("order_status",)) is None
    assert allowed_tool("nope", ("nope",)) is None


def test_strings_are_capped_and_limits_bounded() -> None:
    search = TOOLS["search_products"]
    assert len(search.parse({"query": "x" * 5000}).query or "") == 200  # free text: cut to 200
    assert search.parse({"query": "  lamp  "}).query == "lamp"
    with pytest.raises(ValueError):
        TOOLS["order_status"].parse({"order_ref": "L" * 41})  # identifiers: refused when too long
    with pytest.raises(ValueError):
        search.parse({"query": "lamp", "limit": 11})
    with pytest.raises(ValueError):
        TOOLS["search_knowledge"].parse({"query": "wifi", "k": 50})
    with pytest.raises(ValueError):
        TOOLS["compare_products"].parse({"products": ["a", "b", "c", "d"]})
    with pytest.raises(ValueError):
        TOOLS["update_preferences"].parse({"preferences": {f"k{i}": "v" for i in range(11)}})


async def test_bad_arguments_are_a_failed_result_not_an_exception(agents: Agents) -> None:
    result = await agents.run(AMELIA, "order_status", {"order_ref": "", "colour": "red"})
    assert not result.ok and result.error is ToolError.INVALID_ARGUMENTS
    fields = {e["field"] for e in result.facts["errors"]}
    assert fields == {"order_ref", "colour"}


async def test_scoping_arguments_from_a_model_are_ignored(agents: Agents) -> None:
    oliver = await agents.ctx(OLIVER)
    sneaky = {"order_ref": "LH-100250", "contact_id": oliver.contact.id, "tenant_id": 999, "wa_id": OLIVER}
    as_amelia = await agents.run(AMELIA, "order_status", sneaky)
    assert as_amelia.error is ToolError.NOT_FOUND  # Oliver's order, asked for by Amelia
    as_oliver = await agents.run(OLIVER, "order_status", {"order_ref": "LH-100250"})
    assert as_oliver.ok


async def test_a_context_cannot_mix_tenants_or_contacts(agents: Agents) -> None:
    ctx = await agents.ctx(AMELIA)
    other = await agents.ctx(OLIVER)
    with pytest.raises(ValueError, match="not the contact's"):
        replace(ctx, conversation=other.conversation)
    with pytest.raises(ValueError, match="mixes tenants"):
        replace(ctx, tenant=ctx.tenant.model_copy(update={"id": 999}))


async def _echo(ctx: ToolContext, args: NoArgs) -> ToolResult:
    return done("seen", confirmed=ctx.confirmed)


async def _raises_conflict(ctx: ToolContext, args: NoArgs) -> ToolResult:
    raise ConflictError("the slot was taken")


async def _raises_not_found(ctx: ToolContext, args: NoArgs) -> ToolResult:
    raise NotFoundError("gone")


async def test_only_side_effect_tools_see_a_confirmation(agents: Agents) -> None:
    ctx = await agents.ctx(AMELIA)
    plain = Tool("echo", "Echo.", NoArgs, _echo)
    acting = Tool("act", "Act.", NoArgs, _echo, side_effect=True)
    assert (await plain.call(ctx, {}, confirmed=True)).facts["confirmed"] is False
    assert (await acting.call(ctx, {})).facts["confirmed"] is False
    assert (await acting.call(ctx, {}, confirmed=True)).facts["confirmed"] is True


async def test_lost_races_and_vanished_rows_become_results(agents: Agents) -> None:
    ctx = await agents.ctx(AMELIA)
    conflict = await Tool("c", "C.", NoArgs, _raises_conflict).call(ctx, {})
    assert conflict.error is ToolError.CONFLICT and "slot was taken" in conflict.summary
    missing = await Tool("m", "M.", NoArgs, _raises_not_found).call(ctx, {})
    assert missing.error is ToolError.NOT_FOUND


async def test_side_effect_tools_change_nothing_until_confirmed(agents: Agents) -> None:
    calls = {
        "cancel_order": {"order_ref": "LH-100260"},
        "start_return": {"order_ref": "LH-100290"},
        "request_data_deletion": {},
        "book_appointment": {"service": "lighting", "start": "2026-11-24T14:00"},
        "reschedule_appointment": {"appointment_ref": "APT-5001", "start": "2026-11-26T11:00"},
        "cancel_appointment": {"appointment_ref": "APT-5001"},
    }
    customers = {"cancel_order": "447700900103", "start_return": "447700900106"}
    before = await agents.snapshot()
    for name, args in calls.items():
        result = await agents.run(customers.get(name, "447700900103"), name, args)
        assert result.ok and result.needs_confirmation, (name, result)
        assert result.summary.endswith("?"), result.summary
    assert await agents.snapshot() == before


async def test_results_are_json(agents: Agents) -> None:
    result = await agents.run(AMELIA, "list_orders")
    assert json.loads(json.dumps(result.model_dump(mode="json")))["facts"]["orders"]
