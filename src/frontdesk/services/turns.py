"""A turn: answer one inbound message through the `Responder`, writing the reply to the outbox.

The responder runs outside any transaction (a model call can take seconds); the reply, the outbox rows,
the team's state for the next turn, a handoff to staff and the job's completion then commit together,
so a job that runs twice still replies once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from frontdesk.domain import live, traces
from frontdesk.domain.channel_kinds import CAPABILITIES, ChannelKind
from frontdesk.domain.events import Reply
from frontdesk.domain.media import as_read
from frontdesk.domain.models import ConversationStatus, Direction, Job
from frontdesk.domain.ops import Metrics, NoMetrics
from frontdesk.domain.outbound import Buttons, ListMessage, numbered_choice, outbound_from_dict
from frontdesk.domain.ports import Clock, JobQueue, Responder, Store, Tx
from frontdesk.domain.turns import Answer, Turn

log = logging.getLogger(__name__)

HISTORY = 20


class TurnService:
    """Runs `turn` jobs."""

    def __init__(
        self,
        *,
        store: Store,
        queue: JobQueue,
        responder: Responder,
        clock: Clock,
        on_reply: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        on_live: Callable[[], None] | None = None,
    ):
        self._metrics = metrics or NoMetrics()
        self._store = store
        self._queue = queue
        self._responder = responder
        self._clock = clock
        self._on_reply = on_reply
        self._on_live = on_live

    async def run(self, job: Job, worker: str) -> None:
        """Answer the job's message unless staff hold the conversation; finish the job atomically."""
        with traces.span("turn"):
            outcome = await self._run(job, worker)
            traces.set_attributes({traces.OUTCOME: outcome})

    async def _run(self, job: Job, worker: str) -> str:
        """The turn; what became of it: `answered`, `handoff`, `silent` (no reply), `staff` (staff hold
        the conversation, or took it while the responder thought) or `disabled` (the business)."""
        turn = await self._load(job)
        answer = None
        # A disabled business gets no answers: its turns finish without one (its webhooks are ignored
        # too, so only turns queued before it was disabled reach here).
        if turn.conversation.status is ConversationStatus.BOT and not turn.tenant.disabled:
            started = time.perf_counter()
            answer = await self._responder.respond(turn)
            elapsed = time.perf_counter() - started
            latency_ms = int(elapsed * 1000)
            self._metrics.turn(seconds=elapsed, usage=answer.usage)
        async with self._store.transaction() as tx:
            conversation = await tx.conversation(turn.conversation.id)
            # Staff may have taken over while the responder was thinking: then the bot stays silent.
            if answer and conversation.status is ConversationStatus.BOT:
                await self._record(tx, turn, answer, latency_ms)
            await self._queue.finish_job(tx, job.id, worker=worker, now=self._clock.now())
        if answer and answer.messages and self._on_reply:
            self._on_reply()  # wakes the dispatchers, and the live feeds (the reply carries its event)
        elif answer and self._on_live:
            self._on_live()  # no reply, but a handoff or the bot's state changed the conversation's view
        return _outcome(turn, answer, conversation.status)

    async def _record(self, tx: Tx, turn: Turn, answer: Answer, latency_ms: int) -> None:
        """Write the reply to the outbox, the team's state and any handoff, in the turn's transaction."""
        conversation, now = turn.conversation, self._clock.now()
        for index, out in enumerate(answer.messages):
            await tx.add_outbound(
                conversation=conversation,
                message=out,
                to=turn.contact.wa_id,
                agent=answer.agent,
                tools=answer.tools,
                latency_ms=latency_ms,
                now=now,
                usage=answer.usage if index == 0 else (),  # a turn's model cost is counted once
            )
        await tx.save_agent_state(conversation.id, state=answer.state, agent=answer.agent, now=now)
        if answer.handoff:
            await tx.set_status(conversation.id, ConversationStatus.HUMAN, now=now)
            await tx.add_event(
                tenant_id=conversation.tenant_id,
                type=live.CONVERSATION_UPDATED,
                payload={
                    "conversation_id": conversation.id,
                    "status": ConversationStatus.HUMAN.value,
                    "reason": "handoff",
                    "agent": answer.agent,
                },
                now=now,
            )
            log.info("conversation handed to staff", extra={"conversation_id": conversation.id})

    async def _load(self, job: Job) -> Turn:
        async with self._store.transaction() as tx:
            message = await tx.message(int(job.payload["message_id"]))
            conversation = await tx.conversation(message.conversation_id)
            channel = await tx.channel_by_id(conversation.channel_id)
            turn = Turn(
                tenant=await tx.tenant(conversation.tenant_id),
                contact=await tx.contact(conversation.contact_id),
                conversation=conversation,
                message=as_read(message),
                history=[
                    as_read(m)
                    for m in await tx.recent_messages(conversation.id, before_id=message.id, limit=HISTORY)
                ],
                team_version=channel.team_version,
            )
            traces.set_attributes(
                {
                    traces.TENANT: conversation.tenant_id,
                    traces.CHANNEL: channel.id,
                    traces.CHANNEL_KIND: channel.kind.value,
                    traces.CONVERSATION: conversation.id,
                }
            )
            return read_back_choice(turn, channel.kind)


def _outcome(turn: Turn, answer: Answer | None, status_now: ConversationStatus) -> str:
    if turn.tenant.disabled:
        return "disabled"
    if answer is None or status_now is not ConversationStatus.BOT:
        return "staff"
    traces.set_attributes({traces.AGENT: answer.agent})
    if answer.handoff:
        return "handoff"
    return "answered" if answer.messages else "silent"


def read_back_choice(turn: Turn, kind: ChannelKind) -> Turn:
    """The turn with a numbered answer read as the button or row it names, on a kind without
    interactive messages.

    There buttons and lists went as numbered text (`numbered_text`), so the customer answers "2" or a
    choice's title. When the conversation's last outbound message was such a choice and the answer names
    one (`numbered_choice`), the agents see it exactly as a Cloud API tap: type `interactive`, the
    choice's title as the text, and `content.reply` with its id (`button_reply` or `list_reply`). The
    stored message keeps what the customer typed.
    """
    message = turn.message
    if CAPABILITIES[kind].interactive or message.type != "text" or not message.text:
        return turn
    asked = next((m for m in reversed(turn.history) if m.direction is Direction.OUT), None)
    if asked is None or asked.type not in ("buttons", "list"):
        return turn
    try:
        offered = outbound_from_dict(asked.content)
    except ValueError:  # erased by retention: nothing to read the answer against
        return turn
    chosen = numbered_choice(message.text, offered) if isinstance(offered, Buttons | ListMessage) else None
    if chosen is None:
        return turn
    kind_of_tap = "button_reply" if isinstance(offered, Buttons) else "list_reply"
    tap = Reply(kind=kind_of_tap, id=chosen[0], title=chosen[1]).model_dump(exclude_none=True)
    content = {**message.content, "type": "interactive", "text": chosen[1], "reply": tap}
    update = {"type": "interactive", "text": chosen[1], "content": content}
    return replace(turn, message=message.model_copy(update=update))
