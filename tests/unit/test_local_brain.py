"""The local brain over the demo store and the real tools, through the team responder."""

from __future__ import annotations

from frontdesk.domain.outbound import Buttons, ListMessage
from tests.support.agents import AMELIA, OLIVER, PRIYA, Agents
from tests.support.team import chat_with, reply_text
from tests.unit.team_fixtures import clock, needs_minilm  # noqa: F401

pytest_plugins = ["tests.unit.agents_fixtures"]
pytestmark = needs_minilm


async def test_order_status_names_the_carrier_and_tracking(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    out = await chat.say("wheres my ordr LH-100245??")
    assert out.agent == "orders"
    assert [t["name"] for t in out.tools] == ["order_status"]
    assert "15501234567890" in reply_text(out.messages)
    assert out.state is not None and out.state["agents"] == {}


async def test_cancel_needs_a_yes_before_anything_changes(agents: Agents) -> None:
    chat = await chat_with(agents, PRIYA)
    before = await agents.snapshot()
    asked = await chat.say("pls cancel LH-100260")
    assert isinstance(asked.messages[-1], Buttons)
    assert await agents.snapshot() == before
    done = await chat.say("Yes", reply={"id": "confirm:yes"})
    assert [(t["name"], t["confirmed"]) for t in done.tools] == [("cancel_order", True)]
    assert "cancelled" in reply_text(done.messages)
    assert await agents.snapshot() != before


async def test_no_keeps_the_order(agents: Agents) -> None:
    chat = await chat_with(agents, PRIYA)
    before = await agents.snapshot()
    await chat.say("cancel order LH-100260 please")
    declined = await chat.say("no, keep it")
    assert await agents.snapshot() == before
    assert declined.tools == []


async def test_booking_over_three_turns(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    first = await chat.say("I'd like to book an installation")
    assert "Which service" in reply_text(first.messages)
    second = await chat.say("thermostat installation")
    options = second.messages[-1]
    assert isinstance(options, ListMessage)
    row = options.sections[0].rows[0]
    third = await chat.say(row.title, reply={"id": row.id})
    assert isinstance(third.messages[-1], Buttons)
    booked = await chat.say("yes please")
    assert [(t["name"], t["confirmed"]) for t in booked.tools] == [("book_appointment", True)]


async def test_another_customers_order_reads_like_a_missing_one(agents: Agents) -> None:
    theirs = await (await chat_with(agents, AMELIA)).say("where is order LH-100250?")
    missing = await (await chat_with(agents, AMELIA)).say("where is order LH-199999?")
    text = reply_text(theirs.messages)
    assert text.replace("LH-100250", "<ID>") == reply_text(missing.messages).replace("LH-199999", "<ID>")
    assert "Soundbar" not in text and "backorder" not in text.lower()
    assert OLIVER not in text


async def test_a_product_named_picks_the_customers_order_with_it(agents: Agents) -> None:
    out = await (await chat_with(agents, OLIVER)).say("any news on my soundbar??")
    calls = [(t["name"], t["args"]) for t in out.tools]
    assert calls == [("order_status", {"order_ref": "LH-100250"})]
    assert "backordered" in reply_text(out.messages)


async def test_the_one_order_the_tool_would_cancel_is_offered(agents: Agents) -> None:
    # Priya's orders: LH-100260 processing, LH-100261 already cancelled.
    out = await (await chat_with(agents, PRIYA)).say("can I cancel my order?")
    assert isinstance(out.messages[-1], Buttons)
    assert "LH-100260" in reply_text(out.messages)


async def test_the_other_one_is_the_order_not_just_discussed(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    first = await chat.say("where's my lamp?")
    assert "LH-100245" in reply_text(first.messages)
    other = await chat.say("and the other one?")
    assert other.agent == "orders"
    assert "LH-100231" in reply_text(other.messages)


async def test_a_taken_time_offers_that_days_free_slots_then_a_bare_hour_picks_one(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    taken = await chat.say("book a lighting setup for tuesday at 9am")
    assert [t["name"] for t in taken.tools] == ["book_appointment", "find_slots"]
    assert isinstance(taken.messages[-1], ListMessage)
    assert "not available" in reply_text(taken.messages)
    picked = await chat.say("10 is fine")
    assert isinstance(picked.messages[-1], Buttons)
    assert "10:00" in reply_text(picked.messages)


async def test_a_bare_follow_up_continues_the_last_skill(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    await chat.say("my thermostat is showing E3")
    out = await chat.say("the relay light is red")  # not understood on its own
    assert out.agent == "support"
    assert [t["name"] for t in out.tools] == ["search_knowledge"]


async def test_the_handoff_is_recorded_as_a_tool_call(agents: Agents) -> None:
    out = await (await chat_with(agents, AMELIA)).say("can I talk to a real person please")
    assert out.handoff and [t["name"] for t in out.tools] == ["handoff"]


async def test_commands_see_the_stored_conversation(agents: Agents) -> None:
    chat = await chat_with(agents, AMELIA)
    await chat.say("where is LH-100245")
    out = await chat.say("summarize this conversation")
    assert "LH-100245" in reply_text(out.messages)


async def test_a_long_message_is_answered_like_a_short_one(agents: Agents) -> None:
    """3,000 characters (the adversarial run's size) about an order: the bot answers, no handoff."""
    story = "I ordered a lamp for my mother's birthday and I am getting worried about it. "
    text = ("Hi, where is my order LH-100245? " + story * 60)[:3000]
    out = await (await chat_with(agents, AMELIA)).say(text)
    assert out.agent == "orders"
    assert not out.handoff
    assert "15501234567890" in reply_text(out.messages)
