"""Support tool: search the knowledge base; every hit carries its document's title, to name the source."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from frontdesk.domain.knowledge import InvalidQuery, SearchHit
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
from frontdesk.services.agents.tools.text import clip, join


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
    lines = [f"From “{h.document_title}”{_where(h)}: {clip(h.snippet, 400)}" for h in hits]
    return done(
        "\n".join(lines) + f"\nSource: {join(sources)}.",
        hits=[_hit_facts(h) for h in hits],
        sources=sources,
    )


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
