"""Evaluate the agent team with the offline `local` brain over tests/eval/agent_cases.yaml.

    PYTHONPATH=. python tests/eval/agent_eval.py [--failures] [--only PREFIX]

Each case runs on a freshly seeded SQLite store (business data and the demo's knowledge base, searched
by the real knowledge service) with the clock at the cases' `now`. Prints routing
accuracy, task success, cross-customer leaks, and the figures per area and per tag. A side-effect
tool counts as called only when it ran confirmed (an unconfirmed call is the tool's dry run that
checks the request and words the confirmation question; it changes nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.domain.outbound import Buttons, ListMessage, Text
from tests.eval.agent_checks import (
    SIDE_EFFECTS,
    TurnResult,
    expectation_problems,
    global_problems,
)
from tests.support.agents import Agents, FakeKnowledge
from tests.support.team import Chat, build_responder, demo_knowledge, reply_text
from tests.unit.conftest import FakeClock

CASES = Path(__file__).with_name("agent_cases.yaml")


async def run_case(case: dict[str, Any], now: datetime, tmp: Path) -> list[TurnResult]:
    clock = FakeClock(now)
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{tmp / (case['id'] + '.db')}"))
    await upgrade(store.engine)
    await seed_business(store, now=clock.now())
    knowledge = None
    try:
        agents = Agents(store, clock, SqlBusinessData(store), SqlMessageSearch(store), FakeKnowledge())
        knowledge = await demo_knowledge(store, clock, (await agents.ctx(str(case["customer"]))).tenant)
        agents = replace(agents, knowledge=knowledge)
        responder, ctx = await build_responder(agents, str(case["customer"]))
        chat = Chat(responder, ctx, clock.now, store=agents)
        return [await _turn(chat, str(t["say"]), clock) for t in case["turns"]]
    finally:
        if knowledge is not None:
            knowledge.close()
        await store.dispose()


async def _turn(chat: Chat, text: str, clock: FakeClock) -> TurnResult:
    clock.advance(seconds=20)
    if chat.handed_off:
        return TurnResult(None, [], "", [], False, False, True, True)
    outcome = await chat.say(text)
    msgs = outcome.messages
    tools = [t["name"] for t in outcome.tools if t["name"] not in SIDE_EFFECTS or t.get("confirmed")]
    return TurnResult(
        agent=outcome.agent,
        tools=tools,
        reply=reply_text(msgs),
        texts=[m.body for m in msgs if isinstance(m, Text)],
        buttons=any(isinstance(m, Buttons) for m in msgs),
        list=any(isinstance(m, ListMessage) for m in msgs),
        handoff=chat.handed_off,
        silent=not msgs,
    )


def judge(case: dict[str, Any], results: list[TurnResult], replies: dict[str, list[str]]) -> list[list[str]]:
    out, said, confirmable = [], "", False
    for turn, result in zip(case["turns"], results, strict=True):
        said += "\n" + str(turn["say"])
        expect = turn.get("expect") or {}
        twin = expect.get("reply_same_as")
        index = len(out)
        same = replies.get(twin, [None] * (index + 1))[index] if twin else None
        problems = expectation_problems(expect, result, same)
        problems += global_problems(str(case["customer"]), result, said, confirmable, str(turn["say"]))
        confirmable = result.buttons
        out.append(problems)
    return out


async def main(args: argparse.Namespace) -> None:
    data = yaml.safe_load(CASES.read_text())
    now = datetime.fromisoformat(data["now"]).replace(tzinfo=ZoneInfo(data["timezone"]))
    cases = [c for c in data["cases"] if c["id"].startswith(args.only or "")]
    results: dict[str, list[TurnResult]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            results[case["id"]] = await run_case(case, now, Path(tmp))
    replies = {cid: [r.reply for r in rs] for cid, rs in results.items()}
    report(cases, results, replies, failures=args.failures)


def report(
    cases: list[dict[str, Any]],
    results: dict[str, list[TurnResult]],
    replies: dict[str, list[str]],
    *,
    failures: bool,
) -> None:
    routed = routed_ok = passed = leaks = 0
    areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tags: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failing: list[str] = []
    for case in cases:
        problems = judge(case, results[case["id"]], replies)
        for turn, _result, probs in zip(case["turns"], results[case["id"]], problems, strict=True):
            expect = turn.get("expect") or {}
            if "agent" in expect or "agent_any" in expect:
                routed += 1
                routed_ok += not any(p.startswith("agent") for p in probs)
            leak_tagged = "leak-attempt" in case.get("tags", []) and any(
                p.startswith(("reply has", "reply differs")) for p in probs
            )
            leaks += any(p.startswith("leak") for p in probs) or leak_tagged
        ok = not any(problems)
        passed += ok
        for bucket in (areas[case["area"]], *(tags[t] for t in case.get("tags", []))):
            bucket[0] += ok
            bucket[1] += 1
        if not ok:
            failing.append(_failure(case, results[case["id"]], problems))
    print(
        f"cases {len(cases)}  routing {routed_ok}/{routed} = {routed_ok / max(routed, 1):.1%}  "
        f"task success {passed}/{len(cases)} = {passed / max(len(cases), 1):.1%}  leaks {leaks}"
    )
    print("per area: " + ", ".join(f"{a} {ok}/{n}" for a, (ok, n) in sorted(areas.items())))
    print("per tag:  " + ", ".join(f"{t} {ok}/{n}" for t, (ok, n) in sorted(tags.items())))
    if failures:
        print("\n".join(failing))


def _failure(case: dict[str, Any], results: list[TurnResult], problems: list[list[str]]) -> str:
    lines = [f"\n✗ {case['id']}"]
    for turn, result, probs in zip(case["turns"], results, problems, strict=True):
        mark = "  " if not probs else "! "
        lines.append(f"  {mark}{turn['say']!r} -> [{result.agent}] {result.tools}")
        if probs:
            lines.append("      " + "; ".join(probs))
            lines.append("      reply: " + result.reply.replace("\n", " ⏎ ")[:300])
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the failing cases")
    parser.add_argument("--only", help="only the cases whose id starts with this")
    asyncio.run(main(parser.parse_args()))
