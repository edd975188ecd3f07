"""The responder of `bench/crash_sends.py`'s server (FRONTDESK_RESPONDER=bench.crash_responder:make).

Three replies per message, at once, each naming the message it answers: the sends, not the model, are
what the crash benchmark measures, and a unique text per reply lets it count copies on the fake Graph.
"""

from __future__ import annotations

from frontdesk.domain.outbound import Text
from frontdesk.domain.turns import Answer, Turn

REPLIES = 3


class ThreeReplies:
    async def respond(self, turn: Turn) -> Answer:
        text = turn.message.text or ""
        return Answer(messages=[Text(body=f"r{i}/{text}") for i in range(1, REPLIES + 1)], agent="bench")


def make() -> ThreeReplies:
    return ThreeReplies()
