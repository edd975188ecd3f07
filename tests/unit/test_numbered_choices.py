"""Buttons and lists as numbered text for the bridge, the customer's answer read back as a tap, and the
bridge's per-recipient pacing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from frontdesk.adapters.channels.wa_bridge.pacing import MAX_IDLE_KEYS, Pacer
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Tenant,
)
from frontdesk.domain.outbound import (
    MAX_TEXT,
    Button,
    Buttons,
    ListMessage,
    Row,
    Section,
    Text,
    numbered_choice,
    numbered_text,
)
from frontdesk.domain.turns import Turn
from frontdesk.services.agents.brains.pending import reply_id
from frontdesk.services.turns import read_back_choice

SIZES = Buttons(
    body="Which size?",
    buttons=(Button(id="size-s", title="Small"), Button(id="size-l", title="Large")),
    header="Sizes",
    footer="Tap one",
    reply_to="fd-1:IN",
)
SLOTS = ListMessage(
    body="Pick a time",
    button="Times",
    sections=(
        Section(
            title="Morning",
            rows=(Row(id="t9", title="9:00", description="with Ana"), Row(id="t10", title="10:00")),
        ),
        Section(title="Afternoon", rows=(Row(id="t14", title="14:00"),)),
    ),
)


def test_buttons_as_numbered_text() -> None:
    text = numbered_text(SIZES)
    assert text == Text(body="*Sizes*\n\nWhich size?\n\n1. Small\n2. Large\n\n_Tap one_", reply_to="fd-1:IN")


def test_a_list_numbers_its_rows_across_sections() -> None:
    body = numbered_text(SLOTS).body
    assert body == "Pick a time\n\n*Morning*\n1. 9:00 — with Ana\n2. 10:00\n\n*Afternoon*\n3. 14:00"


def test_a_body_too_long_for_one_text_is_cut() -> None:
    long = ListMessage(body="x" * 4096, button="Open", sections=(Section(rows=(Row(id="a", title="A"),)),))
    body = numbered_text(long).body
    assert len(body) <= MAX_TEXT
    assert body.endswith("…\n\n1. A")


@pytest.mark.parametrize(
    ("answer", "chosen"),
    [
        ("2", ("size-l", "Large")),
        (" 1. ", ("size-s", "Small")),
        ("#2", ("size-l", "Large")),
        ("1)", ("size-s", "Small")),
        ("large", ("size-l", "Large")),
        ("  SMALL ", ("size-s", "Small")),
        ("3", None),
        ("0", None),
        ("small please", None),
        ("", None),
    ],
)
def test_the_answer_read_back(answer: str, chosen: tuple[str, str] | None) -> None:
    assert numbered_choice(answer, SIZES) == chosen


def test_a_list_answer_by_number_or_title() -> None:
    assert numbered_choice("3", SLOTS) == ("t14", "14:00")
    assert numbered_choice("10:00", SLOTS) == ("t10", "10:00")


NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _message(
    id_: int, direction: Direction, type_: str, text: str | None, content: dict[str, Any]
) -> Message:
    status = MessageStatus.RECEIVED if direction is Direction.IN else MessageStatus.SENT
    return Message(
        id=id_,
        tenant_id=1,
        conversation_id=1,
        direction=direction,
        type=type_,
        text=text,
        content=content,
        status=status,
        created_at=NOW,
    )


def _turn(answer: str, asked: Buttons | ListMessage | Text | None) -> Turn:
    history = []
    if asked is not None:
        payload = asked.model_dump(mode="json", exclude_none=True)
        history.append(_message(1, Direction.OUT, asked.kind, None, payload))
    message = _message(2, Direction.IN, "text", answer, {"type": "text", "text": answer, "sender": "5511"})
    return Turn(
        tenant=Tenant(id=1, slug="t", name="T"),
        contact=Contact(id=1, tenant_id=1, wa_id="5511"),
        conversation=Conversation(
            id=1, tenant_id=1, contact_id=1, channel_id=1, status=ConversationStatus.BOT
        ),
        message=message,
        history=history,
    )


def test_a_numbered_answer_reaches_the_agents_as_a_tap() -> None:
    turn = read_back_choice(_turn("2", SIZES), ChannelKind.WA_BRIDGE)
    assert (turn.message.type, turn.message.text) == ("interactive", "Large")
    assert turn.message.content["reply"] == {"kind": "button_reply", "id": "size-l", "title": "Large"}
    assert reply_id(turn) == "size-l"  # what the agents read of a Cloud API tap
    listed = read_back_choice(_turn("1", SLOTS), ChannelKind.WA_BRIDGE)
    assert listed.message.content["reply"] == {"kind": "list_reply", "id": "t9", "title": "9:00"}


@pytest.mark.parametrize(
    ("answer", "asked", "kind"),
    [
        ("2", SIZES, ChannelKind.WHATSAPP_CLOUD),  # real buttons there: "2" is just text
        ("2", Text(body="How many?"), ChannelKind.WA_BRIDGE),
        ("2", None, ChannelKind.WA_BRIDGE),
        ("5", SIZES, ChannelKind.WA_BRIDGE),
        ("the big one", SIZES, ChannelKind.WA_BRIDGE),
    ],
)
def test_other_answers_stay_as_typed(answer: str, asked: Any, kind: ChannelKind) -> None:
    turn = _turn(answer, asked)
    assert read_back_choice(turn, kind) is turn


def test_an_erased_question_leaves_the_answer_as_typed() -> None:
    turn = _turn("2", SIZES)
    erased = _message(1, Direction.OUT, "buttons", None, {"redacted": True})
    turn = Turn(**{**vars(turn), "history": [erased]})
    assert read_back_choice(turn, ChannelKind.WA_BRIDGE) is turn


async def test_pacing_delays_one_recipient_only() -> None:
    pacer = Pacer(0.2)
    order: list[str] = []

    async def send(key: str, name: str) -> None:
        async with pacer.paced(key):
            order.append(name)

    first = asyncio.create_task(send("ana", "ana-1"))
    await first
    # The second message to Ana waits for her interval; Bob's first does not wait behind it.
    await asyncio.gather(send("ana", "ana-2"), send("bob", "bob-1"))
    assert order == ["ana-1", "bob-1", "ana-2"]


async def test_a_send_to_a_recipient_waits_for_the_one_in_flight() -> None:
    pacer = Pacer(0.01)
    order: list[str] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with pacer.paced("ana"):
            order.append("first starts")
            started.set()
            await release.wait()
            order.append("first ends")

    async def second() -> None:
        async with pacer.paced("ana"):
            order.append("second starts")

    sending = asyncio.create_task(first())
    await started.wait()
    waiting = asyncio.create_task(second())
    await asyncio.sleep(0.05)  # well past the interval: the key is still held by the first send
    assert order == ["first starts"]
    release.set()
    await asyncio.gather(sending, waiting)
    assert order == ["first starts", "first ends", "second starts"]
    assert len(pacer) == 1


async def test_pacing_forgets_recipients_that_no_longer_wait() -> None:
    clock = [0.0]
    pacer = Pacer(1.0, now=lambda: clock[0])
    for n in range(MAX_IDLE_KEYS + 50):
        async with pacer.paced(n):
            pass
        clock[0] += 0.01  # one send every 10 ms: only the last 100 recipients can still be waited for
    assert len(pacer) <= MAX_IDLE_KEYS + 1


async def test_no_interval_means_no_pacing() -> None:
    pacer = Pacer(0.0)
    async with pacer.paced("ana"):
        pass
    assert len(pacer) == 0
