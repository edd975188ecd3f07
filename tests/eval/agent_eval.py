"""Evaluate the agent team with the offline `local` brain over tests/eval/agent_cases.yaml (or `--cases`).

    PYTHONPATH=. python tests/eval/agent_eval.py [--cases FILE] [--failures] [--only PREFIX]

A case file may name its business pack (`pack:`, a folder relative to the repository; the demo's
otherwise) and its team (`team:`; otherwise the pack's `team.yaml`, else the default team
`teams/default.yaml`, as a tenant without a team of its own gets). Each case runs on a freshly seeded
SQLite store (the pack's business data as tenant `tenant:` and its knowledge base, searched by the real
knowledge service) with the clock at the cases' `now`. Prints routing
accuracy, task success, cross-customer leaks, and the figures per area and per tag. A side-effect
tool counts as called only when it ran confirmed (an unconfirmed call is the tool's dry run that
checks the request and words the confirmation question; it changes nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select, update

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import tenants
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain.outbound import Buttons, ListMessage, Text
from tests.eval.agent_checks import (
    DEMO,
    SIDE_EFFECTS,
    TurnResult,
    expectation_problems,
    global_problems,
)
from tests.support.agents import Agents, FakeKnowledge
from tests.support.team import Chat, build_responder, demo_knowledge, reply_text
from tests.unit.conftest import FakeClock

CASES = Path(__file__).with_name("agent_cases.yaml")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEAM_FILE = ROOT / "teams/default.yaml"


@dataclass(frozen=True)
class Business:
    """What a case file runs against: the pack, the tenant's slug, its WhatsApp number and its team."""

    pack: Path
    slug: str
    number: str
    team_file: Path

    @classmethod
    def of(cls, data: dict[str, Any]) -> Business:
        pack = ROOT / data["pack"] if data.get("pack") else DEMO
        own_team = pack / "team.yaml"
        team_file = (
            ROOT / data["team"] if data.get("team") else own_team if own_team.exists() else DEFAULT_TEAM_FILE
        )
        number = str(yaml.safe_load((pack / "business.yaml").read_text())["whatsapp"]["phone_number_id"])
        return cls(pack=pack, slug=str(data.get("tenant") or "lumen"), number=number, team_file=team_file)


async def run_case(case: dict[str, Any], now: datetime, tmp: Path, business: Business) -> list[TurnResult]:
    clock = FakeClock(now)
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{tmp / (case['id'] + '.db')}"))
    await upgrade(store.engine)
    seeded = await seed_business(store, folder=business.pack, slug=business.slug, now=clock.now())
    await _keep_locale(store, seeded.tenant_id, business.pack)
    knowledge = None
    try:
        agents = Agents(
            store,
            clock,
            SqlBusinessData(store),
            SqlMessageSearch(store),
            FakeKnowledge(),
            number=business.number,
        )
        tenant = (await agents.ctx(str(case["customer"]))).tenant
        knowledge = await demo_knowledge(store, clock, tenant, business.pack)
        agents = replace(agents, knowledge=knowledge)
        responder, ctx = await build_responder(
            agents, str(case["customer"]), team_file=business.team_file, pack=business.pack
        )
        chat = Chat(responder, ctx, clock.now, store=agents)
        return [await _turn(chat, str(t["say"]), clock) for t in case["turns"]]
    finally:
        if knowledge is not None:
            knowledge.close()
        await store.dispose()


async def _keep_locale(store: SqlStore, tenant_id: int, pack: Path) -> None:
    """The pack's `locale` in the tenant's profile, as the pack import stores it, when the seed did not."""
    locale = yaml.safe_load((pack / "business.yaml").read_text()).get("locale")
    async with store.transaction() as tx:
        assert isinstance(tx, SqlTx)
        row = (await tx.conn.execute(select(tenants.c.profile).where(tenants.c.id == tenant_id))).one()
        if locale and "locale" not in (row.profile or {}):
            profile = {**(row.profile or {}), "locale": locale}
            await tx.conn.execute(update(tenants).where(tenants.c.id == tenant_id).values(profile=profile))


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


def judge(
    case: dict[str, Any], results: list[TurnResult], replies: dict[str, list[str]], pack: Path = DEMO
) -> list[list[str]]:
    out, said, confirmable = [], "", False
    for turn, result in zip(case["turns"], results, strict=True):
        said += "\n" + str(turn["say"])
        expect = turn.get("expect") or {}
        twin = expect.get("reply_same_as")
        index = len(out)
        same = replies.get(twin, [None] * (index + 1))[index] if twin else None
        problems = expectation_problems(expect, result, same, pack)
        problems += global_problems(str(case["customer"]), result, said, confirmable, str(turn["say"]), pack)
        confirmable = result.buttons
        out.append(problems)
    return out


@dataclass(frozen=True)
class Figures:
    cases: int
    routed: int
    routed_ok: int
    passed: int
    leaks: int
    areas: dict[str, list[int]]
    tags: dict[str, list[int]]
    failing: list[str]

    @property
    def task_success(self) -> float:
        return self.passed / max(self.cases, 1)


async def evaluate(data: dict[str, Any], *, team: str | None = None, only: str | None = None) -> Figures:
    """Run a case file's cases (`only`: those whose id starts with it) and judge them."""
    business = Business.of(data)
    if team:
        business = replace(business, team_file=ROOT / team)
    now = datetime.fromisoformat(data["now"]).replace(tzinfo=ZoneInfo(data["timezone"]))
    cases = [c for c in data["cases"] if c["id"].startswith(only or "")]
    results: dict[str, list[TurnResult]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            results[case["id"]] = await run_case(case, now, Path(tmp), business)
    replies = {cid: [r.reply for r in rs] for cid, rs in results.items()}
    return figures(cases, results, replies, pack=business.pack)


async def main(args: argparse.Namespace, data: dict[str, Any]) -> None:
    report(await evaluate(data, team=args.team, only=args.only), failures=args.failures)


def figures(
    cases: list[dict[str, Any]],
    results: dict[str, list[TurnResult]],
    replies: dict[str, list[str]],
    *,
    pack: Path = DEMO,
) -> Figures:
    routed = routed_ok = passed = leaks = 0
    areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tags: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failing: list[str] = []
    for case in cases:
        problems = judge(case, results[case["id"]], replies, pack)
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
    return Figures(len(cases), routed, routed_ok, passed, leaks, dict(areas), dict(tags), failing)


def report(f: Figures, *, failures: bool) -> None:
    print(
        f"cases {f.cases}  routing {f.routed_ok}/{f.routed} = {f.routed_ok / max(f.routed, 1):.1%}  "
        f"task success {f.passed}/{f.cases} = {f.task_success:.1%}  leaks {f.leaks}"
    )
    print("per area: " + ", ".join(f"{a} {ok}/{n}" for a, (ok, n) in sorted(f.areas.items())))
    print("per tag:  " + ", ".join(f"{t} {ok}/{n}" for t, (ok, n) in sorted(f.tags.items())))
    if failures:
        print("\n".join(f.failing))


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
    parser.add_argument("--cases", default=str(CASES), help="the case file (default: agent_cases.yaml)")
    parser.add_argument("--failures", action="store_true", help="list the failing cases")
    parser.add_argument("--only", help="only the cases whose id starts with this")
    parser.add_argument("--team", help="run with this team file instead of the case file's")
    arguments = parser.parse_args()
    asyncio.run(main(arguments, yaml.safe_load(Path(arguments.cases).read_text())))
