"""What Frontdesk can send on WhatsApp, validated against the channel's limits before it is queued."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, model_validator

MAX_TEXT = 4096


def _kind_required(schema: dict[str, Any]) -> None:
    """`kind` picks the message type, so the JSON schema requires it: the default is for code only, and
    a request without it cannot be told apart (the API refuses it)."""
    schema["required"] = ["kind", *(name for name in schema.get("required", []) if name != "kind")]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_kind_required)

    reply_to: str | None = None
    """The channel message id this answers (sent as `context.message_id`)."""


class Text(_Out):
    kind: Literal["text"] = "text"
    body: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    preview_url: StrictBool = False


class Button(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=256)]
    title: Annotated[str, Field(min_length=1, max_length=20)]


class Buttons(_Out):
    """Up to three reply buttons under a body text."""

    kind: Literal["buttons"] = "buttons"
    body: Annotated[str, Field(min_length=1, max_length=1024)]
    buttons: Annotated[tuple[Button, ...], Field(min_length=1, max_length=3)]
    header: Annotated[str | None, Field(max_length=60)] = None
    footer: Annotated[str | None, Field(max_length=60)] = None

    @model_validator(mode="after")
    def _unique_ids(self) -> Buttons:
        if len({b.id for b in self.buttons}) != len(self.buttons):
            raise ValueError("button ids must be unique")
        return self


class Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Annotated[str, Field(min_length=1, max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=24)]
    description: Annotated[str | None, Field(max_length=72)] = None


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    title: Annotated[str | None, Field(max_length=24)] = None
    rows: Annotated[tuple[Row, ...], Field(min_length=1, max_length=10)]


class ListMessage(_Out):
    """A list of up to ten rows in total, opened by a button."""

    kind: Literal["list"] = "list"
    body: Annotated[str, Field(min_length=1, max_length=4096)]
    button: Annotated[str, Field(min_length=1, max_length=20)]
    sections: Annotated[tuple[Section, ...], Field(min_length=1, max_length=10)]
    header: Annotated[str | None, Field(max_length=60)] = None
    footer: Annotated[str | None, Field(max_length=60)] = None

    @model_validator(mode="after")
    def _limits(self) -> ListMessage:
        rows = [r for s in self.sections for r in s.rows]
        if len(rows) > 10:
            raise ValueError("a list may hold at most 10 rows in all")
        if len({r.id for r in rows}) != len(rows):
            raise ValueError("row ids must be unique")
        if len(self.sections) > 1 and any(not s.title for s in self.sections):
            raise ValueError("every section needs a title when there are several")
        return self


class Template(_Out):
    """A pre-approved template; the only kind allowed outside the 24-hour window."""

    kind: Literal["template"] = "template"
    name: Annotated[str, Field(min_length=1, max_length=512)]
    language: Annotated[str, Field(min_length=2, max_length=15)] = "en"
    components: tuple[dict[str, Any], ...] = ()


class Media(_Out):
    """An image, audio, video, document or sticker, by public link or by uploaded media id."""

    kind: Literal["media"] = "media"
    media_type: Literal["image", "audio", "video", "document", "sticker"]
    link: str | None = None
    media_id: str | None = None
    caption: Annotated[str | None, Field(max_length=1024)] = None
    filename: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Media:
        if (self.link is None) == (self.media_id is None):
            raise ValueError("give exactly one of link or media_id")
        if self.caption and self.media_type in ("audio", "sticker"):
            raise ValueError(f"{self.media_type} messages cannot have a caption")
        return self


class Reaction(_Out):
    kind: Literal["reaction"] = "reaction"
    message_id: Annotated[str, Field(min_length=1)]
    emoji: str = ""


OutboundMessage = Annotated[
    Text | Buttons | ListMessage | Template | Media | Reaction, Field(discriminator="kind")
]
_adapter: TypeAdapter[OutboundMessage] = TypeAdapter(OutboundMessage)


def outbound_from_dict(data: dict[str, Any]) -> OutboundMessage:
    """Rebuild an outbound message from its stored JSON (`model_dump(mode="json")`)."""
    return _adapter.validate_python(data)


def preview(message: OutboundMessage) -> str:
    """A short human-readable text for a stored outbound message (inbox, logs at DEBUG, search)."""
    match message:
        case Text() | Buttons() | ListMessage():
            return message.body
        case Template():
            return f"[template {message.name}]"
        case Media():
            return message.caption or f"[{message.media_type}]"
        case Reaction():
            return message.emoji or "[reaction removed]"


def split_text(body: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text into WhatsApp-sized parts at paragraph, line or word boundaries."""
    parts: list[str] = []
    rest = body.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


# --- buttons and lists as numbered text, for channels without interactive messages (the bridge) ------

_CHOICE_NUMBER = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)]?\s*$")


def choices(message: Buttons | ListMessage) -> list[tuple[str, str]]:
    """The (id, title) of each button or list row, in the order they are numbered from 1."""
    if isinstance(message, Buttons):
        return [(button.id, button.title) for button in message.buttons]
    return [(row.id, row.title) for section in message.sections for row in section.rows]


def numbered_text(message: Buttons | ListMessage) -> Text:
    """Buttons or a list as one text whose choices are numbered (`1. Yes`), for a kind without
    interactive messages; `numbered_choice` reads the customer's answer ("2", or a title) back.

    A list keeps its section titles (bold) and rows' descriptions; the header goes first in bold, the
    footer last in italics. A body so long that the whole would not fit in one text is cut short.
    """
    lines: list[str] = []
    number = 0
    if isinstance(message, Buttons):
        lines = [f"{number}. {title}" for number, (_, title) in enumerate(choices(message), 1)]
    else:
        for section in message.sections:
            if section.title and len(message.sections) > 1:
                lines.append(("\n" if lines else "") + f"*{section.title}*")
            for row in section.rows:
                number += 1
                lines.append(f"{number}. {row.title}" + (f" — {row.description}" if row.description else ""))
    head = f"*{message.header}*\n\n" if message.header else ""
    tail = "\n".join(lines) + (f"\n\n_{message.footer}_" if message.footer else "")
    room = MAX_TEXT - len(head) - len(tail) - 2
    body = message.body if len(message.body) <= room else message.body[: room - 1].rstrip() + "…"
    return Text(body=f"{head}{body}\n\n{tail}", reply_to=message.reply_to)


def numbered_choice(text: str, message: Buttons | ListMessage) -> tuple[str, str] | None:
    """The (id, title) the customer chose by answering `text` to `message` sent as `numbered_text`: a
    number in range ("2", "2.", "#2"), or exactly a choice's title (case and surrounding spaces aside).
    None when the text is neither."""
    options = choices(message)
    if match := _CHOICE_NUMBER.fullmatch(text):
        index = int(match.group(1))
        return options[index - 1] if 1 <= index <= len(options) else None
    wanted = text.strip().casefold()
    return next((option for option in options if option[1].strip().casefold() == wanted), None)
