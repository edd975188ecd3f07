"""Commands for every agent: summarise this conversation, extract its tasks, search its messages.

Deterministic heuristics over the stored messages of the current conversation only (an LLM brain can
write better summaries; these need no model). Staff endpoints can call the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field

from frontdesk.domain.models import Direction, Message
from frontdesk.services.agents.tool_helpers.formatting import clip, join, when
from frontdesk.services.agents.tools.base import Limit, Text, Tool, ToolArgs, ToolContext, ToolResult, done

_REFERENCE = re.compile(r"\b[A-Z]{2,5}-[A-Z0-9]{2,}(?:-[A-Z0-9]+)*\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_TOPICS = {
    "orders": ("order", "delivery", "deliver", "parcel", "tracking", "shipped", "arrive", "cancel"),
    "returns": ("return", "refund", "exchange", "faulty", "broken"),
    "products": ("price", "stock", "recommend", "compare", "buy", "bulb", "speaker", "lamp", "thermostat"),
    "booking": ("appointment", "book", "visit", "install", "reschedule", "slot", "technician"),
    "account": ("data", "delete", "export", "marketing", "stop", "preferences", "profile", "email"),
    "support": ("not working", "reset", "wifi", "wi-fi", "connect", "pair", "app", "help"),
}
_ASKS = re.compile(
    r"\b(can you|could you|would you|please|i need|i want|i'd like|i would like|call me|send me|let me know|"
    r"remind me|asap|urgent)\b",
    re.IGNORECASE,
)
_PROMISES = re.compile(
    r"\b(we'll|we will|i'll|i will|a member of (our )?staff|staff will|"
    r"will (email|call|send|confirm|contact))\b",
    re.IGNORECASE,
)


def _who(m: Message) -> str:
    return "customer" if m.direction is Direction.IN else "business"


def topics(texts: Sequence[str]) -> list[str]:
    """The subjects a conversation touched, most mentioned first."""
    counts = {t: sum(any(k in x.lower() for k in keys) for x in texts) for t, keys in _TOPICS.items()}
    return [t for t, n in sorted(counts.items(), key=lambda tn: -tn[1]) if n]


def references(texts: Sequence[str]) -> list[str]:
    """Order numbers, SKUs and appointment references mentioned, first mention first."""
    return list(dict.fromkeys(r for x in texts for r in _REFERENCE.findall(x)))


def summarize(messages: Sequence[Message], tz: ZoneInfo) -> tuple[str, dict[str, Any]]:
    """A short plain-text summary of `messages` and its facts."""
    said = [m for m in messages if m.text]
    if not said:
        return "There is nothing in this conversation yet.", {"messages": 0}
    customer = [m.text or "" for m in said if m.direction is Direction.IN]
    found_topics, refs = topics([m.text or "" for m in said]), references([m.text or "" for m in said])
    last_ask = next((m for m in reversed(said) if m.direction is Direction.IN), None)
    last_reply = next((m for m in reversed(said) if m.direction is Direction.OUT), None)
    lines = [
        f"{len(said)} messages ({len(customer)} from the customer), {when(said[0].created_at, tz)} to "
        f"{when(said[-1].created_at, tz)}."
    ]
    if found_topics:
        lines.append(f"Topics: {join(found_topics)}.")
    if refs:
        lines.append(f"Mentioned: {join(refs)}.")
    if last_ask:
        lines.append(f"Last from the customer: “{clip(last_ask.text or '', 160)}”")
    if last_reply:
        lines.append(f"Last reply: “{clip(last_reply.text or '', 160)}”")
    facts = {
        "messages": len(said),
        "topics": found_topics,
        "references": refs,
        "from_customer": len(customer),
    }
    return "\n".join(lines), facts


def tasks(messages: Sequence[Message], tz: ZoneInfo) -> list[dict[str, Any]]:
    """Requests the customer made and promises the business made, one per sentence."""
    found: dict[str, dict[str, Any]] = {}
    for m in messages:
        pattern = _ASKS if m.direction is Direction.IN else _PROMISES
        for sentence in _SENTENCE.split(m.text or ""):
            text = sentence.strip()
            if len(text) > 3 and pattern.search(text) and text.lower() not in found:
                found[text.lower()] = {
                    "by": _who(m),
                    "text": clip(text, 200),
                    "message_id": m.id,
                    "at": when(m.created_at, tz),
                    "references": _REFERENCE.findall(text),
                }
    return list(found.values())


class SummarizeArgs(ToolArgs):
    last: Annotated[int, Field(ge=2, le=200)] = Field(50, description="How many recent messages to cover.")


async def summarize_conversation(ctx: ToolContext, args: SummarizeArgs) -> ToolResult:
    recent = await ctx.messages.recent(ctx.tenant.id, ctx.conversation.id, limit=args.last)
    summary, facts = summarize(recent, ctx.tz)
    return done(summary, **facts)


async def extract_tasks(ctx: ToolContext, args: SummarizeArgs) -> ToolResult:
    recent = await ctx.messages.recent(ctx.tenant.id, ctx.conversation.id, limit=args.last)
    found = tasks(recent, ctx.tz)
    if not found:
        return done("No open requests or promises found in this conversation.", tasks=[])
    lines = [f"• {'Customer asked' if t['by'] == 'customer' else 'We said'}: {t['text']}" for t in found]
    return done("\n".join(lines), tasks=found)


class SearchMessagesArgs(ToolArgs):
    query: Text = Field(description="Words to look for in this conversation's earlier messages.")
    limit: Limit = 5


async def search_messages(ctx: ToolContext, args: SearchMessagesArgs) -> ToolResult:
    found = await ctx.messages.search(ctx.tenant.id, ctx.conversation.id, args.query, limit=args.limit)
    if not found:
        return done(f"No earlier message mentions “{clip(args.query, 60)}”.", messages=[])
    items = [
        {"message_id": m.id, "by": _who(m), "at": when(m.created_at, ctx.tz), "text": clip(m.text or "", 200)}
        for m in found
    ]
    lines = [f"• {i['at']} ({i['by']}): {i['text']}" for i in items]
    return done("\n".join(lines), messages=items)


TOOLS: tuple[Tool[Any], ...] = (
    Tool(
        "summarize_conversation",
        "Summarise this conversation: topics, references, the last request and reply.",
        SummarizeArgs,
        summarize_conversation,
    ),
    Tool(
        "extract_tasks",
        "List what the customer asked for and what the business promised in this conversation.",
        SummarizeArgs,
        extract_tasks,
    ),
    Tool(
        "search_messages", "Search this conversation's earlier messages.", SearchMessagesArgs, search_messages
    ),
)
