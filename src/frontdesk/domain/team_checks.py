"""What refers to what in a team: each problem named by its path in the team file.

`team_problems` lists them (`Team` runs it while validating, with the known tool names from the
validation context); `validate_team` raises `TeamError` with them, e.g. once the tool registry is known.
"""

from __future__ import annotations

from collections.abc import Collection
from difflib import get_close_matches
from typing import TYPE_CHECKING

from frontdesk.domain.team_terms import (
    HANDOFF_TOOL,
    LOCAL_MODEL,
    REPLY_OUTCOMES,
    RESULT_FIELDS,
    SUPERVISOR,
    TEMPLATE_GLOBALS,
    Path,
    TeamError,
    TeamProblem,
    format_path,
    template_fields,
)

if TYPE_CHECKING:  # the models run these checks while validating, so only their types are needed here
    from frontdesk.domain.team import Skill, Supervisor, Team


def validate_team(team: Team, known_tools: Collection[str]) -> None:
    """Raise `TeamError` unless every tool the team names is one of `known_tools` (plus `handoff`)."""
    problems = team_problems(team, known_tools=known_tools)
    if problems:
        raise TeamError(problems)


def team_problems(team: Team, *, known_tools: Collection[str] | None = None) -> list[TeamProblem]:
    """Everything wrong between the parts of a team; tool names are checked when `known_tools` is given."""
    tools = None if known_tools is None else frozenset(known_tools) | {HANDOFF_TOOL}
    problems = _supervisor_problems(team.supervisor, ("supervisor",), tools)
    seen: dict[str, int] = {}
    for index, agent in enumerate(team.agents):
        path: Path = ("agents", index)
        if agent.name == SUPERVISOR:
            problems.append(TeamProblem((*path, "name"), f"{SUPERVISOR!r} is reserved for the supervisor"))
        elif agent.name in seen:
            message = f"duplicate agent name {agent.name!r} (also agents[{seen[agent.name]}])"
            problems.append(TeamProblem((*path, "name"), message))
        seen.setdefault(agent.name, index)
        problems += _owner_problems(agent.tools, agent.models, agent.skills, path, tools)
    return problems + _duplicate_examples(team)


def _duplicate_examples(team: Team) -> list[TeamProblem]:
    """The same phrasing under two skills (case and spacing aside) would teach the brain both."""
    first: dict[str, str] = {}
    problems = []
    owners: list[tuple[Path, tuple[Skill, ...]]] = [(("supervisor",), team.supervisor.skills)]
    owners += [(("agents", index), agent.skills) for index, agent in enumerate(team.agents)]
    for owner_path, skills in owners:
        for s_index, skill in enumerate(skills):
            for e_index, example in enumerate(skill.examples):
                key = " ".join(example.lower().split())
                path: Path = (*owner_path, "skills", s_index, "examples", e_index)
                if key in first:
                    problems.append(TeamProblem(path, f"the same example is already at {first[key]}"))
                else:
                    first[key] = format_path(path)
    return problems


def _supervisor_problems(
    supervisor: Supervisor, path: Path, tools: frozenset[str] | None
) -> list[TeamProblem]:
    problems = _owner_problems(supervisor.tools, supervisor.models, supervisor.skills, path, tools)
    problems += _template_problems(supervisor.not_understood, set(), (*path, "not_understood"))
    problems += _template_problems(supervisor.handoff.reply, set(), (*path, "handoff", "reply"))
    return problems


def _owner_problems(
    own_tools: tuple[str, ...],
    models: tuple[str, ...],
    skills: tuple[Skill, ...],
    path: Path,
    known: frozenset[str] | None,
) -> list[TeamProblem]:
    """Problems of an agent (or the supervisor): its tools, its model chain and its skills."""
    problems = _tool_list_problems(own_tools, (*path, "tools"), known)
    problems += _model_problems(models, (*path, "models"))
    seen: set[str] = set()
    for index, skill in enumerate(skills):
        skill_path: Path = (*path, "skills", index)
        if skill.name in seen:
            problems.append(TeamProblem((*skill_path, "name"), f"duplicate skill name {skill.name!r}"))
        seen.add(skill.name)
        if skill.tool is not None and skill.tool not in own_tools:
            message = f"tool {skill.tool!r} is not in this agent's tools ({', '.join(own_tools)})"
            problems.append(TeamProblem((*skill_path, "tool"), message))
        problems += skill_problems(skill, skill_path)
    return problems


def _tool_list_problems(
    tools: tuple[str, ...], path: Path, known: frozenset[str] | None
) -> list[TeamProblem]:
    problems: list[TeamProblem] = []
    for index, tool in enumerate(tools):
        if known is not None and tool not in known:
            problems.append(TeamProblem((*path, index), f"unknown tool {tool!r}{_suggestion(tool, known)}"))
        if tool in tools[:index]:
            problems.append(TeamProblem((*path, index), f"tool {tool!r} is listed twice"))
    return problems


def _suggestion(name: str, known: Collection[str]) -> str:
    close = get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _model_problems(models: tuple[str, ...], path: Path) -> list[TeamProblem]:
    if LOCAL_MODEL not in models:
        return [TeamProblem(path, f"the model chain must end with {LOCAL_MODEL!r}, the offline brain")]
    last = models.index(LOCAL_MODEL)
    if last != len(models) - 1:
        return [TeamProblem((*path, last + 1), f"models after {LOCAL_MODEL!r} are never tried")]
    return []


def skill_problems(skill: Skill, path: Path) -> list[TeamProblem]:
    """What is inconsistent inside one skill: slots, questions, templates, confirmation, facts."""
    slots = [slot.name for slot in skill.slots]
    problems = [
        TeamProblem((*path, "slots", index, "name"), f"duplicate slot name {name!r}")
        for index, name in enumerate(slots)
        if name in slots[:index]
    ]
    problems += _ask_problems(skill, path)
    problems += _tool_use_problems(skill, path)
    reply_names = {*slots, *skill.facts, *(RESULT_FIELDS if skill.tool else ())}
    problems += _template_problems(skill.reply, reply_names, (*path, "reply"))
    for outcome, template in skill.replies.items():
        if outcome not in REPLY_OUTCOMES:
            message = f"unknown outcome {outcome!r}{_suggestion(outcome, REPLY_OUTCOMES)}"
            problems.append(TeamProblem((*path, "replies", outcome), message))
        problems += _template_problems(template, reply_names, (*path, "replies", outcome))
    if skill.confirm_prompt is not None:
        problems += _template_problems(skill.confirm_prompt, set(slots), (*path, "confirm_prompt"))
    return problems


def _ask_problems(skill: Skill, path: Path) -> list[TeamProblem]:
    names = {slot.name for slot in skill.slots}
    problems = [
        TeamProblem((*path, "ask", key), f"no slot called {key!r} to ask for")
        for key in skill.ask
        if key not in names
    ]
    for index, slot in enumerate(skill.slots):
        if slot.required and slot.name not in skill.ask:
            message = f"required slot {slot.name!r} needs a question in `ask` for when it is missing"
            problems.append(TeamProblem((*path, "slots", index), message))
    return problems


def _tool_use_problems(skill: Skill, path: Path) -> list[TeamProblem]:
    problems: list[TeamProblem] = []
    if skill.tool is None:
        for field in ("facts", "args", "replies"):
            if getattr(skill, field):
                problems.append(TeamProblem((*path, field), "only a skill with a tool can have this"))
        if skill.confirm:
            problems.append(TeamProblem((*path, "confirm"), "there is no tool call to confirm"))
    if skill.confirm and skill.confirm_prompt is None:
        problems.append(
            TeamProblem((*path, "confirm_prompt"), "a skill that confirms needs a confirm_prompt")
        )
    for key in skill.args:
        if skill.slot(key) is not None:
            problems.append(TeamProblem((*path, "args", key), f"{key!r} is both a fixed argument and a slot"))
    return problems


def _template_problems(template: str, names: Collection[str], path: Path) -> list[TeamProblem]:
    """Names the template uses that are neither in `names` nor global."""
    unknown = [
        name for name in template_fields(template) if name not in names and name not in TEMPLATE_GLOBALS
    ]
    return [
        TeamProblem(path, f"{{{name}}} is not a slot or fact of this skill")
        for name in dict.fromkeys(unknown)
    ]
