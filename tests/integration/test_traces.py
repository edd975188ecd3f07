"""Traces (OpenTelemetry): one per customer message, from its webhook to the reply's delivery status.

A real app (tests/support/harness.py) runs with the SDK's in-memory exporter as the process's tracer
provider: one webhook message gives one trace covering webhook, ingest, the turn job (its parent in
the job row), supervisor, agent, tool, model calls (pydantic-ai's instrumentation) and the send (its
parent in the outbox row); the delivery status webhook's span links to it. No span carries the
message's text, the customer's number, name or e-mail. Export: a real OTLP/HTTP receiver on loopback
gets the spans the configured provider sends. Without an OTEL variable nothing is configured.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from pydantic_ai import Agent

from frontdesk.domain import traces
from frontdesk.logs import configure_logging
from frontdesk.settings import Settings, TraceIdFormat
from frontdesk.wiring.telemetry import configure_tracing, exporter_name, instrument_models, tracer_provider
from tests.support.fake_llm import FakeOpenAI, call, say
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, status, text_message
from tests.support.servers import serve_app

QUESTION = "where is my order LH-100245? I am Amelia Clarke, amelia.clarke@example.com"
MODEL_ANSWER = "Your *Lumen Arc Floor Lamp* (LH-100245) is on its way with DPD: 15501234567890."
# What a trace must never hold: the message, the number, the names (the webhook's profile name and the
# demo's customer record) and the e-mail.
PRIVATE = (QUESTION, "where is my order", AMELIA, "Amelia", "Clarke", "Customer 101", "amelia.clarke@")
OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
)


def _reset_trace_globals() -> None:
    """Forget the process's tracer provider (what opentelemetry-test-utils' `reset_trace_globals`
    does): the API sets one once per process, and the other tests must run with none."""
    trace._TRACER_PROVIDER = None  # type: ignore[attr-defined]
    trace._TRACER_PROVIDER_SET_ONCE._done = False  # type: ignore[attr-defined]
    Agent.instrument_all(False)


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    """The SDK as `configure_tracing` sets it up, exporting to memory, for this test only."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _reset_trace_globals()
    trace.set_tracer_provider(provider)
    instrument_models(provider)
    try:
        yield exporter
    finally:
        provider.shutdown()
        _reset_trace_globals()


@pytest.fixture
def no_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _named(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, f"{name}: {[s.name for s in spans]}"
    return found[0]


def _parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def _wait_for_span(exporter: InMemorySpanExporter, name: str, timeout: float = 60) -> list[ReadableSpan]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = list(exporter.get_finished_spans())
        if any(s.name == name for s in spans):
            return spans
        time.sleep(0.05)
    raise AssertionError(f"no {name!r} span; got {[s.name for s in exporter.get_finished_spans()]}")


def _everything_said(span: ReadableSpan) -> str:
    """A span's name, attributes, events and links as one text, to look for private data in."""
    parts: list[Any] = [span.name, dict(span.attributes or {})]
    parts += [(event.name, dict(event.attributes or {})) for event in span.events]
    parts += [dict(link.attributes or {}) for link in span.links]
    if span.status.description:
        parts.append(span.status.description)
    return json.dumps(parts, default=str)


def _assert_nothing_private(spans: list[ReadableSpan]) -> None:
    for span in spans:
        said = _everything_said(span)
        for private in PRIVATE:
            assert private not in said, f"span {span.name!r} holds {private!r}: {said}"


def _reply_wamid(fd: Running) -> str:
    # The first turn of a process builds the team (embeds its examples): slow on a busy machine.
    sent = fd.wait_for(fd.sent, timeout=180, what="the reply")
    wamid: str = sent[0]["wamid"]
    return wamid


def test_one_message_is_one_trace_from_webhook_to_send_and_its_status_links_to_it(
    database_url: str, graph_url: str, exported: InMemorySpanExporter
) -> None:
    with running_frontdesk(database_url, graph_url, team=True) as fd:
        assert fd.post_webhook(text_message("wamid.TR1", QUESTION)).status_code == 200
        wamid = _reply_wamid(fd)
        _wait_for_span(exported, "send")
        assert fd.post_webhook(status(wamid, "delivered")).status_code == 200
        spans = _wait_for_span(exported, "status")
        job_payload = fd.query("select payload from jobs where kind = 'turn'")[0].payload

    webhook = next(s for s in spans if s.name == "webhook whatsapp_cloud" and not s.links)
    message_trace = [s for s in spans if s.context.trace_id == webhook.context.trace_id]
    by_name = {s.name: s for s in message_trace}
    ingest, job, turn = by_name["ingest"], by_name["job turn"], by_name["turn"]
    supervisor, agent, tool, send = (
        by_name["supervisor"],
        by_name["agent orders"],
        by_name["tool order_status"],
        by_name["send"],
    )
    # Parent and child, across the job row and the outbox row.
    assert _parent_of(webhook) is None
    assert _parent_of(ingest) == webhook.context.span_id
    assert _parent_of(job) == ingest.context.span_id
    stored = job_payload if isinstance(job_payload, dict) else json.loads(job_payload)
    assert stored[traces.TRACEPARENT].split("-")[2] == format(ingest.context.span_id, "016x")
    assert _parent_of(turn) == job.context.span_id
    assert _parent_of(supervisor) == turn.context.span_id
    assert _parent_of(agent) == turn.context.span_id
    assert _parent_of(tool) == agent.context.span_id
    assert _parent_of(send) == turn.context.span_id
    assert webhook.kind is trace.SpanKind.SERVER and job.kind is trace.SpanKind.CONSUMER
    # What each says, by id and kind.
    assert turn.attributes is not None and send.attributes is not None and job.attributes is not None
    assert turn.attributes[traces.OUTCOME] == "answered"
    assert turn.attributes[traces.AGENT] == "orders"
    assert turn.attributes[traces.CHANNEL_KIND] == "whatsapp_cloud"
    assert isinstance(turn.attributes[traces.TENANT], int) and isinstance(
        turn.attributes[traces.CHANNEL], int
    )
    assert job.attributes[traces.ATTEMPT] == 1 and job.attributes[traces.OUTCOME] == "done"
    assert send.attributes[traces.OUTCOME] == "sent" and send.attributes[traces.ATTEMPT] == 1
    assert send.attributes[traces.TENANT] == turn.attributes[traces.TENANT]
    assert (tool.attributes or {})[traces.OUTCOME] == "ok"
    # The status arrives in a trace of its own, linked to the reply's.
    status_span = _named(spans, "status")
    assert status_span.context.trace_id != webhook.context.trace_id
    assert [link.context.trace_id for link in status_span.links] == [webhook.context.trace_id]
    assert [link.context.span_id for link in status_span.links] == [turn.context.span_id]
    assert (status_span.attributes or {})[traces.OUTCOME] == "delivered"
    _assert_nothing_private(spans)


class _DropWebhooks(Sampler):
    """Drops every trace a webhook starts, samples any other root: were the dropped decision lost at the
    job queue, the turn would start a new, recorded trace."""

    def should_sample(  # type: ignore[override]
        self, parent_context: Any, trace_id: int, name: str, *args: Any, **kwargs: Any
    ) -> SamplingResult:
        parent = trace.get_current_span(parent_context).get_span_context()
        if parent.is_valid:
            decision = Decision.RECORD_AND_SAMPLE if parent.trace_flags.sampled else Decision.DROP
        else:
            decision = Decision.DROP if name.startswith("webhook") else Decision.RECORD_AND_SAMPLE
        return SamplingResult(decision)

    def get_description(self) -> str:
        return "DropWebhooks"


def test_an_unsampled_message_stays_unsampled_across_the_job_queue(database_url: str, graph_url: str) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=_DropWebhooks())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _reset_trace_globals()
    trace.set_tracer_provider(provider)
    try:
        with running_frontdesk(database_url, graph_url) as fd:
            assert fd.post_webhook(text_message("wamid.UNSAMPLED", "hello")).status_code == 200
            fd.wait_for(fd.sent, timeout=60, what="the reply")
            job_payload = fd.query("select payload from jobs where kind = 'turn'")[0].payload
    finally:
        provider.shutdown()
        _reset_trace_globals()
    stored = job_payload if isinstance(job_payload, dict) else json.loads(job_payload)
    flags = stored[traces.TRACEPARENT].rsplit("-", 1)[1]
    assert int(flags, 16) & 1 == 0  # the webhook's trace went on, flagged "not sampled"
    names = {span.name for span in exporter.get_finished_spans()}
    assert not names & {"webhook whatsapp_cloud", "ingest", "job turn", "turn", "send"}, names


@pytest.fixture
def fake_openai(fake_models_allowed: None) -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    with serve_app(fake.app()) as url:
        yield fake, url


def test_model_calls_are_traced_by_pydantic_ai_without_what_was_said(
    database_url: str, graph_url: str, fake_openai: tuple[FakeOpenAI, str], exported: InMemorySpanExporter
) -> None:
    fake, url = fake_openai
    fake.script(call("order_status", order_ref="LH-100245"), say(MODEL_ANSWER))
    settings = {"openai_api_key": "sk-test", "openai_base_url": f"{url}/v1"}
    with running_frontdesk(database_url, graph_url, team=True, **settings) as fd:
        assert fd.post_webhook(text_message("wamid.TR2", QUESTION)).status_code == 200
        _reply_wamid(fd)
        spans = _wait_for_span(exported, "send")

    agent = _named(spans, "agent orders")
    models = [s for s in spans if _parent_of(s) == agent.context.span_id and s.name.startswith("chat ")]
    assert len(models) == 2, [s.name for s in spans]  # asked, ran the tool, asked again
    assert all(m.context.trace_id == agent.context.trace_id for m in models)
    assert all((m.attributes or {}).get("gen_ai.usage.input_tokens") for m in models)
    tool = _named(spans, "tool order_status")
    assert tool.context.trace_id == agent.context.trace_id
    for span in models:
        assert MODEL_ANSWER not in _everything_said(span) and "15501234567890" not in _everything_said(span)
    _assert_nothing_private(spans)


def test_log_lines_carry_the_recording_spans_trace_id(
    exported: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(level="INFO", json=True)
    try:
        log = logging.getLogger("frontdesk.test_traces")
        with traces.span("turn") as span:
            log.info("inside")
        log.info("outside")
    finally:
        root.handlers[:], root.level = handlers, level
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    inside = next(line for line in lines if line["event"] == "inside")
    outside = next(line for line in lines if line["event"] == "outside")
    assert inside["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert inside["span_id"] == format(span.get_span_context().span_id, "016x")
    assert "trace_id" not in outside


def test_without_otel_variables_no_sdk_is_configured_and_nothing_is_stored_for_traces(
    database_url: str, graph_url: str, no_otel_variables: None
) -> None:
    _reset_trace_globals()
    assert configure_tracing(Settings(_env_file=None)) is None  # type: ignore[call-arg]
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    with traces.span("turn") as span:
        assert not span.is_recording()
        assert traces.current_traceparent() is None
    with running_frontdesk(database_url, graph_url) as fd:
        assert fd.post_webhook(text_message("wamid.TR3", "hello")).status_code == 200
        _reply_wamid(fd)
        job = fd.query("select payload from jobs")[0].payload
        queued = fd.query("select payload from outbox")[0].payload
    for payload in (job, queued):
        assert "traceparent" not in (payload if isinstance(payload, str) else json.dumps(payload))
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def test_the_standard_variables_choose_the_exporter() -> None:
    assert exporter_name({}) is None
    assert exporter_name({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) == "otlp"
    assert exporter_name({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}) == "otlp"
    assert exporter_name({"OTEL_TRACES_EXPORTER": "console"}) == "console"
    assert exporter_name({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}) is None
    assert exporter_name({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}) is None


class OtlpReceiver:
    """An OTLP/HTTP trace receiver (protobuf, `POST /v1/traces`), as a collector listens on 4318."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/traces")
        async def receive(request: Request) -> Response:
            assert request.headers["content-type"] == "application/x-protobuf"
            self.requests.append(ExportTraceServiceRequest.FromString(await request.body()))
            return Response(b"", media_type="application/x-protobuf")

        return app

    def spans(self) -> list[tuple[dict[str, str], Any]]:
        """(resource attributes, span) for each span received."""
        out = []
        for request in self.requests:
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                out += [(resource, s) for scope in resource_spans.scope_spans for s in scope.spans]
        return out


@pytest.mark.parametrize("format", list(TraceIdFormat))
def test_spans_are_exported_over_otlp_http_with_frontdesks_resource(
    format: TraceIdFormat, monkeypatch: pytest.MonkeyPatch, no_otel_variables: None
) -> None:
    receiver = OtlpReceiver()
    with serve_app(receiver.app()) as url:
        environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": url}
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)  # the exporter reads it itself
        settings = Settings(_env_file=None, trace_id_format=format)  # type: ignore[call-arg]
        provider = tracer_provider(settings, environ)
        started = int(time.time())
        with provider.get_tracer("frontdesk").start_as_current_span("turn") as span:
            trace_id = span.get_span_context().trace_id
        assert provider.force_flush(10_000)
        provider.shutdown()
    [(resource, received)] = receiver.spans()
    assert resource["service.name"] == "frontdesk"
    assert resource["service.version"]
    assert received.name == "turn" and int.from_bytes(received.trace_id) == trace_id
    epoch = trace_id >> 96  # X-Ray: the first 32 bits are the start time in seconds
    if format is TraceIdFormat.XRAY:
        assert started - 5 <= epoch <= started + 5
    else:
        assert not started - 5 <= epoch <= started + 5  # random: a chance of 11 in 4 billion


def test_otel_service_name_overrides_the_service_name() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    provider = tracer_provider(
        settings, {"OTEL_SERVICE_NAME": "frontdesk-eu"}, exporter=InMemorySpanExporter()
    )
    assert provider.resource.attributes["service.name"] == "frontdesk-eu"
    provider.shutdown()
