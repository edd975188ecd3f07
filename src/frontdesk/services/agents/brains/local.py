"""The offline brain: a deterministic dialogue manager for one agent (see `nlu` for the recipe).

Per message: a pending question first (a slot, a choice from a list, a yes/no confirmation), else the
agent's best skill; slots from the message, then from the conversation; a precise question for the
first missing slot; the tool call (side effects only after an explicit yes, offered as buttons); the
skill's reply for the outcome. The dialogue state is JSON:
`{"skill": name, "slots": {...}, "pending": {"kind": "slot" | "choice" | "confirm", "slot": name,
"rows": [...]}}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from frontdesk.domain.outbound import Row
from frontdesk.domain.team import HANDOFF_TOOL, Skill
from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, ToolCall
from frontdesk.services.agents.brains.local_outcome import (
    learned,
    result_messages,
    result_text,
    template_values,
    tool_call,
)
from frontdesk.services.agents.brains.pending import PendingAnswer, read_pending
from frontdesk.services.agents.brains.replies import choice_list, confirmation, render, texts
from frontdesk.services.agents.brains.slot_fill import (
    complete,
    fill,
    from_context,
    named_references,
    part_of_day,
    refers_to_other,
    tool_args,
    without_references,
)
from frontdesk.services.agents.nlu import IntentClassifier, SlotReader
from frontdesk.services.agents.tool_helpers.formatting import hours_text
from frontdesk.services.agents.tools import TOOLS, ToolError, ToolResult

NAME = "local"
NOT_UNDERSTOOD = "Sorry, I didn't get that. Could you say it another way?"
SLOT_FINDER = "find_slots"


class LocalBrain:
    """Answers for one agent without a model: NLU, dialogue state, the tool call, a templated reply."""

    name = NAME

    def __init__(self, classifier: IntentClassifier, reader: SlotReader):
        self.classifier = classifier
        self.reader = reader

    async def reply(self, request: AgentRequest) -> AgentReply:
        if not request.opening_hours:
            rules = await request.tools.data.rules(request.tools.tenant.id)
            request = replace(request, opening_hours=hours_text(rules.booking.opening_hours))
        state = request.state
        pending = read_pending(self.reader, request, state)
        if pending is not None:
            return await self._answer_pending(request, state, pending)
        skill = self.skill_for(request)
        if skill is None:
            return AgentReply(messages=texts(NOT_UNDERSTOOD), brain=NAME, understood=False)
        now = request.tools.now()
        slots, ambiguous = fill(skill, self.reader, request.text, now=now)
        return await self._proceed(request, skill, slots, ambiguous)

    def skill_for(self, request: AgentRequest) -> Skill | None:
        """The supervisor's hint, else the agent's best skill for the text (None: not understood)."""
        agent = request.agent
        if request.skill and (hinted := agent.skill(request.skill)):
            return hinted
        ranked = self.classifier.rank(request.text, current_agent=agent.name, limit=60)
        mine = [intent for intent in ranked if intent.agent == agent.name]
        if not mine or mine[0].confidence < self.classifier.threshold:
            return None
        return agent.skill(mine[0].skill)

    async def _answer_pending(
        self, request: AgentRequest, state: dict[str, Any], answer: PendingAnswer
    ) -> AgentReply:
        skill = request.agent.skill(str(state.get("skill")))
        assert skill is not None  # read_pending checks it
        slots = dict(state.get("slots") or {})
        if answer.kind == "confirm":
            if answer.value:
                return await self._run(request, skill, slots, confirmed=True)
            text = render(
                skill.replies.get("declined", "OK, I haven't changed anything."),
                template_values(request, skill, slots),
            )
            return AgentReply(messages=texts(text), brain=NAME)
        slots[answer.slot] = _merged(slots.get(answer.slot), answer.value)
        extra, _ = fill(skill, self.reader, request.text, now=request.tools.now())
        slots = {**{k: v for k, v in extra.items() if k != answer.slot and k not in slots}, **slots}
        return await self._proceed(request, skill, slots, {})

    async def _proceed(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], ambiguous: dict[str, list[Row]]
    ) -> AgentReply:
        other = refers_to_other(request.text)
        slots = from_context(skill, slots, without_references(request.context) if other else request.context)
        missing = next((s for s in skill.slots if s.required and not complete(s, slots.get(s.name))), None)
        if missing is not None:
            if missing.type == "datetime" and (service := await self._service_of(request, slots)):
                return await self._offer_slots(request, skill, slots, missing.name, service)
            lister = _lister(request, missing.type)
            if lister is not None and not ambiguous.get(missing.name):
                return await self._list_then_ask(request, skill, slots, missing.name, lister)
            return self._ask(request, skill, slots, missing.name, ambiguous.get(missing.name, []))
        if skill.confirm:
            return await self._offer_confirmation(request, skill, slots)
        return await self._run(request, skill, slots, confirmed=False)

    def _ask(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], slot: str, rows: list[Row]
    ) -> AgentReply:
        question = skill.ask.get(slot) or f"Could you tell me the {slot.replace('_', ' ')}?"
        question = render(question, template_values(request, skill, slots))
        kind = "choice" if rows else "slot"
        pending: dict[str, Any] = {"kind": kind, "slot": slot, "rows": [r.model_dump() for r in rows]}
        messages = choice_list(question, rows) if rows else texts(question)
        return AgentReply(
            messages=messages,
            brain=NAME,
            state={"skill": skill.name, "slots": slots, "pending": pending},
            context=learned(slots, None),
        )

    async def _list_then_ask(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], slot: str, lister: Skill
    ) -> AgentReply:
        """A missing reference: show the customer's own (orders, appointments) and wait for one."""
        assert lister.tool is not None
        result = await TOOLS[lister.tool].call(request.tools, dict(lister.args))
        picked = await self._pick_own(request, skill, slots, slot, result)
        if picked is not None:
            return await self._proceed(request, skill, {**slots, slot: picked}, {})
        text = result_text(request, lister, {}, result)
        pending = {"kind": "slot", "slot": slot, "rows": [r.model_dump() for r in result.choices]}
        return AgentReply(
            messages=result_messages(text, result.choices),
            brain=NAME,
            tools=[tool_call(lister.tool, {}, result)],
            state={"skill": skill.name, "slots": slots, "pending": pending},
            context=learned(slots, None),
        )

    async def _pick_own(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], slot: str, listed: ToolResult
    ) -> str | None:
        """The one listed order or appointment the customer must mean, if there is one.

        Those the message names (a product of the order, the appointment's service or day), else all;
        for a side effect, only those the tool's dry run accepts (cancellable, returnable, ...).
        """
        keys = [row.id.split(":", 1)[1] for row in listed.choices]
        if refers_to_other(request.text):
            keys = [k for k in keys if k not in request.context.values()]
        pool = named_references(self.reader, request.text, listed, now=request.tools.now()) or keys
        ready = all(complete(s, slots.get(s.name)) for s in skill.slots if s.required and s.name != slot)
        if len(pool) > 1 and skill.confirm and skill.tool is not None and ready:
            accepted = []
            for key in pool:
                trial = await TOOLS[skill.tool].call(request.tools, tool_args(skill, {**slots, slot: key}))
                accepted += [key] if trial.ok else []
            pool = accepted
        return pool[0] if len(pool) == 1 else None

    async def _service_of(self, request: AgentRequest, slots: dict[str, Any]) -> str | None:
        """The service whose free slots to offer: the one named, else that of the appointment being moved.

        None when the agent cannot look for slots.
        """
        if SLOT_FINDER not in request.agent.tools:
            return None
        if slots.get("service"):
            return str(slots["service"])
        ref = slots.get("appointment_ref")
        if not ref or "list_appointments" not in request.agent.tools:
            return None
        mine = await TOOLS["list_appointments"].call(request.tools, {})  # the contact's own only
        found = [
            a for a in mine.facts.get("appointments") or [] if isinstance(a, dict) and a.get("ref") == ref
        ]
        return str(found[0]["service_code"]) if found else None

    async def _offer_slots(
        self,
        request: AgentRequest,
        skill: Skill,
        slots: dict[str, Any],
        slot: str,
        service: str,
        *,
        lead: str = "",
        earlier: Sequence[ToolCall] = (),
    ) -> AgentReply:
        """A day or time that is not yet one slot: the free slots for it, as a list to pick from.

        `lead` goes first (why the asked time is not possible); `earlier` are this turn's calls so far.
        """
        found = slots.get(slot)
        partial: dict[str, Any] = found if isinstance(found, dict) else {}
        args: dict[str, Any] = {"service": service, "city": slots.get("city")}
        if partial.get("date"):
            args.update(date_from=partial["date"], days=1)
        if partial.get("from"):
            args["part_of_day"] = part_of_day(partial["from"])
        args = {k: v for k, v in args.items() if v is not None}
        result = await TOOLS[SLOT_FINDER].call(request.tools, args)
        call = tool_call(SLOT_FINDER, args, result)
        finder = next((s for s in request.agent.skills if s.tool == SLOT_FINDER), skill)
        text = "\n".join(t for t in (lead, result_text(request, finder, slots, result)) if t)
        rows = list(result.choices)
        pending = {"kind": "choice" if rows else "slot", "slot": slot, "rows": [r.model_dump() for r in rows]}
        return AgentReply(
            messages=result_messages(text, result.choices),
            brain=NAME,
            tools=[*earlier, call],
            state={"skill": skill.name, "slots": slots, "pending": pending},
            context=learned(slots, result),
        )

    async def _offer_confirmation(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any]
    ) -> AgentReply:
        """Check the side effect without doing it, then ask for an explicit yes with buttons."""
        assert skill.tool is not None
        args = tool_args(skill, slots)
        result = await TOOLS[skill.tool].call(request.tools, args, confirmed=False)
        call = tool_call(skill.tool, args, result)
        if result.error is ToolError.CONFLICT:
            moved = await self._other_times(request, skill, slots, result, call)
            if moved is not None:
                return moved
        if not result.ok or (not result.needs_confirmation and skill.confirm_prompt is None):
            return self._finished(request, skill, slots, result, [call])
        values = template_values(request, skill, slots)
        question = result.summary if result.needs_confirmation else render(skill.confirm_prompt or "", values)
        return AgentReply(
            messages=confirmation(question),
            brain=NAME,
            tools=[call],
            state={"skill": skill.name, "slots": slots, "pending": {"kind": "confirm"}},
            context=learned(slots, result),
        )

    async def _other_times(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], result: ToolResult, call: ToolCall
    ) -> AgentReply | None:
        """The asked time is taken: that day's free slots to pick from instead (None: no slot finder)."""
        slot = next((s.name for s in skill.slots if s.type == "datetime"), None)
        asked = slots.get(slot) if slot else None
        service = await self._service_of(request, slots)
        if slot is None or service is None or not isinstance(asked, dict):
            return None
        day_only = {**slots, slot: {"date": asked.get("date"), "from": None, "to": None}}
        return await self._offer_slots(
            request, skill, day_only, slot, service, lead=result.summary, earlier=[call]
        )

    async def _run(
        self, request: AgentRequest, skill: Skill, slots: dict[str, Any], *, confirmed: bool
    ) -> AgentReply:
        if skill.tool is None or skill.tool == HANDOFF_TOOL:
            text = render(skill.reply, template_values(request, skill, slots))
            handoff = skill.tool == HANDOFF_TOOL
            # The handoff is a tool like the others for the inbox: it is recorded as a call.
            calls = [_handoff_call(request.text)] if handoff else []
            return AgentReply(messages=texts(text), brain=NAME, tools=calls, handoff=handoff)
        args = tool_args(skill, slots)
        result = await TOOLS[skill.tool].call(request.tools, args, confirmed=confirmed)
        return self._finished(
            request, skill, slots, result, [tool_call(skill.tool, args, result, confirmed=confirmed)]
        )

    def _finished(
        self,
        request: AgentRequest,
        skill: Skill,
        slots: dict[str, Any],
        result: ToolResult,
        calls: list[ToolCall],
    ) -> AgentReply:
        text = result_text(request, skill, slots, result)
        state = _choice_state(request, skill, slots, result) or _missing_state(skill, slots, result)
        return AgentReply(
            messages=result_messages(text, result.choices),
            brain=NAME,
            tools=calls,
            state=state,
            handoff=result.handoff,
            context=learned(slots, result),
        )


def _choice_state(
    request: AgentRequest, skill: Skill, slots: dict[str, Any], result: ToolResult
) -> dict[str, Any] | None:
    """When a result offers choices, the skill and slot a pick continues (None: the dialogue is over)."""
    if not result.choices:
        return None
    kind = result.choices[0].id.split(":", 1)[0]
    slot_type = {
        "slot": "datetime",
        "product": "product",
        "service": "service",
        "order": "order_ref",
        "appointment": "appointment_ref",
    }.get(kind)
    candidates = [skill, *sorted(request.agent.skills, key=lambda s: not s.confirm)]
    target = next((s for s in candidates for slot in s.slots if slot.type == slot_type), None)
    if target is None:
        return None
    slot = next(s for s in target.slots if s.type == slot_type)
    keep = {k: v for k, v in slots.items() if target.slot(k) is not None}
    rows = [r.model_dump() for r in result.choices]
    return {
        "skill": target.name,
        "slots": keep,
        "pending": {"kind": "choice", "slot": slot.name, "rows": rows},
    }


def _missing_state(skill: Skill, slots: dict[str, Any], result: ToolResult) -> dict[str, Any] | None:
    """When the tool asks for one more value the skill has a slot for (a town the team left optional),
    the customer's next message answers it."""
    missing = result.facts.get("missing")
    if (
        result.error is not ToolError.MISSING_INFO
        or not isinstance(missing, str)
        or skill.slot(missing) is None
    ):
        return None
    return {"skill": skill.name, "slots": slots, "pending": {"kind": "slot", "slot": missing, "rows": []}}


def _handoff_call(reason: str) -> ToolCall:
    """The handoff as the inbox shows it, the same as an LLM's handoff call."""
    return ToolCall(name=HANDOFF_TOOL, args={"reason": reason[:200]}, ok=True, summary="handed off")


def _merged(old: Any, new: Any) -> Any:
    """A new partial value on top of the old one ("2pm" after "Tuesday" is Tuesday at 2pm)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: v for k, v in new.items() if v is not None}}
    return new


def _lister(request: AgentRequest, slot_type: str) -> Skill | None:
    """The agent's skill listing the customer's own things, when a reference of that kind is missing."""
    if slot_type not in ("order_ref", "appointment_ref"):
        return None
    listers = [
        s
        for s in request.agent.skills
        if s.tool and s.tool.startswith("list_") and not any(slot.required for slot in s.slots)
    ]
    # `list_orders` for an order, `list_appointments` for an appointment (not `list_services`).
    noun = slot_type.removesuffix("_ref")
    return next((s for s in listers if s.tool and noun in s.tool), listers[0] if listers else None)
