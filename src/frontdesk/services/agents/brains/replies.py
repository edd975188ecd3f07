"""Turning a reply template and a tool's result into WhatsApp messages.

Templates are plain-name `str.format` templates (`domain.team.template_fields`); a name without a
value renders as nothing, never as the name itself. Texts are split at 4,096 characters; choices
become a WhatsApp list (at most ten rows); a confirmation becomes Yes/No reply buttons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from frontdesk.domain.outbound import (
    Button,
    Buttons,
    ListMessage,
    OutboundMessage,
    Row,
    Section,
    Text,
    split_text,
)
from frontdesk.domain.team import template_fields

CONFIRM_YES = "confirm:yes"
CONFIRM_NO = "confirm:no"
_BLANK_LINES = re.compile(r"\n{3,}")
_BUTTON_BODY = 1024


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `template`; unknown or empty names become empty text, lists are joined by commas."""
    filled = {name: display(values.get(name)) for name in template_fields(template)}
    text = template.format(**filled)
    return _BLANK_LINES.sub("\n\n", text).strip()


def display(value: Any) -> str:
    """How a value reads inside a reply."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return str(value)


def texts(body: str) -> list[OutboundMessage]:
    """A reply as WhatsApp texts of at most 4,096 characters each."""
    return [Text(body=part) for part in split_text(body)]


def confirmation(body: str) -> list[OutboundMessage]:
    """A question with Yes/No reply buttons (long text goes first as plain text)."""
    buttons = (Button(id=CONFIRM_YES, title="Yes"), Button(id=CONFIRM_NO, title="No"))
    if len(body) <= _BUTTON_BODY:
        return [Buttons(body=body, buttons=buttons)]
    head, _, question = body.rpartition("\n")
    if not head or len(question) > _BUTTON_BODY:
        return [*texts(body), Buttons(body="Shall I go ahead?", buttons=buttons)]
    return [*texts(head), Buttons(body=question, buttons=buttons)]


def choice_list(body: str, rows: Sequence[Row], *, button: str = "Choose") -> list[OutboundMessage]:
    """A text with a WhatsApp list of up to ten rows (plain text when there are none)."""
    unique = list({row.id: row for row in rows}.values())[:10]
    if not unique:
        return texts(body)
    parts = split_text(body)
    head, last = parts[:-1], parts[-1] if parts else "Please choose:"
    section = Section(rows=tuple(unique))
    return [*(Text(body=p) for p in head), ListMessage(body=last, button=button, sections=(section,))]


def body_of(message: OutboundMessage) -> str:
    """The readable text of a message (for merging and for tests)."""
    if isinstance(message, Text | Buttons | ListMessage):
        return message.body
    return ""
