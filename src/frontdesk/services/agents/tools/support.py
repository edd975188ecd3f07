"""Support tool: search the knowledge base; every hit carries its document's title, to name the source.

The reply quotes the hits' own words: a whole chunk when it is short (a troubleshooting section's
numbered steps), otherwise the sentences that share the most terms with the question, in the order the
article gives them, within a character budget per hit so the answer stays a WhatsApp message.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from frontdesk.domain.knowledge import InvalidQuery, SearchHit
from frontdesk.services.agents.tool_helpers.formatting import clip, join
from frontdesk.services.agents.tools.base import (
    Text,
    Tool,
    ToolArgs,
    ToolContext,
    ToolError,
    ToolResult,
    done,
    failed,
)
from frontdesk.services.knowledge.ranking import query_terms, terms

WHOLE_CHUNK_CHARS = 600
"""A hit's chunk up to this long is quoted whole: one section's steps stay together."""
BEST_HIT_CHARS = 600
"""How much of the best hit's longer chunk a reply quotes."""
OTHER_HIT_CHARS = 300
"""How much of each further hit's longer chunk a reply quotes."""

# A sentence ends at . ! or ? before a capital, a digit or a quote, but not after a list number ("2. ").
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+(?=[A-Z0-9\"“(])")


class SearchKnowledgeArgs(ToolArgs):
    query: Text = Field(description="The customer's question or problem, in their words.")
    k: Annotated[int, Field(ge=1, le=5)] = 3


def _section(hit: SearchHit) -> str:
    return " › ".join(
        hit.heading_path[1:] if hit.heading_path[:1] == (hit.document_title,) else hit.heading_path
    )


def _hit_facts(hit: SearchHit) -> dict[str, Any]:
    return {
        "title": hit.document_title,
        "section": _section(hit) or None,
        "snippet": hit.snippet,
        "filename": hit.filename,
        "score": round(hit.score, 4),
    }


async def search_knowledge(ctx: ToolContext, args: SearchKnowledgeArgs) -> ToolResult:
    try:
        hits = await ctx.knowledge.search(tenant=ctx.tenant, query=args.query, k=args.k)
    except InvalidQuery as exc:
        return failed(ToolError.INVALID_ARGUMENTS, str(exc))
    if not hits:
        return done("Nothing in the help articles answers that.", hits=[], sources=[])
    sources = list(dict.fromkeys(h.document_title for h in hits))
    budgets = [BEST_HIT_CHARS] + [OTHER_HIT_CHARS] * (len(hits) - 1)
    lines = [_cite(h, quote(h, args.query, budget)) for h, budget in zip(hits, budgets, strict=True)]
    return done(
        "\n".join(lines) + f"\nSource: {join(sources)}.",
        hits=[_hit_facts(h) for h in hits],
        sources=sources,
    )


def quote(hit: SearchHit, query: str, limit: int, *, whole: int = WHOLE_CHUNK_CHARS) -> str:
    """The hit's words that answer `query`.

    The whole chunk when it is at most `whole` characters. Otherwise its paragraphs and list items
    (a FAQ's question with its answer, a step; one longer than `limit` counts sentence by sentence)
    ranked by how many distinct query terms they hold, earlier first on a tie, taken while they fit
    in `limit` characters and given back in the article's order, one a line. Falls back to the
    search snippet when the hit has no chunk text.
    """
    units = [" ".join(line.split()) for line in hit.text.split("\n")]
    units = [unit for unit in units if unit]
    if not units:
        return clip(hit.snippet, limit)
    if sum(len(unit) + 1 for unit in units) <= max(limit, whole) + 1:
        return "\n".join(units)
    wanted = set(query_terms(query))
    pieces = [
        (u, piece)
        for u, unit in enumerate(units)
        for piece in (_SENTENCE_END.split(unit) if len(unit) > limit else [unit])
    ]
    scores = [len(wanted.intersection(terms(piece))) for _, piece in pieces]
    chosen: set[int] = set()
    used = 0
    for i in sorted(range(len(pieces)), key=lambda i: (-scores[i], i)):
        if chosen and scores[i] == 0:
            break
        size = len(pieces[i][1]) + 1
        if used + size <= limit:
            chosen.add(i)
            used += size
        elif not chosen:
            return clip(pieces[i][1], limit)
    lines: dict[int, list[str]] = {}
    for i in sorted(chosen):
        lines.setdefault(pieces[i][0], []).append(pieces[i][1])
    return "\n".join(" ".join(sentences) for sentences in lines.values())


def _cite(hit: SearchHit, words: str) -> str:
    """`From “Title” (Section): words`; several lines (a list of steps) start below the heading."""
    return f"From “{hit.document_title}”{_where(hit)}:" + ("\n" if "\n" in words else " ") + words


def _where(hit: SearchHit) -> str:
    section = _section(hit)
    return f" ({section})" if section else ""


TOOLS: tuple[Tool[Any], ...] = (
    Tool(
        "search_knowledge",
        "Search the business's help articles (troubleshooting, policies, FAQ). "
        "Name the source's title in the reply.",
        SearchKnowledgeArgs,
        search_knowledge,
    ),
)
