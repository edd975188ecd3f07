"""Traces exported by OpenTelemetry's SDK, configured only when the standard variables ask for it.

The code makes its spans through the API alone (`frontdesk.domain.traces`). Without
`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER` no SDK is
set up: the API's tracer stays the no-op one, so tracing costs nothing. With them, spans go in batches
to the OTLP endpoint over HTTP/protobuf (`OTEL_TRACES_EXPORTER=console` prints them instead); the
exporter reads its own variables (endpoint, headers, timeout, compression), as OpenTelemetry documents
them. The resource names the service `frontdesk` (`OTEL_SERVICE_NAME` overrides) with its version and
`OTEL_RESOURCE_ATTRIBUTES`. `FRONTDESK_TRACE_ID_FORMAT=xray` makes ids AWS X-Ray accepts.

Model calls are traced by pydantic-ai's own instrumentation, told to leave out what was said
(`include_content=False`): a prompt holds the customer's messages.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from pydantic_ai import Agent, InstrumentationSettings

from frontdesk import __version__
from frontdesk.domain.errors import ConfigurationError
from frontdesk.settings import Settings, TraceIdFormat
from frontdesk.wiring.otel_variables import check_variables, exporter_name

__all__ = ["check_variables", "configure_tracing", "exporter_name", "instrument_models", "tracer_provider"]

log = logging.getLogger(__name__)


def tracer_provider(
    settings: Settings, environ: Mapping[str, str], exporter: SpanExporter | None = None
) -> TracerProvider:
    """An SDK provider with Frontdesk's resource and id format, exporting in batches to `exporter`
    (by default the one the variables name)."""
    resource = Resource.create(
        {
            SERVICE_NAME: environ.get("OTEL_SERVICE_NAME") or "frontdesk",
            SERVICE_VERSION: __version__,
        }
    )
    provider = TracerProvider(resource=resource, id_generator=id_generator(settings.trace_id_format))
    provider.add_span_processor(BatchSpanProcessor(exporter or _exporter(exporter_name(environ) or "otlp")))
    return provider


def id_generator(format: TraceIdFormat) -> IdGenerator:
    """Random W3C ids, or X-Ray's (the start time in the first 32 bits)."""
    if format is TraceIdFormat.XRAY:
        from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator

        return AwsXRayIdGenerator()
    return RandomIdGenerator()


def configure_tracing(settings: Settings, environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Set the process's tracer provider when the OTEL variables ask for traces; None (nothing set, the
    no-op tracer stays) when they do not. Once per process, before the app is built."""
    # The SDK's own variables, read where the SDK reads them (not Frontdesk settings).
    environ = os.environ if environ is None else environ  # noqa: TID251
    if exporter_name(environ) is None:
        return None
    check_variables(environ)
    try:
        provider = tracer_provider(settings, environ)
    except (ValueError, TypeError, RuntimeError) as exc:
        # Names only: a value may be a secret (OTEL_EXPORTER_OTLP_HEADERS carries API keys).
        named = ", ".join(sorted(name for name in environ if name.startswith("OTEL_"))) or "none"
        raise ConfigurationError(
            f"traces could not be set up from the OTEL_* variables ({named}): {type(exc).__name__}"
        ) from None
    trace.set_tracer_provider(provider)
    instrument_models(provider)
    log.info(
        "traces exported",
        extra={"exporter": exporter_name(environ), "trace_id_format": settings.trace_id_format.value},
    )
    return provider


def instrument_models(provider: trace.TracerProvider) -> None:
    """Trace every model request through pydantic-ai's instrumentation, without what was said."""
    Agent.instrument_all(
        InstrumentationSettings(
            tracer_provider=provider,
            include_content=False,
            include_binary_content=False,
            include_model_request_parameters=False,
        )
    )


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()
