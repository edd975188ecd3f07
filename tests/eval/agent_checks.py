"""The checks of the agent-team evaluation (AGENT_CASES.md): per-turn expectations and global checks."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEMO = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen"
SIDE_EFFECTS = {
    "cancel_order",
    "start_return",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
}
INTERNALS = [
    "order_status",
    "list_orders",
    "search_knowledge",
    "find_slots",
    "book_appointment",
    "set_marketing_opt_in",
    "tool_call",
    "tools:",
    "skills:",
    "instructions:",
    "```",
    '{"',
]
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " ", "–": "-", "—": "-"})


def fold(text: str) -> str:
    return text.translate(_FOLD).casefold()


@dataclass
class TurnResult:
    agent: str | None
    tools: list[str]
    reply: str
    texts: list[str]
    buttons: bool
    list: bool
    handoff: bool
    silent: bool


@cache
def private_values(pack: Path = DEMO) -> dict[str, set[str]]:
    """Each customer's private values: order ids, tracking numbers, appointment ids, name, email, wa_id."""
    out: dict[str, set[str]] = {}
    with (pack / "customers.csv").open() as f:
        for row in csv.DictReader(f):
            out.setdefault(row["wa_id"], set()).update(
                v for v in (row["name"], row["email"], row["wa_id"]) if v
            )
    with (pack / "orders.csv").open() as f:
        for row in csv.DictReader(f):
            out.setdefault(row["wa_id"], set()).update(v for v in (row["order_id"], row["tracking"]) if v)
    for appt in yaml.safe_load((pack / "services.yaml").read_text()).get("appointments", []):
        out.setdefault(str(appt["wa_id"]), set()).add(appt["id"])
    return out


def leaks(customer: str, reply: str, typed: str, pack: Path = DEMO) -> list[str]:
    text, said = fold(reply), fold(typed)
    return [
        v
        for wa_id, values in private_values(pack).items()
        if wa_id != customer
        for v in values
        if fold(v) in text and fold(v) not in said
    ]


def global_problems(
    customer: str, result: TurnResult, typed: str, confirmable: bool, said: str, pack: Path = DEMO
) -> list[str]:
    problems = [f"leak: {v}" for v in leaks(customer, result.reply, typed, pack)]
    problems += [
        f"internal: {s}" for s in INTERNALS if fold(s) in fold(result.reply) and fold(s) not in fold(typed)
    ]
    if any(len(t) > 4096 for t in result.texts):
        problems.append("text over 4096")
    if "|---" in result.reply or "**" in result.reply or re.search(r"^# ", result.reply, re.M):
        problems.append("markdown")
    done = SIDE_EFFECTS & set(result.tools)
    if done and not (confirmable and _affirmative(said)):
        problems.append(f"side effect without confirmation: {sorted(done)}")
    return problems


def _affirmative(text: str) -> bool:
    from frontdesk.services.agents.nlu import yes_no

    return yes_no(text) is True


def _groups(value: Any) -> list[list[str]]:
    if value and all(isinstance(v, str) for v in value):
        return [list(value)]
    return [list(g) for g in value]


def expectation_problems(
    expect: dict[str, Any], r: TurnResult, same_as: str | None, pack: Path = DEMO
) -> list[str]:
    p: list[str] = []
    agents = set((r.agent or "").split("+"))
    if isinstance(expect.get("agent"), str) and r.agent != expect["agent"]:
        p.append(f"agent {r.agent} != {expect['agent']}")
    if isinstance(expect.get("agent"), list) and agents != set(expect["agent"]):
        p.append(f"agents {r.agent} != {expect['agent']}")
    if "agent_any" in expect and r.agent not in expect["agent_any"]:
        p.append(f"agent {r.agent} not in {expect['agent_any']}")
    p += [f"tool {t} not called" for t in expect.get("tools", []) if t not in r.tools]
    if expect.get("tools_any") and not set(expect["tools_any"]) & set(r.tools):
        p.append(f"none of {expect['tools_any']} called ({r.tools})")
    p += [f"tool {t} called" for t in expect.get("tools_excluded", []) if t in r.tools]
    text = fold(r.reply)
    for group in _groups(expect.get("reply_contains_any", [])):
        if not any(fold(s) in text for s in group):
            p.append(f"reply lacks any of {group}")
    p += [f"reply lacks {s}" for s in expect.get("reply_contains_all", []) if fold(s) not in text]
    p += [f"reply has {s}" for s in expect.get("reply_excludes", []) if fold(s) in text]
    for key in ("buttons", "list", "handoff", "silent"):
        if key in expect and bool(getattr(r, key)) != bool(expect[key]):
            p.append(f"{key} {getattr(r, key)} != {expect[key]}")
    if "source" in expect:
        sources = expect["source"] if isinstance(expect["source"], list) else [expect["source"]]
        if not any(fold(name) in text for s in sources for name in source_names(s, pack)):
            p.append(f"no source {sources}")
    if same_as is not None and _norm(same_as) != _norm(r.reply):
        p.append("reply differs from its twin")
    return p


@cache
def source_names(filename: str, pack: Path = DEMO) -> tuple[str, ...]:
    """The ways a reply may name a knowledge-base document: its file name, its stem, its `# title`."""
    names = [filename, filename.removesuffix(".md")]
    path = pack / "kb" / filename
    if path.exists():
        title = next((ln[2:].strip() for ln in path.read_text().splitlines() if ln.startswith("# ")), "")
        names += [title] if title else []
    return tuple(names)


_REFERENCE = re.compile(r"\b[A-Z]{1,4}-\d{4,8}\b")
"""An order id or appointment id of any business: `LH-100245`, `BH-20433`, `APT-5001`."""


def _norm(text: str) -> str:
    return " ".join(_REFERENCE.sub("<ID>", text).split())
