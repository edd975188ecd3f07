"""The words a team file is checked in: reserved names, what templates may use, and problems.

Kept apart from `team` (the models) so that `team_checks`, which the models run while validating,
needs nothing of theirs at run time: no import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from string import Formatter

from frontdesk.domain.errors import ConfigurationError

LOCAL_MODEL = "local"
"""The offline brain: the last model of every fallback chain."""

HANDOFF_TOOL = "handoff"
"""Hands the conversation to staff; every agent and the supervisor may use it."""

SUPERVISOR = "supervisor"
"""The supervisor's name where an agent's name is expected (its skills: greetings, handoff, ...)."""

OFF_TOPIC = "off_topic"
"""A supervisor skill by this name holds examples of what the team does not do (weather, jokes, ...):
a message closest to them is not understood, however confident the match."""

TEMPLATE_GLOBALS = frozenset({"contact_name", "business_name", "agent_name", "opening_hours"})
"""Names every template may use besides its skill's slots and facts (`opening_hours`: the business's,
`Tue-Fri 9:00-19:00, Sat 9:00-16:00`, or `during opening hours` when it has none)."""

RESULT_FIELDS = frozenset({"summary"})
"""What every tool result gives the replies of a skill that calls it: `summary`, the tool's own text."""

REPLY_OUTCOMES = frozenset(
    {"not_found", "not_allowed", "invalid_arguments", "missing_info", "conflict", "empty", "declined"}
)
"""Keys of `Skill.replies`: a tool's error, `empty` (it found nothing), `declined` (the customer said no)."""


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
