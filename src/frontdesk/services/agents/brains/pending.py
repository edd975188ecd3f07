"""Does a message answer the question the local brain asked last turn (a slot, a pick, a yes/no)?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk.domain.team import Agent, Slot
from frontdesk.domain.turns import Turn
from frontdesk.services.agents.brains.contract import AgentRequest
from frontdesk.services.agents.brains.replies import CONFIRM_NO, CONFIRM_YES
from frontdesk.services.agents.brains.slot_fill import read, window_value
from frontdesk.services.agents.nlu import SlotReader, yes_no
from frontdesk.services.agents.nlu.dates import bare_hour

_NUMBER = re.compile(r"^\s*(?:option\s*|number\s*|#)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PendingAnswer:
    kind: str
    """`slot`, `choice` or `confirm`."""
    slot: str
    value: Any


def reply_id(turn: Turn) -> str | None:
    """The id of the button or list row the customer tapped, if the message is such a reply."""
    content = turn.message.content or {}
    for key in ("reply", "button_reply", "list_reply", "interactive"):
        part = content.get(key)
        if isinstance(part, dict) and isinstance(part.get("id"), str):
            return str(part["id"])
    return None


def read_pending(reader: SlotReader, request: AgentRequest, state: dict[str, Any]) -> PendingAnswer | None:
    """The answer to the agent's pending question in this message; None when it does not answer it."""
    return answer_to(
        reader, request.agent, state, request.text, reply_id(request.turn), now=request.tools.now()
    )


def answer_to(
    reader: SlotReader, agent: Agent, state: dict[str, Any], text: str, tapped: str | None, *, now: datetime
) -> PendingAnswer | None:
    pending = state.get("pending")
    skill = agent.skill(str(state.get("skill")))
    if not isinstance(pending, dict) or skill is None:
        return None
    kind = pending.get("kind")
    if kind == "confirm":
        value = {CONFIRM_YES: True, CONFIRM_NO: False}.get(tapped or "")
        value = yes_no(text) if value is None else value
        return None if value is None else PendingAnswer("confirm", "", value)
    slot = skill.slot(str(pending.get("slot")))
    if slot is None:
        return None
    rows = [r for r in pending.get("rows") or [] if isinstance(r, dict)]
    picked = _picked(rows, text, tapped) if rows else None
    if picked is not None:
        return PendingAnswer("choice", slot.name, _row_value(picked))
    return _slot_answer(reader, slot, text, rows, now=now)


def _slot_answer(
    reader: SlotReader, slot: Slot, text: str, rows: list[dict[str, Any]], *, now: datetime
) -> PendingAnswer | None:
    value, _ = read(reader, slot, text, now=now, expecting=True)
    if value is None and slot.type == "datetime" and (hour := bare_hour(text)) is not None:
        value = {"date": None, **window_value(hour)}  # "10 is fine" answers "which time?"
    if value is None:
        return None
    if slot.type == "datetime" and rows and isinstance(value, dict):
        value = _match_time(rows, value) or value
    return PendingAnswer("slot", slot.name, value)


def _picked(rows: list[dict[str, Any]], text: str, tapped: str | None) -> str | None:
    ids = [str(r.get("id")) for r in rows]
    if tapped in ids:
        return tapped
    wanted = text.strip().casefold()
    for row in rows:
        if wanted and wanted == str(row.get("title", "")).strip().casefold():
            return str(row["id"])
    number = _NUMBER.match(text)
    if number and 1 <= int(number.group(1)) <= len(ids):
        return ids[int(number.group(1)) - 1]
    return None


def _row_value(row_id: str) -> Any:
    kind, _, key = row_id.partition(":")
    if kind == "slot":
        day, _, clock = key.partition("T")
        return {"date": day, "from": clock[:5], "to": clock[:5]}
    return key


def _match_time(rows: list[dict[str, Any]], value: dict[str, Any]) -> dict[str, Any] | None:
    """The offered slot the customer means by a time (and maybe a day), e.g. "2pm" or "tue 10:00"."""
    if value.get("from") is None or value.get("from") != value.get("to"):
        return None
    for row in rows:
        slot = _row_value(str(row.get("id")))
        if not isinstance(slot, dict) or slot["from"] != value["from"]:
            continue
        if value.get("date") in (None, slot["date"]):
            return dict(slot)
    return None
