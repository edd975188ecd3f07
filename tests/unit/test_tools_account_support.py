"""Account tools (profile, preferences, marketing, data requests) and the knowledge-base search tool."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.tables import contacts
from frontdesk.adapters.db.tables_agents import staff_tasks
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.domain.knowledge import InvalidQuery, SearchHit
from frontdesk.domain.models import Tenant
from frontdesk.services.agents.tools import TOOLS, ToolError
from frontdesk.services.agents.tools.account import MAX_PREFERENCES
from frontdesk.services.agents.tools.support import quote
from frontdesk.services.knowledge.service import KnowledgeService
from tests.support.agents import AMELIA, LUCAS, OLIVER, Agents, FakeKnowledge

pytest_plugins = ["tests.unit.agents_fixtures"]

KB_DIR = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen/kb"


async def _tasks(agents: Agents) -> list[tuple[str, str, int | None]]:
    async with agents.store.read() as conn:
        rows = await conn.execute(select(staff_tasks).order_by(staff_tasks.c.id))
        return [(r.kind, r.status, r.conversation_id) for r in rows]


# -- profile and preferences


async def test_get_profile(agents: Agents) -> None:
    result = await agents.run(AMELIA, "get_profile")
    assert result.ok
    assert result.facts["profile"] == {
        "name": "Amelia Clarke",
        "email": "amelia.clarke@example.com",
        "city": "London",
        "language": "en",
        "preferences": {"likes": "lighting", "budget": "mid", "home": "flat"},
        "marketing_opt_in": True,
        "opted_out": False,
    }
    assert "Marketing messages: yes" in result.summary


async def test_a_new_contact_has_an_empty_profile(agents: Agents) -> None:
    result = await agents.run("447700900999", "get_profile")
    assert result.ok and result.facts["profile"]["preferences"] == {} and "Name: —" in result.summary


async def test_update_preferences_merges_removes_and_sets_the_city(agents: Agents) -> None:
    result = await agents.run(
        AMELIA,
        "update_preferences",
        {"preferences": {"Likes": "audio", "room": "kitchen"}, "remove": ["home"], "city": "Leeds"},
    )
    assert result.ok
    assert result.facts["profile"]["preferences"] == {"likes": "audio", "budget": "mid", "room": "kitchen"}
    assert result.facts["profile"]["city"] == "Leeds"
    assert "likes: audio" in result.summary and "home removed" in result.summary
    again = await agents.run(AMELIA, "get_profile")
    assert again.facts["profile"]["city"] == "Leeds"


async def test_update_preferences_needs_something_valid(agents: Agents) -> None:
    assert (await agents.run(AMELIA, "update_preferences", {})).error is ToolError.MISSING_INFO
    bad_key = await agents.run(AMELIA, "update_preferences", {"preferences": {"<script>": "x"}})
    assert bad_key.error is ToolError.INVALID_ARGUMENTS


async def test_a_customer_cannot_grow_their_preferences_without_end(agents: Agents) -> None:
    """Preferences are the customer's own words: capped, so a flood is refused and nothing is stored."""
    for batch in range(3):
        prefs = {f"k{batch}x{i}": "something I said" for i in range(10)}
        result = await agents.run(AMELIA, "update_preferences", {"preferences": prefs})
    assert result.error is ToolError.NOT_ALLOWED and result.facts["limit"] == MAX_PREFERENCES
    profile = (await agents.run(AMELIA, "get_profile")).facts["profile"]
    assert len(profile["preferences"]) <= MAX_PREFERENCES
    assert not any(key.startswith("k2x") for key in profile["preferences"])
    freed = await agents.run(
        AMELIA, "update_preferences", {"preferences": {"likes": "audio"}, "remove": ["k0x0"]}
    )
    assert freed.ok


# -- marketing


async def _opted_out_at(agents: Agents, wa_id: str) -> object:
    async with agents.store.read() as conn:
        return (await conn.execute(select(contacts.c.opted_out_at).where(contacts.c.wa_id == wa_id))).scalar()


async def test_stop_opts_out_and_opting_in_again_clears_it(agents: Agents) -> None:
    stop = await agents.run(AMELIA, "set_marketing_opt_in", {"opt_in": False})
    assert stop.ok and stop.facts == {"marketing_opt_in": False, "opted_out": True}
    first = await _opted_out_at(agents, AMELIA)
    agents.clock.advance(hours=1)
    await agents.run(AMELIA, "set_marketing_opt_in", {"opt_in": False})
    assert await _opted_out_at(agents, AMELIA) == first  # the first STOP is kept
    assert (await agents.ctx(AMELIA)).contact.opted_out
    back = await agents.run(AMELIA, "set_marketing_opt_in", {"opt_in": True})
    assert back.facts == {"marketing_opt_in": True, "opted_out": False} and "STOP" in back.summary
    assert await _opted_out_at(agents, AMELIA) is None


async def test_marketing_choice_is_required(agents: Agents) -> None:
    assert (await agents.run(OLIVER, "set_marketing_opt_in", {})).error is ToolError.INVALID_ARGUMENTS


# -- data requests


async def test_data_export_is_a_staff_task_and_a_handoff(agents: Agents) -> None:
    result = await agents.run(OLIVER, "request_data_export")
    ctx = await agents.ctx(OLIVER)
    assert result.ok and result.handoff and not result.facts["already_requested"]
    assert await _tasks(agents) == [("data_export", "open", ctx.conversation.id)]
    again = await agents.run(OLIVER, "request_data_export")
    assert (
        again.handoff
        and again.facts["already_requested"]
        and again.facts["task_id"] == result.facts["task_id"]
    )
    assert len(await _tasks(agents)) == 1


async def test_data_deletion_is_confirmed_then_a_staff_task(agents: Agents) -> None:
    asked = await agents.run(LUCAS, "request_data_deletion")
    assert asked.needs_confirmation and not asked.handoff and await _tasks(agents) == []
    done = await agents.run(LUCAS, "request_data_deletion", confirmed=True)
    assert done.ok and done.handoff and "member of staff" in done.summary
    assert [t[0] for t in await _tasks(agents)] == ["data_deletion"]
    await agents.run(LUCAS, "request_data_export")
    assert [t[0] for t in await _tasks(agents)] == ["data_deletion", "data_export"]


# -- search_knowledge


def _hit(title: str, snippet: str, *, headings: tuple[str, ...] = (), text: str = "") -> SearchHit:
    return SearchHit(
        chunk_id=1,
        document_id=1,
        document_title=title,
        filename=title.lower().replace(" ", "-") + ".md",
        heading_path=headings,
        snippet=snippet,
        score=0.5,
        text=text,
    )


_STEPS = "\n".join(
    [
        "1. Make sure your phone is on a 2.4 GHz network; 5 GHz-only networks are not supported.",
        "2. Reset the bulb: switch it off and on 5 times, until it blinks quickly.",
        "3. In the Lumen app tap Add device.",
    ]
)
_POLICY = "\n".join(
    [
        f"- Filler rule number {n} about something else entirely, with enough words to fill space."
        for n in range(8)
    ]
    + ["- Refunds go back to the original payment method within 5 working days of the return reaching us."]
    + [
        f"- Another unrelated rule {n}, also long enough to need leaving out of a short answer."
        for n in range(4)
    ]
)


def test_quote_gives_a_short_chunk_whole_and_picks_from_a_long_one() -> None:
    steps = _hit("Troubleshooting", "…time, until it blinks quickly.", text=_STEPS)
    assert quote(steps, "bulb won't connect", 300) == _STEPS  # every step, the 2.4 GHz one too
    policy = _hit("Returns and refunds", "…Filler rule…", text=_POLICY)
    quoted = quote(policy, "how long do refunds take", 300)
    assert "within 5 working days" in quoted and len(quoted) <= 300
    assert quoted.startswith("- Refunds go back")  # whole list items, not a window cut mid-sentence
    assert quote(_hit("FAQ", "A snippet only."), "anything", 300) == "A snippet only."


async def test_search_knowledge_quotes_the_chunk_text(agents: Agents, knowledge: FakeKnowledge) -> None:
    knowledge.hits = [_hit("Troubleshooting: bulbs", "…blinks quickly.", headings=("Wi-Fi",), text=_STEPS)]
    result = await agents.run(AMELIA, "search_knowledge", {"query": "my bulb won't connect to wifi"})
    assert result.ok and "2.4 GHz" in result.summary
    assert result.summary.startswith("From “Troubleshooting: bulbs” (Wi-Fi):\n1. Make sure")
    assert result.facts["hits"][0]["snippet"] == "…blinks quickly."


async def test_search_knowledge_names_its_sources(agents: Agents, knowledge: FakeKnowledge) -> None:
    knowledge.hits = [
        _hit("Returns and refunds", "You can return most items within 30 days of delivery."),
        _hit("Warranty", "All Lumen devices have a 2-year warranty.", headings=("Warranty", "Cover")),
        _hit("Returns and refunds", "Refunds go back within 5 working days."),
    ]
    result = await agents.run(AMELIA, "search_knowledge", {"query": "how long do I have to return?", "k": 3})
    assert result.ok
    assert result.facts["sources"] == ["Returns and refunds", "Warranty"]
    assert result.summary.endswith("Source: Returns and refunds and Warranty.")
    assert "From “Warranty” (Cover)" in result.summary
    ctx = await agents.ctx(AMELIA)
    assert knowledge.queries == [(ctx.tenant.id, "how long do I have to return?", 3)]


async def test_search_knowledge_without_an_answer(agents: Agents) -> None:
    result = await agents.run(AMELIA, "search_knowledge", {"query": "opening a shop in Paris"})
    assert result.ok and result.facts["hits"] == [] and result.facts["sources"] == []


async def test_search_knowledge_bad_queries(agents: Agents) -> None:
    class Refusing(FakeKnowledge):
        async def search(self, *, tenant: Tenant, query: str, k: int) -> list[SearchHit]:
            raise InvalidQuery("the query is empty")

    ctx = await agents.ctx(AMELIA)
    result = await TOOLS["search_knowledge"].call(replace(ctx, knowledge=Refusing()), {"query": "???"})
    assert result.error is ToolError.INVALID_ARGUMENTS
    assert (await agents.run(AMELIA, "search_knowledge", {"query": ""})).error is ToolError.INVALID_ARGUMENTS


async def test_search_knowledge_with_the_real_service(agents: Agents) -> None:
    service = KnowledgeService(
        index=KnowledgeStore(agents.store),
        reader=DocumentExtractor(),
        embedder=HashingEmbedder(),
        clock=agents.clock,
    )
    ctx = await agents.ctx(AMELIA)
    for name in ("returns.md", "warranty.md", "shipping.md"):
        await service.ingest(tenant=ctx.tenant, filename=name, data=(KB_DIR / name).read_bytes())
    result = await TOOLS["search_knowledge"].call(
        replace(ctx, knowledge=service), {"query": "can I return earbuds I opened?", "k": 2}
    )
    assert result.ok and result.facts["sources"][0] == "Returns and refunds"
    assert "earbuds" in result.facts["hits"][0]["snippet"].lower()
    assert "unopened" in result.summary  # the whole chunk is quoted, not the 240-character window
