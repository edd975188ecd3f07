"""Turn jobs over real HTTP and a real database: in order per conversation, in parallel across them,
retried when the responder fails, dead-lettered without blocking the line, silent when staff hold it.
"""

from __future__ import annotations

import asyncio
import time

from frontdesk.domain.outbound import Text
from frontdesk.domain.turns import Answer, Turn
from tests.support.harness import EchoResponder, Running, running_frontdesk
from tests.support.payloads import AMELIA, text_message

CUSTOMERS = ("447700900101", "447700900102", "447700900103")


class CountingResponder:
    """Echoes after `delay` seconds and remembers how many turns it was running at once."""

    def __init__(self, delay: float):
        self.delay = delay
        self.running = 0
        self.most_at_once = 0
        self.calls: list[str] = []

    async def respond(self, turn: Turn) -> Answer:
        self.calls.append(turn.message.text or "")
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.running -= 1
        return Answer(messages=[Text(body=f"echo: {turn.message.text}")], agent="counting")


class FailsOn(EchoResponder):
    """Echoes every message except `poison`, which always raises."""

    def __init__(self, poison: str):
        super().__init__()
        self.poison = poison

    async def respond(self, turn: Turn) -> Answer:
        if turn.message.text == self.poison:
            self.calls.append(self.poison)
            raise RuntimeError(f"cannot answer {self.poison!r}")
        return await super().respond(turn)


def bodies(fd: Running, to: str | None = None) -> list[str]:
    """The text of each reply the Graph API accepted, in the order it received them."""
    return [s["body"]["text"]["body"] for s in fd.sent() if to is None or s["body"]["to"] == to]


def jobs(fd: Running) -> list[tuple[str, int]]:
    return [(r.status, r.attempts) for r in fd.query("select status, attempts from jobs order by id")]


def test_one_customers_messages_are_answered_one_at_a_time_in_order(
    database_url: str, graph_url: str
) -> None:
    responder = CountingResponder(delay=0.1)
    texts = [f"message {i}" for i in range(5)]
    with running_frontdesk(database_url, graph_url, responder=responder, workers=4) as fd:
        for i, text in enumerate(texts):
            assert fd.post_webhook(text_message(f"wamid.O{i}", text)).status_code == 200
        fd.wait_for(lambda: len(fd.sent()) == len(texts), timeout=10, what="five replies")
        assert bodies(fd) == [f"echo: {t}" for t in texts]
    assert responder.calls == texts
    assert responder.most_at_once == 1


def test_a_retried_send_holds_the_conversations_later_replies(database_url: str, graph_url: str) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        fd.fail_graph(status=500, times=1, hold=True)  # fails only once the second reply is queued
        assert fd.post_webhook(text_message("wamid.Q1", "first")).status_code == 200
        assert fd.post_webhook(text_message("wamid.Q2", "second")).status_code == 200
        fd.wait_for(lambda: fd.query("select count(*) from outbox")[0][0] == 2, what="both replies queued")
        assert fd.release_graph() == 1
        fd.wait_for(lambda: len(fd.sent()) == 2, what="both replies")
        records = fd.client.get(f"{fd.graph_url}/_fake/messages").json()["messages"]
        attempts = [(r["body"]["text"]["body"], r["http_status"]) for r in records if "text" in r["body"]]
        assert attempts == [("echo: first", 500), ("echo: first", 200), ("echo: second", 200)]


def test_different_customers_are_answered_in_parallel(database_url: str, graph_url: str) -> None:
    delay = 0.6
    responder = CountingResponder(delay=delay)
    with running_frontdesk(database_url, graph_url, responder=responder, workers=4) as fd:
        for i, customer in enumerate(CUSTOMERS):
            assert (
                fd.post_webhook(text_message(f"wamid.P{i}", f"from {customer}", sender=customer)).status_code
                == 200
            )
        fd.wait_for(lambda: len(fd.sent()) == len(CUSTOMERS), timeout=10, what="three replies")
    # Overlap is proven by the responder's own count, not by timing (speed belongs in bench/).
    assert responder.most_at_once == len(CUSTOMERS)


def test_failed_turn_is_retried_and_replies_once(database_url: str, graph_url: str) -> None:
    responder = EchoResponder(fail_first=1)
    with running_frontdesk(database_url, graph_url, responder=responder) as fd:
        assert fd.post_webhook(text_message("wamid.F1", "are you there?")).status_code == 200
        fd.wait_for(lambda: jobs(fd) == [("done", 2)], what="the turn to succeed on its second attempt")
        fd.wait_for(fd.sent, what="the reply")
        assert responder.calls == ["are you there?", "are you there?"]
        time.sleep(0.2)
        assert bodies(fd) == ["echo: are you there?"]
        assert fd.query("select count(*) from messages where direction = 'out'")[0][0] == 1


def test_dead_turn_does_not_block_the_conversations_next_message(database_url: str, graph_url: str) -> None:
    responder = FailsOn("boom")
    with running_frontdesk(database_url, graph_url, responder=responder, job_max_attempts=2) as fd:
        assert fd.post_webhook(text_message("wamid.D1", "boom")).status_code == 200
        assert fd.post_webhook(text_message("wamid.D2", "hello")).status_code == 200
        fd.wait_for(fd.sent, what="the reply to the next message")
        assert bodies(fd) == ["echo: hello"]
        assert jobs(fd) == [("dead", 2), ("done", 1)]
        assert responder.calls == ["boom", "boom", "hello"]
        (error,) = fd.query("select last_error from jobs where status = 'dead'")
        assert "cannot answer 'boom'" in error.last_error


def test_conversation_held_by_staff_gets_no_reply(database_url: str, graph_url: str) -> None:
    responder = EchoResponder()
    with running_frontdesk(database_url, graph_url, responder=responder) as fd:
        assert fd.post_webhook(text_message("wamid.H1", "hello")).status_code == 200
        fd.wait_for(fd.sent, what="the bot's first reply")
        assert fd.execute("update conversations set status = 'human'") == 1
        assert fd.post_webhook(text_message("wamid.H2", "I want a person")).status_code == 200
        fd.wait_for(lambda: jobs(fd) == [("done", 1), ("done", 1)], what="the second turn to finish")
        time.sleep(0.2)
        assert bodies(fd, to=AMELIA) == ["echo: hello"]
        assert responder.calls == ["hello"]
        stored = fd.query(
            "select text from messages where channel_message_id = 'wamid.H2' and direction = 'in'"
        )
        assert [r.text for r in stored] == ["I want a person"]
        assert fd.query("select count(*) from outbox")[0][0] == 1
