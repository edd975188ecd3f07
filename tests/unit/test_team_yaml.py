"""Team files: the default and the demo team load, the default names no business, and a broken file says
which file, where in it and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from frontdesk.adapters.teams import DEFAULT_TEAM, DEMO_TEAM, load_team, parse_team
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.team import (
    LOCAL_MODEL,
    REPLY_OUTCOMES,
    SUPERVISOR,
    Team,
    TeamError,
    format_path,
    template_fields,
)
from frontdesk.domain.team_checks import validate_team
from frontdesk.services.agents.tools import TOOLS, ToolError

ROOT = Path(__file__).resolve().parents[2]
TEAM_FILE = ROOT / "teams/lumen.yaml"
DEFAULT_TEAM_FILE = ROOT / "teams/default.yaml"

KNOWN_TOOLS = [
    *("list_orders", "order_status", "cancel_order", "start_return"),
    *("search_products", "product_details", "compare_products", "recommend_products", "check_stock"),
    "search_knowledge",
    *("get_profile", "update_preferences", "set_marketing_opt_in", "request_data_export"),
    "request_data_deletion",
    *("list_services", "find_slots", "book_appointment", "reschedule_appointment", "cancel_appointment"),
    "list_appointments",
    *("summarize_conversation", "extract_tasks", "search_messages"),
]

MAIN_SKILLS = {
    "orders": ["my_orders", "order_status", "cancel_order", "start_return"],
    "products": [
        "search_products",
        "product_details",
        "compare_products",
        "recommend_products",
        "check_stock",
    ],
    "support": ["troubleshoot", "policies", "faq"],
    "account": ["update_preferences", "opt_out"],
    "booking": ["find_slots", "book_appointment", "reschedule_appointment", "cancel_appointment"],
}

MINIMAL = {
    "name": "Test",
    "supervisor": {"instructions": "Route.", "models": ["local"]},
    "agents": [
        {
            "name": "orders",
            "description": "Orders.",
            "instructions": "Help with orders.",
            "tools": ["order_status"],
            "models": ["openai:gpt-4o-mini", "local"],
            "skills": [
                {
                    "name": "order_status",
                    "examples": ["where is my order", "track my parcel", "has it shipped"],
                    "slots": [{"name": "order_ref", "type": "order_ref", "from_context": True}],
                    "ask": {"order_ref": "Which order?"},
                    "tool": "order_status",
                    "facts": ["status"],
                    "reply": "Order *{order_ref}* is {status}.",
                }
            ],
        }
    ],
}


@pytest.fixture(scope="module", params=[TEAM_FILE, DEFAULT_TEAM_FILE], ids=["demo", "default"])
def team(request: pytest.FixtureRequest) -> Team:
    """Each team the repository ships: the demo's and the default (the checks below hold for both)."""
    return load_team(request.param, known_tools=KNOWN_TOOLS)


def _skill(data: dict, agent: int = 0, skill: int = 0) -> dict:
    return data["agents"][agent]["skills"][skill]


def _load_broken(tmp_path: Path, data: dict | str) -> TeamError:
    path = tmp_path / "broken.yaml"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(TeamError) as caught:
        load_team(path, known_tools=KNOWN_TOOLS)
    assert str(path) in str(caught.value)
    assert isinstance(caught.value, ConfigurationError)
    return caught.value


def _minimal() -> dict:
    return yaml.safe_load(yaml.safe_dump(MINIMAL))


# -- the demo team


def test_the_demo_team_loads_with_every_agent(team: Team) -> None:
    assert [agent.name for agent in team.agents] == ["orders", "products", "support", "account", "booking"]
    assert all(agent.models[-1] == LOCAL_MODEL for agent in team.agents)
    assert team.supervisor.models[-1] == LOCAL_MODEL


def test_the_demo_teams_main_skills_have_many_examples(team: Team) -> None:
    for agent_name, skill_names in MAIN_SKILLS.items():
        agent = team.agent(agent_name)
        assert agent is not None
        for name in skill_names:
            skill = agent.skill(name)
            assert skill is not None, (agent_name, name)
            assert len(skill.examples) >= 8, (agent_name, name)


def test_every_side_effect_asks_for_a_confirmation(team: Team) -> None:
    side_effects = {"cancel_order", "start_return", "book_appointment", "reschedule_appointment"}
    side_effects |= {"cancel_appointment", "request_data_deletion"}
    skills = [skill for _, skill in team.skills() if skill.tool in side_effects]
    assert len(skills) == len(side_effects)
    assert all(skill.confirm and skill.confirm_prompt for skill in skills)


def test_the_supervisor_can_hand_off_and_has_its_own_skills(team: Team) -> None:
    names = {skill.name for owner, skill in team.skills() if owner == SUPERVISOR}
    assert {"greeting", "human", "off_topic", "summarize"} <= names
    assert team.supervisor.handoff.max_misunderstandings == 2


@pytest.mark.parametrize(
    ("packaged", "repository"), [(DEMO_TEAM, TEAM_FILE), (DEFAULT_TEAM, DEFAULT_TEAM_FILE)]
)
def test_the_packaged_teams_are_the_repositorys(packaged: Path, repository: Path) -> None:
    assert packaged.read_bytes() == repository.read_bytes(), f"copy {repository} to {packaged}"
    assert load_team(packaged) == load_team(repository)


def test_the_default_team_names_no_business() -> None:
    """Its replies and examples name no business, product, order-number format or policy: the
    business's name is {business_name}, the rest comes from the tenant's data and knowledge base."""
    text = DEFAULT_TEAM_FILE.read_text(encoding="utf-8").casefold()
    demo = ["lumen", "lh-", "apt-5", "thermostat", "soundbar", "bulb", "evri", "royal mail", "£", "uk time"]
    demo += ["30 days", "2 working days", "mon–fri", "9:00"]
    assert [word for word in demo if word in text] == []
    team = load_team(DEFAULT_TEAM_FILE, known_tools=KNOWN_TOOLS)
    greeting = next(skill for owner, skill in team.skills() if skill.name == "greeting")
    assert "{business_name}" in greeting.reply


def test_validate_team_checks_tool_names(team: Team) -> None:
    validate_team(team, KNOWN_TOOLS)
    with pytest.raises(TeamError) as caught:
        validate_team(team, [t for t in KNOWN_TOOLS if t != "check_stock"])
    assert "agents[1].tools[4]: unknown tool 'check_stock'" in str(caught.value)


def test_the_validation_context_carries_the_known_tools() -> None:
    data = _minimal()
    assert Team.model_validate(data, context={"known_tools": ["order_status"]}).name == "Test"
    with pytest.raises(TeamError, match=r"agents\[0\]\.tools\[0\]: unknown tool"):
        Team.model_validate(data, context={"known_tools": ["list_orders"]})


def test_the_known_tools_are_the_registrys() -> None:
    assert sorted(KNOWN_TOOLS) == sorted(TOOLS)


def test_slots_and_fixed_args_are_the_tools_arguments(team: Team) -> None:
    for _, skill in team.skills():
        if skill.tool in TOOLS:
            fields = set(TOOLS[skill.tool].args.model_fields)
            names = {slot.name for slot in skill.slots} | set(skill.args)
            assert names <= fields, (skill.name, names - fields)


def test_reply_outcomes_cover_every_tool_error() -> None:
    assert {error.value for error in ToolError} <= REPLY_OUTCOMES


# -- broken files


def test_a_skill_tool_outside_the_agents_tools(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["tool"] = "cancel_order"
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].tool (line " in str(error)
    assert "'cancel_order' is not in this agent's tools" in str(error)


def test_an_unknown_tool_with_a_suggestion(tmp_path: Path) -> None:
    data = _minimal()
    data["agents"][0]["tools"] = ["order_status", "check_stok"]
    error = _load_broken(tmp_path, data)
    assert "agents[0].tools[1]" in str(error)
    assert "unknown tool 'check_stok' (did you mean 'check_stock'?)" in str(error)


def test_a_duplicate_agent(tmp_path: Path) -> None:
    data = _minimal()
    data["agents"].append(data["agents"][0])
    error = _load_broken(tmp_path, data)
    assert "agents[1].name" in str(error) and "duplicate agent name 'orders'" in str(error)


def test_a_template_naming_an_unknown_field(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["reply"] = "Order {order_ref} is {stauts}."
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].reply" in str(error)
    assert "{stauts} is not a slot or fact of this skill" in str(error)


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("Order {order_ref is late", "not a valid template"),
        ("Order {0}", "is not a plain name"),
        ("Order {order_ref.upper}", "is not a plain name"),
        ("Order {order_ref:>10}", "format spec"),
        ("Order **{order_ref}**", "Markdown bold"),
        ("| order | status |\n|---|---|", "Markdown table"),
        ("See [our policy](https://x.example)", "Markdown link"),
    ],
)
def test_a_bad_template(tmp_path: Path, reply: str, problem: str) -> None:
    data = _minimal()
    _skill(data)["reply"] = reply
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].reply" in str(error)
    assert problem in str(error)


def test_a_yaml_syntax_error_gives_its_line(tmp_path: Path) -> None:
    text = TEAM_FILE.read_text().replace("  - name: support\n", "  - name: support\n    bad: [unclosed\n", 1)
    line = text.splitlines().index("    bad: [unclosed") + 1
    error = _load_broken(tmp_path, text)
    assert "YAML syntax error" in str(error)
    assert f"line {line}" in str(error) or f"line {line + 1}" in str(error)
    assert error.problems[0].line in (line, line + 1)


def test_an_unknown_field_names_its_line(tmp_path: Path) -> None:
    text = "name: T\nsupervisor:\n  instructions: x\n  models: [local]\n  modles: [local]\nagents: []\n"
    error = _load_broken(tmp_path, text)
    problems = {p.location: p for p in error.problems}
    assert problems["supervisor.modles"].line == 5
    assert "is not a field here" in problems["supervisor.modles"].message
    assert "agents" in problems


def test_a_missing_field_and_a_bad_slot_type(tmp_path: Path) -> None:
    data = _minimal()
    del data["agents"][0]["description"]
    _skill(data)["slots"][0]["type"] = "order_number"
    error = _load_broken(tmp_path, data)
    locations = {p.location: p.message for p in error.problems}
    assert locations["agents[0].description"] == "is required"
    assert "Input should be 'order_ref'" in locations["agents[0].skills[0].slots[0].type"]


def test_too_few_examples(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["examples"] = ["where is my order", "track it"]
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].examples" in str(error) and "at least 3" in str(error)


def test_a_model_chain_without_local(tmp_path: Path) -> None:
    data = _minimal()
    data["agents"][0]["models"] = ["openai:gpt-4o-mini"]
    error = _load_broken(tmp_path, data)
    assert "agents[0].models" in str(error) and "must end with 'local'" in str(error)


def test_models_after_local_are_flagged(tmp_path: Path) -> None:
    data = _minimal()
    data["agents"][0]["models"] = ["local", "openai:gpt-4o-mini"]
    error = _load_broken(tmp_path, data)
    assert [(p.location, p.message) for p in error.problems] == [
        ("agents[0].models[1]", "models after 'local' are never tried")
    ]


def test_a_required_slot_needs_a_question(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["ask"] = {}
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].slots[0]" in str(error) and "needs a question" in str(error)


def test_an_unknown_reply_outcome(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["replies"] = {"notfound": "No such order."}
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].replies.notfound" in str(error)
    assert "unknown outcome 'notfound' (did you mean 'not_found'?)" in str(error)


def test_summary_is_for_skills_with_a_tool(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["reply"] = "{summary}"
    assert parse_team(yaml.safe_dump(data), source="ok").name == "Test"
    del _skill(data)["tool"], _skill(data)["facts"]
    error = _load_broken(tmp_path, data)
    assert "{summary} is not a slot or fact of this skill" in str(error)


def test_a_side_effect_without_a_confirmation_prompt(tmp_path: Path) -> None:
    data = _minimal()
    _skill(data)["confirm"] = True
    error = _load_broken(tmp_path, data)
    assert "agents[0].skills[0].confirm_prompt" in str(error)


def test_the_same_example_in_two_skills(tmp_path: Path) -> None:
    data = _minimal()
    copy = dict(_skill(data), name="order_status_again")
    data["agents"][0]["skills"].append(copy)
    error = _load_broken(tmp_path, data)
    first = error.problems[0]
    assert first.location == "agents[0].skills[1].examples[0]"
    assert first.message == "the same example is already at agents[0].skills[0].examples[0]"


def test_a_key_given_twice(tmp_path: Path) -> None:
    error = _load_broken(tmp_path, "name: A\nname: B\nsupervisor: {}\nagents: []\n")
    assert "name (line 2): this key is given twice" in str(error)


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    error = _load_broken(tmp_path, "- just\n- a list\n")
    assert "must be a mapping" in str(error)


def test_a_missing_file() -> None:
    with pytest.raises(ConfigurationError, match="cannot read the team file"):
        load_team("/nonexistent/team.yaml")


def test_parse_team_names_its_source() -> None:
    with pytest.raises(TeamError, match=r"^admin UI: invalid team"):
        parse_team("name: [", source="admin UI")


# -- helpers


def test_template_fields() -> None:
    assert template_fields("Order *{order_ref}* is {status}; {{literal}}") == ("order_ref", "status")


def test_format_path() -> None:
    assert format_path(("agents", 2, "skills", 0, "tool")) == "agents[2].skills[0].tool"
    assert format_path(()) == ""
