"""The outbox dispatcher: sends queued replies through the channel, once, in order per conversation.

A reply is claimed with a lease, which commits it as `sending` (with the attempt's time) before the
channel is called; the outcome (the channel's id, or the error) is committed right after the call
returns, ahead of other waiting writers (`Outbox.outcome`). One window remains: the process dies after
the channel accepted the message and before that commit. The row is then found still `sending` once its
lease expires, and the channel's `uncertain_sends` decides: `resend` sends it again (at least once,
perhaps twice), `hold` sends nothing and holds it as `uncertain` for staff (at most once). A channel
timeout after the request went out (`ChannelError.maybe_delivered`) is the same uncertainty and gets the
same choice. A held reply no longer blocks the later replies of its conversation, like a failed one.
Nothing else ever sends a row twice: a whole channel call is bounded by a timeout shorter than the lease
(the settings refuse a lease that is not), and every outcome is written only while the row is still
`sending` under this attempt's claim token, so should an attempt outlive its lease anyway, its late
answer changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from opentelemetry.trace import SpanKind

from frontdesk.domain import traces
from frontdesk.domain.channel_kinds import CAPABILITIES
from frontdesk.domain.errors import UNSUPPORTED, ChannelError, ConfigurationError, WindowClosedError
from frontdesk.domain.models import OutboxItem, UncertainSends
from frontdesk.domain.ops import Metrics, NoMetrics
from frontdesk.domain.outbound import OutboundMessage, Template, outbound_from_dict
from frontdesk.domain.ports import ChannelSender, Clock, Outbox
from frontdesk.services.polling import PollingPool
from frontdesk.services.retry import Backoff

log = logging.getLogger(__name__)

SERVICE_WINDOW = timedelta(hours=24)
INTERRUPTED = "the process stopped while sending this reply; WhatsApp may have delivered it"
TIMED_OUT = "WhatsApp did not answer in time; it may have delivered this reply"
UNSENDABLE = "unsendable"


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while the 24-hour customer-service window is open (the customer wrote less than 24 h ago)."""
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


class Dispatcher:
    """Sends outbox rows with `concurrency` tasks; transient failures retry with backoff.

    `send_timeout_seconds` bounds one whole channel call (connecting, writing and waiting for the answer
    together); it must be shorter than the lease, so a send in flight is never claimed again."""

    def __init__(
        self,
        *,
        outbox: Outbox,
        sender: ChannelSender,
        clock: Clock,
        concurrency: int,
        lease_seconds: float,
        poll_seconds: float,
        max_attempts: int,
        backoff: Backoff,
        send_timeout_seconds: float | None = None,
        metrics: Metrics | None = None,
        on_outcome: Callable[[], None] | None = None,
    ):
        if send_timeout_seconds is not None and send_timeout_seconds >= lease_seconds:
            raise ConfigurationError(
                f"the send timeout ({send_timeout_seconds} s) must be shorter than the lease "
                f"({lease_seconds} s), or a send still in flight is claimed and sent again"
            )
        self._metrics = metrics or NoMetrics()
        self._on_outcome = on_outcome
        self._outbox = outbox
        self._sender = sender
        self._clock = clock
        self._lease = lease_seconds
        self._send_timeout = send_timeout_seconds
        self._max_attempts = max_attempts
        self._backoff = backoff
        self.pool = PollingPool(
            name="dispatcher", step=self.send_once, concurrency=concurrency, poll_seconds=poll_seconds
        )

    async def send_once(self) -> bool:
        """Claim and send one due reply; True if there was one."""
        item = await self._outbox.claim_outbox(now=self._clock.now(), lease_seconds=self._lease)
        if item is None:
            return False
        await self._send(item)
        return True

    async def _send(self, item: OutboxItem) -> None:
        """Send one claimed reply in a span continuing the trace of the turn that wrote it."""
        attributes = {
            traces.TENANT: item.channel.tenant_id,
            traces.CHANNEL: item.channel.id,
            traces.CHANNEL_KIND: item.channel.kind.value,
            traces.CONVERSATION: item.conversation_id,
            traces.ATTEMPT: item.attempts,
        }
        parent = traces.context_from(item.traceparent)
        with traces.span("send", parent=parent, kind=SpanKind.PRODUCER, attributes=attributes):
            await self._send_claimed(item)

    async def _send_claimed(self, item: OutboxItem) -> None:
        holds = item.channel.uncertain_sends is UncertainSends.HOLD
        if item.interrupted and holds:
            await self._hold(item, reason=INTERRUPTED)
            return
        try:
            message = _message(item)
            self._check_sendable(item, message)
            wamid = await self._call(item, message)
        except ChannelError as exc:
            if exc.maybe_delivered and holds:
                await self._hold(item, reason=TIMED_OUT)
            else:
                await self._failed(item, exc)
            return
        async with self._outbox.outcome() as tx:
            recorded = await tx.outbox_sent(item, channel_message_id=wamid, now=self._clock.now())
        self._counted(item, "sent", code=None, recorded=recorded, wamid=wamid)

    def _check_sendable(self, item: OutboxItem, message: OutboundMessage) -> None:
        """What the channel's kind forbids fails for good: a template where there are none (the bridge),
        anything but a template outside the 24-hour window where Meta enforces one."""
        can = CAPABILITIES[item.channel.kind]
        if isinstance(message, Template):
            if not can.templates:
                raise ChannelError(
                    f"{item.channel.kind} numbers cannot send templates", code=UNSUPPORTED, transient=False
                )
        elif can.service_window and not window_open(item.last_inbound_at, self._clock.now()):
            raise WindowClosedError()

    async def _call(self, item: OutboxItem, message: OutboundMessage) -> str:
        """The channel call, within the send timeout: running out of it is a timeout after the request
        may have gone out (what Graph does with a cancelled request is unknown)."""
        try:
            async with asyncio.timeout(self._send_timeout):
                return await self._sender.send(channel=item.channel, to=item.to, message=message)
        except TimeoutError:
            raise ChannelError(
                f"the channel did not answer within {self._send_timeout} s",
                code="timeout",
                transient=True,
                maybe_delivered=True,
            ) from None

    async def _hold(self, item: OutboxItem, *, reason: str) -> None:
        """Hold a reply that may have been delivered for staff (the channel's policy is `hold`)."""
        log.warning("send held as uncertain", extra={"outbox_id": item.id, "attempt": item.attempts})
        async with self._outbox.outcome() as tx:
            recorded = await tx.outbox_uncertain(item, reason=reason, now=self._clock.now())
        self._counted(item, "uncertain", code=None, recorded=recorded)

    async def _failed(self, item: OutboxItem, exc: ChannelError) -> None:
        now = self._clock.now()
        log.warning(
            "send failed",
            extra={
                "outbox_id": item.id,
                "code": exc.code,
                "transient": exc.transient,
                "attempt": item.attempts,
            },
        )
        async with self._outbox.outcome() as tx:
            if exc.transient and item.attempts < self._max_attempts:
                retry_at = now + timedelta(seconds=self._backoff.delay(item.attempts))
                result, recorded = "retry", await tx.outbox_retry(item, error=str(exc), run_at=retry_at)
            else:
                result = "failed"
                recorded = await tx.outbox_failed(item, code=exc.code, error=exc.message, now=now)
        self._counted(item, result, code=exc.code, recorded=recorded)

    def _counted(
        self, item: OutboxItem, result: str, *, code: str | None, recorded: bool, wamid: str | None = None
    ) -> None:
        """Count a recorded outcome; log one that came too late (its row was claimed again meanwhile)."""
        traces.set_attributes(
            {traces.OUTCOME: result if recorded else "dropped", "frontdesk.send.code": code}
        )
        if recorded:
            self._metrics.send(result=result, code=code)
            if self._on_outcome:  # the outcome's live event is committed: other processes' feeds read it
                self._on_outcome()
            return
        log.warning(
            "send outcome dropped: the row was claimed again while this attempt was sending",
            extra={"outbox_id": item.id, "attempt": item.attempts, "result": result, "wamid": wamid},
        )


def _message(item: OutboxItem) -> OutboundMessage:
    """The stored reply; one that no longer decodes (erased by retention, written by an older release)
    can never be sent, so it fails for good instead of leaving its row `sending` and blocking the rest
    of its conversation."""
    try:
        return outbound_from_dict(item.payload)
    except ValueError:  # pydantic's ValidationError
        raise ChannelError(
            "the stored reply cannot be sent: its content was erased or is not a message",
            code=UNSENDABLE,
            transient=False,
        ) from None
