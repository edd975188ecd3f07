"""Merging several agents' replies into one WhatsApp reply, in the order of the message's parts."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.domain.outbound import Buttons, ListMessage, OutboundMessage, Text, split_text

SEPARATOR = "\n\n"


def merge_messages(replies: Sequence[Sequence[OutboundMessage]]) -> list[OutboundMessage]:
    """One text for all the agents' texts, then at most one interactive message (buttons or a list).

    Only one interactive message is kept so that a tap answers one question; the others' questions
    stay in the text. A single reply is returned as it is.
    """
    if len(replies) == 1:
        return list(replies[0])
    bodies: list[str] = []
    interactive: OutboundMessage | None = None
    others: list[OutboundMessage] = []
    for messages in replies:
        for message in messages:
            if isinstance(message, Buttons | ListMessage) and interactive is None:
                interactive = message
            elif isinstance(message, Text | Buttons | ListMessage):
                bodies.append(message.body)
            else:
                others.append(message)
    merged: list[OutboundMessage] = [Text(body=part) for part in split_text(SEPARATOR.join(bodies))]
    return [*merged, *others, *([interactive] if interactive is not None else [])]
