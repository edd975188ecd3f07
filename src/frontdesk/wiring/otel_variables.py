"""The standard OTEL_* variables Frontdesk reads or checks, without importing OpenTelemetry's SDK.

The SDK parses some of them when it is imported (the `OTEL_*_LIMIT`s) and others when a processor or
exporter is built; a bad value there is a traceback in the middle of start-up. `check_variables` reads
them first so a bad one is a one-line error naming it (exit code 2), before anything has changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from frontdesk.domain.errors import ConfigurationError

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
EXPORTERS = ("otlp", "console", "none")
PROTOCOL_VARIABLES = ("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
# The only OTLP transport Frontdesk ships: grpc would need another exporter package.
PROTOCOLS = ("", "http/protobuf")
# The batch processor's sizes and delay: whole numbers above zero (the SDK raises on 0 as it starts).
BATCH_VARIABLES = ("OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE")
DEFAULT_QUEUE_SIZE = 2048
DEFAULT_BATCH_SIZE = 512


def exporter_name(environ: Mapping[str, str]) -> str | None:
    """Which exporter the standard variables ask for: `otlp`, `console`, or None (tracing off)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    named = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if named:
        if named not in EXPORTERS:
            raise ConfigurationError(
                f"OTEL_TRACES_EXPORTER={named!r}: Frontdesk exports traces with one of {', '.join(EXPORTERS)}"
            )
        return None if named == "none" else named
    return "otlp" if any(environ.get(name) for name in ENDPOINT_VARIABLES) else None


def check_variables(environ: Mapping[str, str]) -> None:
    """Refuse, naming the variable, what the SDK would crash on or silently ignore."""
    for name in sorted(environ):
        # Read when the SDK is imported, traced or not: a non-integer fails the import itself.
        if name.startswith("OTEL_") and name.endswith("_LIMIT"):
            raw = environ[name].strip()
            if raw and not raw.isdigit():
                raise ConfigurationError(f"{name}={raw!r}: must be a whole number (0 or more)")
    if exporter_name(environ) is None:
        return
    for name in PROTOCOL_VARIABLES:
        protocol = environ.get(name, "").strip().lower()
        if protocol not in PROTOCOLS:
            raise ConfigurationError(f"{name}={protocol!r}: Frontdesk exports traces over http/protobuf only")
    sizes: dict[str, int] = {}
    for name in BATCH_VARIABLES:
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) <= 0:
            raise ConfigurationError(f"{name}={raw!r}: must be a whole number above 0")
        sizes[name] = int(raw)
    queue = sizes.get("OTEL_BSP_MAX_QUEUE_SIZE", DEFAULT_QUEUE_SIZE)
    batch = sizes.get("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", DEFAULT_BATCH_SIZE)
    if batch > queue:
        raise ConfigurationError(
            f"OTEL_BSP_MAX_EXPORT_BATCH_SIZE={batch} is above OTEL_BSP_MAX_QUEUE_SIZE={queue}"
        )
