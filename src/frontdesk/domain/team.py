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
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, model_validator

from frontdesk.domain.models import Frozen
from frontdesk.domain.team_checks import team_problems
from frontdesk.domain.team_terms import (
    HANDOFF_TOOL as HANDOFF_TOOL,
)
from frontdesk.domain.team_terms import (  # re-exported: the team's vocabulary
    LOCAL_MODEL as LOCAL_MODEL,
)
from frontdesk.domain.team_terms import (
    OFF_TOPIC as OFF_TOPIC,
)
from frontdesk.domain.team_terms import (
    REPLY_OUTCOMES as REPLY_OUTCOMES,
)
from frontdesk.domain.team_terms import (
    RESULT_FIELDS as RESULT_FIELDS,
)
from frontdesk.domain.team_terms import (
    SUPERVISOR as SUPERVISOR,
)
from frontdesk.domain.team_terms import (
    TEMPLATE_GLOBALS as TEMPLATE_GLOBALS,
)
from frontdesk.domain.team_terms import (
    Path as Path,
)
from frontdesk.domain.team_terms import (
    TeamError as TeamError,
)
from frontdesk.domain.team_terms import (
    TeamProblem as TeamProblem,
)
from frontdesk.domain.team_terms import (
    format_path as format_path,
)
from frontdesk.domain.team_terms import (
    template_fields as template_fields,
)

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
