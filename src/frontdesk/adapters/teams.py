"""Reads team files (YAML) into `Team`s; errors name the file, the path inside it, the line and the problem.

Two teams ship inside the package, because `teams/` is not part of an installed wheel, each a copy of the
repository's file kept equal by a test: `DEFAULT_TEAM` (`teams/default.yaml`), which serves every
business without a team of its own, and `DEMO_TEAM` (`teams/lumen.yaml`), the demo business's
`team.yaml`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from frontdesk.domain.team import Team, TeamError, TeamProblem

DEFAULT_TEAM = Path(__file__).resolve().parents[1] / "teams" / "default.yaml"
"""The packaged copy of `teams/default.yaml`: the team of every business without one of its own (names no
business: its name, prices, hours and policies come from the tenant's data and knowledge base)."""
DEMO_TEAM = Path(__file__).resolve().parents[1] / "demo_data" / "lumen" / "team.yaml"
"""The packaged copy of `teams/lumen.yaml`: the demo business's own team (its pack's `team.yaml`)."""

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field here (check the spelling and the indentation)",
}


def load_team(path: Path | str, *, known_tools: Collection[str] | None = None) -> Team:
    """Read and validate a team file; `TeamError` (a `ConfigurationError`) if it cannot be used.

    With `known_tools`, every tool the team names must be one of them (`handoff` always is).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TeamError([TeamProblem((), f"cannot read the team file: {exc}")], source=str(path)) from exc
    return parse_team(text, source=str(path), known_tools=known_tools)


def parse_team(text: str, *, source: str, known_tools: Collection[str] | None = None) -> Team:
    """Validate a team given as YAML text; `source` names it in errors (a file name, "admin UI", ...)."""
    root = _compose(text, source)
    problems = list(_duplicate_keys(root))
    data: Any = yaml.safe_load(text) if root is not None else None
    if not isinstance(data, dict):
        problems.append(TeamProblem((), "a team file must be a mapping with name, supervisor and agents", 1))
    if problems:
        raise TeamError(problems, source=source)
    context = {"known_tools": known_tools} if known_tools is not None else None
    try:
        return Team.model_validate(data, context=context)
    except ValidationError as exc:
        raise TeamError([_problem(error, data, root) for error in exc.errors()], source=source) from None
    except TeamError as exc:
        located = [TeamProblem(p.path, p.message, _line(root, p.path)) for p in exc.problems]
        raise TeamError(located, source=source) from None


def _compose(text: str, source: str) -> yaml.Node | None:
    """The YAML node tree (it knows the lines); a syntax error becomes a `TeamError` with its line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f", column {mark.column + 1}" if mark is not None else ""
        problem = f"YAML syntax error{column}: {exc.problem or exc.context}"
        raise TeamError([TeamProblem((), problem, line)], source=source) from None
    except yaml.YAMLError as exc:
        raise TeamError([TeamProblem((), f"YAML error: {exc}")], source=source) from None


def _duplicate_keys(node: yaml.Node | None, path: tuple[str | int, ...] = ()) -> Iterator[TeamProblem]:
    """Keys given twice in one mapping (YAML would silently keep the last one)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                yield TeamProblem((*path, name), "this key is given twice", key.start_mark.line + 1)
            seen.add(name)
            yield from _duplicate_keys(value, (*path, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*path, index))


def _problem(error: ErrorDetails, data: Any, root: yaml.Node | None) -> TeamProblem:
    """A Pydantic error as a problem: the path as it exists in the file, and a plain message."""
    path = _data_path(data, error["loc"], missing=error["type"] == "missing")
    message = _MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    return TeamProblem(path, message, _line(root, path))


def _data_path(data: Any, loc: Sequence[str | int], *, missing: bool) -> tuple[str | int, ...]:
    """The longest prefix of `loc` that exists in the data (Pydantic adds type tags such as `str`)."""
    path: list[str | int] = []
    for index, part in enumerate(loc):
        in_dict = isinstance(data, dict) and part in data
        if in_dict or (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)):
            data = data[part]
        else:
            if missing and index == len(loc) - 1:
                path.append(part)
            break
        path.append(part)
    return tuple(path)


def _line(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node along `path` (a key's line for a mapping entry)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for part in path:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == part), None)
            if entry is None:
                break
            line, node = entry[0].start_mark.line + 1, entry[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the value at `path` in the team YAML `text` (None if it cannot be read)."""
    try:
        return _line(yaml.compose(text, Loader=yaml.SafeLoader), path)
    except yaml.YAMLError:
        return None
