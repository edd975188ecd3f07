"""Conversation commands: summarise, extract tasks, search messages (this conversation only)."""

from __future__ import annotations

from frontdesk.services.agents.tools import ToolError
from tests.support.agents import AMELIA, OLIVER, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]


async def _chat(agents: Agents) -> None:
    await agents.say(AMELIA, "Hi, where is my order LH-100245? The tracking hasn't moved.")
    await agents.say(
        AMELIA, "Order LH-100245 has shipped with DPD and should arrive by Sat 21 Nov.", inbound=False
    )
    await agents.say(AMELIA, "Thanks. Can you send me the invoice please? Also is the GU10 bulb in stock?")
    await agents.say(AMELIA, "We will email the invoice today. The GU10 is in stock.", inbound=False)
    await agents.say(OLIVER, "Can you call me about my soundbar invoice?")


async def test_summarize_conversation(agents: Agents) -> None:
    await _chat(agents)
    result = await agents.run(AMELIA, "summarize_conversation")
    assert result.ok
    assert result.facts["messages"] == 4 and result.facts["from_customer"] == 2
    assert result.facts["topics"][0] == "orders" and "products" in result.facts["topics"]
    assert result.facts["references"] == ["LH-100245"]
    assert "Last from the customer: “Thanks. Can you send me the invoice please?" in result.summary
    assert "soundbar" not in result.summary  # Oliver's conversation is not Amelia's


async def test_summarize_an_empty_conversation(agents: Agents) -> None:
    result = await agents.run(AMELIA, "summarize_conversation")
    assert result.ok and result.facts == {"messages": 0}


async def test_summarize_only_the_last_messages(agents: Agents) -> None:
    await _chat(agents)
    result = await agents.run(AMELIA, "summarize_conversation", {"last": 2})
    assert result.facts["messages"] == 2
    assert (
        await agents.run(AMELIA, "summarize_conversation", {"last": 500})
    ).error is ToolError.INVALID_ARGUMENTS


async def test_extract_tasks(agents: Agents) -> None:
    await _chat(agents)
    result = await agents.run(AMELIA, "extract_tasks")
    tasks = [(t["by"], t["text"]) for t in result.facts["tasks"]]
    assert tasks == [
        ("customer", "Can you send me the invoice please?"),
        ("business", "We will email the invoice today."),
    ]
    assert "Customer asked: Can you send me the invoice please?" in result.summary


async def test_extract_tasks_when_there_are_none(agents: Agents) -> None:
    await agents.say(AMELIA, "Hello")
    result = await agents.run(AMELIA, "extract_tasks")
    assert result.ok and result.facts["tasks"] == []


async def test_search_messages_in_this_conversation_only(agents: Agents) -> None:
    await _chat(agents)
    result = await agents.run(AMELIA, "search_messages", {"query": "invoice"})
    texts = [m["text"] for m in result.facts["messages"]]
    assert len(texts) == 2 and all("invoice" in t for t in texts)
    assert not any("soundbar" in t for t in texts)
    oliver = await agents.run(OLIVER, "search_messages", {"query": "invoice"})
    assert [m["text"] for m in oliver.facts["messages"]] == ["Can you call me about my soundbar invoice?"]


async def test_search_messages_ranks_by_words_matched(agents: Agents) -> None:
    await _chat(agents)
    result = await agents.run(AMELIA, "search_messages", {"query": "GU10 stock invoice"})
    assert "GU10" in result.facts["messages"][0]["text"] and "invoice" in result.facts["messages"][0]["text"]


async def test_search_messages_treats_wildcards_as_text(agents: Agents) -> None:
    await _chat(agents)
    for query in ("%", "_x", "o_d"):  # "o_d" would match "order" as a LIKE pattern
        result = await agents.run(AMELIA, "search_messages", {"query": query})
        assert result.ok and result.facts["messages"] == [], query
    assert (await agents.run(AMELIA, "search_messages", {"query": ""})).error is ToolError.INVALID_ARGUMENTS
