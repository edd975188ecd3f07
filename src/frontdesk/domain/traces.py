"""Traces: one per customer message, from its webhook to the reply's delivery status (OpenTelemetry).

Code everywhere uses only the OpenTelemetry API through this module. Without an SDK configured (no
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_TRACES_EXPORTER`, see `frontdesk.wiring.telemetry`) the API's
tracer is the no-op one: spans cost a function call and record nothing.

A trace crosses two queues, each a database row, so its context travels in the row as a W3C
`traceparent` string: the turn job's payload (`TRACEPARENT`) and the outbox row's payload
(`OUTBOX_TRACEPARENT`, taken out again before the reply is decoded). A delivery status arrives in a
webhook of its own, so its span starts a trace of its own and links to the reply's.

Attributes name things by id and kind only: never a message's text, a phone number, a name or an
e-mail (tests/integration/test_traces.py runs a turn and looks for them in every span).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACER_NAME = "frontdesk"
TRACEPARENT = "traceparent"
"""The key of a turn job's payload holding the context of the webhook that queued it."""
OUTBOX_TRACEPARENT = "_traceparent"
"""The key of an outbox row's payload holding the context of the turn that wrote it (not a message
field: the store takes it out before the reply is decoded)."""

# Attribute names (a namespace of our own, beside OpenTelemetry's semantic conventions).
TENANT = "frontdesk.tenant.id"
CHANNEL = "frontdesk.channel.id"
CHANNEL_KIND = "frontdesk.channel.kind"
CONVERSATION = "frontdesk.conversation.id"
AGENT = "frontdesk.agent"
TOOL = "frontdesk.tool"
OUTCOME = "frontdesk.outcome"
ATTEMPT = "frontdesk.attempt"
JOB_KIND = "frontdesk.job.kind"

_PROPAGATOR = TraceContextTextMapPropagator()


def tracer() -> trace.Tracer:
    """Frontdesk's tracer, from whatever provider is set when it is asked for (the no-op one without
    an SDK; asking each time lets a provider set after import take effect)."""
    return trace.get_tracer(TRACER_NAME)


def sdk_configured() -> bool:
    """True once a real tracer provider is set (`frontdesk.wiring.telemetry`); without one every span is
    the no-op one."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def recording() -> bool:
    """True when the current span records: only then is extra work for a trace worth doing."""
    return trace.get_current_span().is_recording()


def current_traceparent() -> str | None:
    """The current span's context as a W3C `traceparent`, or None when there is none (no SDK). An
    unsampled span's context is passed on too: its "not sampled" flag is the decision the job's and the
    send's spans must follow (parent-based sampling), not a new root's."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_from(traceparent: object) -> otel_context.Context | None:
    """The context a stored `traceparent` names (the parent of a job's span), None without one."""
    if not isinstance(traceparent, str):
        return None
    extracted = _PROPAGATOR.extract({TRACEPARENT: traceparent})
    return extracted if trace.get_current_span(extracted).get_span_context().is_valid else None


def links_to(traceparent: object) -> list[Link]:
    """A link to the span a stored `traceparent` names (a status to its reply's send), or none."""
    parent = context_from(traceparent)
    if parent is None:
        return []
    return [Link(trace.get_current_span(parent).get_span_context())]


def set_attributes(attributes: Mapping[str, Any]) -> None:
    """Set the attributes that have a value on the current span (a no-op when it does not record)."""
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attributes({name: value for name, value in attributes.items() if value is not None})


@contextmanager
def span(
    name: str,
    *,
    parent: otel_context.Context | None = None,
    kind: trace.SpanKind = trace.SpanKind.INTERNAL,
    links: list[Link] | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[trace.Span]:
    """A span made current for the block; an exception ends it as an error (and is re-raised).

    The error is named by its type only: an exception's message may quote what a customer wrote or a
    number (a channel's error text), which the SDK's `record_exception` would copy into the trace."""
    if not sdk_configured():
        # The API's no-op path still builds a span and attaches a context per span (~40 µs for a
        # message's eight on this machine); with nothing to record, skip it all.
        yield trace.INVALID_SPAN
        return
    values = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer().start_as_current_span(
        name,
        context=parent,
        kind=kind,
        links=links,
        attributes=values,
        record_exception=False,
        set_status_on_exception=False,
    ) as current:
        try:
            yield current
        except BaseException as error:
            current.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))
            current.set_attribute("error.type", type(error).__name__)
            raise
