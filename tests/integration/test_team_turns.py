"""The product's own agent team answering through the real pipeline: webhook in, Graph API out.

The team runs with its offline `local` brain (no provider configured). Its state between turns lives
on the conversation row, so a confirmation asked in one turn is settled by a button tapped in the next.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.fake_llm import INPUT_TOKENS, OUTPUT_TOKENS, FakeOpenAI, call, say
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, envelope, text_message
from tests.support.servers import serve_app

OLIVER = "447700900102"
LLM_ANSWER = "Your *Lumen Arc Floor Lamp* (LH-100245) is on its way with DPD: 15501234567890."


def button_reply(wamid: str, button_id: str, title: str, *, sender: str, context: str) -> dict[str, Any]:
    """The webhook of a tapped reply button (interactive `button_reply`), answering message `context`."""
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "interactive",
        "context": {"from": "442079460321", "id": context},
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    }
    return envelope("109876543210001", messages=[message], contacts=[(sender, "Oliver")])


def replies(fd: Running, count: int) -> list[dict[str, Any]]:
    # The first turn of a process builds the team (embeds its examples): generous on a busy machine.
    return fd.wait_for(
        lambda: sent if len(sent := fd.sent()) >= count else None, timeout=60, what=f"{count} replies"
    )


def test_the_orders_agent_answers_with_the_customers_order(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        assert fd.post_webhook(text_message("wamid.T1", "where is my order LH-100245?")).status_code == 200
        body = replies(fd, 1)[0]["body"]
        assert body["to"] == AMELIA
        text = json.dumps(body)
        assert "LH-100245" in text and "15501234567890" in text  # its DPD tracking number
        row = fd.wait_for(lambda: fd.query("select agent, tools from messages where direction = 'out'"))[0]
        assert row.agent == "orders"
        tools = row.tools if isinstance(row.tools, list) else json.loads(row.tools)
        assert [t["name"] for t in tools] == ["order_status"]
        conversation = fd.query("select status, assigned_agent, agent_state from conversations")[0]
        assert (conversation.status, conversation.assigned_agent) == ("bot", "orders")
        assert conversation.agent_state is not None


def test_a_confirmation_asked_in_one_turn_is_settled_by_a_button_in_the_next(
    database_url: str, graph_url: str
) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        ask = text_message("wamid.C1", "please cancel my order LH-100250", sender=OLIVER)
        assert fd.post_webhook(ask).status_code == 200
        question = replies(fd, 1)[0]
        assert question["body"]["type"] == "interactive"
        buttons = question["body"]["interactive"]["action"]["buttons"]
        yes = next(b["reply"] for b in buttons if "yes" in b["reply"]["title"].lower())
        assert fd.query("select status from orders where order_ref = 'LH-100250'")[0].status == "backordered"
        tap = button_reply("wamid.C2", yes["id"], yes["title"], sender=OLIVER, context=question["wamid"])
        assert fd.post_webhook(tap).status_code == 200
        done = replies(fd, 2)[1]
        assert "LH-100250" in json.dumps(done["body"])
        assert fd.query("select status from orders where order_ref = 'LH-100250'")[0].status == "cancelled"


def test_asking_for_a_person_hands_the_conversation_to_staff(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        assert (
            fd.post_webhook(text_message("wamid.H1", "I want to talk to a human please")).status_code == 200
        )
        replies(fd, 1)  # the bot says a colleague will take over
        fd.wait_for(lambda: fd.query("select status from conversations")[0].status == "human", what="handoff")
        events = fd.query("select type, payload from events where type = 'conversation.updated'")
        assert len(events) == 1
        payload = events[0].payload if isinstance(events[0].payload, dict) else json.loads(events[0].payload)
        assert (payload["status"], payload["reason"]) == ("human", "handoff")
        # From now on staff answer: the bot stays silent.
        assert fd.post_webhook(text_message("wamid.H2", "hello? anyone there?")).status_code == 200
        fd.wait_for(
            lambda: fd.query("select count(*) from jobs where status = 'done'")[0][0] == 2, what="second turn"
        )
        assert len(fd.sent()) == 1


@pytest.fixture
def fake_openai(fake_models_allowed: None) -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    with serve_app(fake.app()) as url:
        yield fake, url


def test_a_configured_provider_answers_and_its_usage_is_stored(
    database_url: str, graph_url: str, fake_openai: tuple[FakeOpenAI, str]
) -> None:
    fake, url = fake_openai
    fake.script(call("order_status", order_ref="LH-100245"), say(LLM_ANSWER))
    settings = {"openai_api_key": "sk-test", "openai_base_url": f"{url}/v1"}
    with running_frontdesk(database_url, graph_url, team=True, **settings) as fd:
        assert fd.post_webhook(text_message("wamid.L1", "where's my floor lamp?")).status_code == 200
        assert replies(fd, 1)[0]["body"]["text"]["body"] == LLM_ANSWER
        assert "15501234567890" in fake.tool_results(1)[0]  # the tool ran on Amelia's real order
        row = fd.wait_for(lambda: fd.query("select * from messages where direction = 'out'"))[0]
        assert row.agent == "orders"
        assert (row.tokens_in, row.tokens_out) == (2 * INPUT_TOKENS, 2 * OUTPUT_TOKENS)  # two model calls
        assert float(row.cost) > 0


def test_a_provider_outage_falls_through_to_the_local_brain(
    database_url: str, graph_url: str, fake_openai: tuple[FakeOpenAI, str]
) -> None:
    fake, url = fake_openai
    fake.outage = 503
    settings = {"openai_api_key": "sk-test", "openai_base_url": f"{url}/v1"}
    with running_frontdesk(database_url, graph_url, team=True, **settings) as fd:
        assert fd.post_webhook(text_message("wamid.L2", "where is my order LH-100245?")).status_code == 200
        body = replies(fd, 1)[0]["body"]
        assert "15501234567890" in json.dumps(body)  # the offline brain looked the order up
        assert fake.requests  # the provider was tried first
        row = fd.wait_for(lambda: fd.query("select tokens_in from messages where direction = 'out'"))[0]
        assert row.tokens_in is None
