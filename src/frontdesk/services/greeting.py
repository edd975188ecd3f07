"""The default responder until an agent team is configured: a short greeting naming the business."""

from __future__ import annotations

from frontdesk.domain.outbound import Text
from frontdesk.domain.turns import Answer, Turn


class GreetingResponder:
    """Answers every message with a greeting from the business."""

    async def respond(self, turn: Turn) -> Answer:
        name = f" {turn.contact.name.split()[0]}" if turn.contact.name else ""
        body = (
            f"Hi{name}! Thanks for writing to {turn.tenant.name}. We've got your message and will reply soon."
        )
        return Answer(messages=[Text(body=body, reply_to=turn.message.channel_message_id)], agent="greeting")
