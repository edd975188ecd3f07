"""An agent team as declared in a team file (`teams/*.yaml`): a supervisor and domain agents.

The models check each value on its own (names, template syntax, WhatsApp formatting);
`team_checks.team_problems` checks what refers to what (a skill's tool is one of its agent's tools, a
template names only known slots and facts, ...) and names each problem by its path in the file, e.g.
`agents[2].skills[0].tool`. `Team` runs those checks itself, with the known tool names when the
validation context has them (`Team.model_validate(data, context={"known_tools": names})`), and
raises `TeamError`.

Reply templates are `str.format` templates restricted to plain names (`{order_ref}`, never `{0}`,
`{a.b}`, `{a[0]}` or `{a:>5}`): the dialogue manager fills them from the skill's slots, the tool
result's `summary` and facts, and `TEMPLATE_GLOBALS`. They use WhatsApp formatting (`*bold*`,
`_italic_`, lists), never Markdown (`**bold**`, `# headings`, tables, `[links](...)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import Formatter
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, model_validator

from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.models import Frozen

LOCAL_MODEL = "local"
"""The offline brain: the last model of every fallback chain."""

HANDOFF_TOOL = "handoff"
"""Hands the conversation to staff; every agent and the supervisor may use it."""

SUPERVISOR = "supervisor"
"""The supervisor's name where an agent's name is expected (its skills: greetings, handoff, ...)."""

OFF_TOPIC = "off_topic"
"""A supervisor skill by this name holds examples of what the team does not do (weather, jokes, ...):
a message closest to them is not understood, however confident the match."""

TEMPLATE_GLOBALS = frozenset({"contact_name", "business_name", "agent_name"})
"""Names every template may use besides its skill's slots and facts."""

RESULT_FIELDS = frozenset({"summary"})
"""What every tool result gives the replies of a skill that calls it: `summary`, the tool's own text."""

REPLY_OUTCOMES = frozenset(
    {"not_found", "not_allowed", "invalid_arguments", "missing_info", "conflict", "empty", "declined"}
)
"""Keys of `Skill.replies`: a tool's error, `empty` (it found nothing), `declined` (the customer said no)."""

SlotType = Literal[
    "order_ref",
    "sku",
    "product",
    "date",
    "time",
    "datetime",
    "city",
    "quantity",
    "yes_no",
    "text",
    "email",
    "service",
    "appointment_ref",
]

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
"""A lower-case identifier: agent, skill, slot and fact names (usable as a template field)."""

ModelId = Annotated[str, StringConstraints(pattern=r"^(local|[a-z0-9_-]+:\S+)$")]
"""`local` or `provider:model`, e.g. `openai:gpt-4o-mini`."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_MARKDOWN = (
    (re.compile(r"\*\*"), "uses Markdown bold (**...**); WhatsApp bold is *...*"),
    (re.compile(r"^\s*#{1,6}\s", re.MULTILINE), "uses a Markdown heading (#); WhatsApp has none"),
    (re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE), "uses a Markdown table; WhatsApp cannot show tables"),
    (re.compile(r"\[[^\]]+\]\([^)]+\)"), "uses a Markdown link [..](..); write the URL itself"),
)


def template_fields(template: str) -> tuple[str, ...]:
    """The names a reply template refers to, in order; `ValueError` if it is not a plain-name template."""
    names: list[str] = []
    try:
        parts = list(Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"not a valid template: {exc} (write a literal brace as {{{{ or }}}})") from None
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"{{{field}}} is not a plain name (write {{name}}; escape braces as {{{{ }}}})")
        if spec or conversion:
            raise ValueError(f"{{{field}}} has a format spec or conversion; templates take plain names only")
        names.append(field)
    return tuple(names)


def _check_template(template: str) -> str:
    template_fields(template)
    for pattern, problem in _MARKDOWN:
        if pattern.search(template):
            raise ValueError(problem)
    return template


Template = Annotated[str, StringConstraints(min_length=1), AfterValidator(_check_template)]


class Slot(Frozen):
    """A value a skill needs: extracted from the message, or the conversation when `from_context`."""

    name: Name
    type: SlotType
    required: bool = True
    from_context: bool = False
    many: bool = False
    """Several values (e.g. the two to three products to compare)."""


class Skill(Frozen):
    """One thing an agent can do with the offline brain: phrasings, slots, a tool call, a reply."""

    name: Name
    description: str = ""
    examples: tuple[Text, ...] = Field(min_length=3)
    slots: tuple[Slot, ...] = ()
    tool: str | None = None
    args: dict[str, str | int | float | bool] = {}
    """Fixed tool arguments besides the slots (e.g. `opt_in: false`)."""
    facts: tuple[Name, ...] = ()
    """Top-level facts of the tool's result the reply templates use (`summary` needs no declaring)."""
    reply: Template
    replies: dict[str, Template] = {}
    """Replies for other outcomes (`REPLY_OUTCOMES`: the tool's errors, `empty`, `declined`)."""
    confirm: bool = False
    """The tool has side effects: ask `confirm_prompt` and run it only after an explicit yes."""
    confirm_prompt: Template | None = None
    """The question when the tool does not ask one itself (tools that need a yes return their own)."""
    ask: dict[str, Text] = {}
    """The question to ask for each slot, when it is missing."""

    def slot(self, name: str) -> Slot | None:
        """The slot called `name`, if the skill has one."""
        return next((slot for slot in self.slots if slot.name == name), None)


class HandoffPolicy(Frozen):
    """When the supervisor hands a conversation to staff."""

    max_misunderstandings: int = Field(default=2, ge=1)
    keywords: tuple[Text, ...] = ("human", "real person", "agent", "staff", "someone real", "manager")
    reply: Template = "I've passed this conversation to our team; someone will reply here soon."


class Supervisor(Frozen):
    """Routes messages to agents; its own skills cover greetings, thanks and asking for a person."""

    instructions: Text
    models: tuple[ModelId, ...] = Field(min_length=1)
    handoff: HandoffPolicy = HandoffPolicy()
    not_understood: Template = "Sorry, I didn't get that. Could you say it another way?"
    tools: tuple[str, ...] = (HANDOFF_TOOL,)
    skills: tuple[Skill, ...] = ()


class Agent(Frozen):
    """A domain agent: what it is for, how it behaves, the tools it may call, its models and skills."""

    name: Name
    description: Text
    instructions: Text
    tools: tuple[str, ...] = Field(min_length=1)
    models: tuple[ModelId, ...] = Field(min_length=1)
    skills: tuple[Skill, ...] = ()

    def skill(self, name: str) -> Skill | None:
        """The skill called `name`, if the agent has one."""
        return next((skill for skill in self.skills if skill.name == name), None)


class Team(Frozen):
    """A supervisor and its agents. Validating one checks every cross-reference (see `team_problems`)."""

    name: Text
    supervisor: Supervisor
    agents: tuple[Agent, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self, info: ValidationInfo) -> Team:
        from frontdesk.domain.team_checks import team_problems  # imported here: it imports this module

        context: Any = info.context or {}
        problems = team_problems(self, known_tools=context.get("known_tools"))
        if problems:
            raise TeamError(problems)
        return self

    def agent(self, name: str) -> Agent | None:
        """The agent called `name`, if the team has one."""
        return next((agent for agent in self.agents if agent.name == name), None)

    def skills(self) -> Iterator[tuple[str, Skill]]:
        """Every skill with its owner's name, the supervisor's (as `SUPERVISOR`) first."""
        for skill in self.supervisor.skills:
            yield SUPERVISOR, skill
        for agent in self.agents:
            for skill in agent.skills:
                yield agent.name, skill


Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class TeamProblem:
    """One thing wrong in a team, and where: `path` leads from the file's top to the bad value."""

    path: Path
    message: str
    line: int | None = None
    """1-based line in the file, when the problem came from one."""

    @property
    def location(self) -> str:
        """The path written as in the file's terms, e.g. `agents[2].skills[0].tool`."""
        return format_path(self.path)

    def __str__(self) -> str:
        where = self.location + (f" (line {self.line})" if self.line else "")
        if not self.path:
            where = f"line {self.line}" if self.line else ""
        return f"{where}: {self.message}" if where else self.message


def format_path(path: Iterable[str | int]) -> str:
    """`("agents", 2, "tools", 0)` as `agents[2].tools[0]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class TeamError(ConfigurationError):
    """A team is invalid; `problems` says what and where, `source` which file (when it came from one)."""

    def __init__(self, problems: Iterable[TeamProblem], *, source: str | None = None):
        self.problems = tuple(problems)
        self.source = source
        lines = [f"  {problem}" for problem in self.problems]
        count = len(self.problems)
        head = f"{source}: " if source else ""
        super().__init__(f"{head}invalid team ({count} problem{'s' * (count != 1)}):\n" + "\n".join(lines))
