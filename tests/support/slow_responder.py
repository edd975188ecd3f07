"""A responder for process-level tests (loaded with FRONTDESK_RESPONDER=tests.support.slow_responder:make)."""

from __future__ import annotations

import asyncio

from frontdesk.domain.outbound import Text
from frontdesk.domain.turns import Answer, Turn


class SlowResponder:
    """Takes two seconds to think, so a test can kill the process in the middle of a turn."""

    async def respond(self, turn: Turn) -> Answer:
        await asyncio.sleep(2.0)
        return Answer(messages=[Text(body=f"slow echo: {turn.message.text}")], agent="slow")


def make() -> SlowResponder:
    return SlowResponder()
