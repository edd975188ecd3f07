"""Logging: structured (JSON by default) through the standard library, so every module just uses `logging`.

No secret in any line: uvicorn logs each WebSocket handshake with its whole URL, so a token passed as
`?access_token=…` would land in the log. `RedactSecrets` blanks the values of secret query parameters,
bearer credentials and anything shaped like a JWT in every record, whoever logs it.
"""

from __future__ import annotations

import logging
import re
import sys
from urllib.parse import unquote_plus

import structlog
from opentelemetry import trace

from frontdesk.domain.ops import REQUEST_ID

SECRET_PARAMETERS = (
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "hub.verify_token",
    "verify_token",
    "password",
    "secret",
    "client_secret",
    "api_key",
    "apikey",
    "key",
    "code",
    "signature",
    "sig",
)
REDACTED = "[redacted]"
_SECRET_NAMES = frozenset(SECRET_PARAMETERS)
_QUERY_PARAMETER = re.compile(r"([?&;])([^=&;#?\s\"']+)=([^&;#\s\"']*)")
_BEARER = re.compile(r"(?i)\b(bearer[\s.]+)[\w\-.~+/]{16,}=*")  # a credential, not "bearer token"
_JWT = re.compile(r"\beyJ[\w-]+\.eyJ[\w-]+\.[\w-]*")
# What every LogRecord has; the rest are `extra=` fields, which the formatter writes out too.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    """`text` with secret query values, bearer credentials and JWTs replaced by `[redacted]`."""
    text = _QUERY_PARAMETER.sub(_redact_parameter, text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _JWT.sub(REDACTED, text)


# PostgreSQL's error text quotes the row or key it refused ("DETAIL:  Failing row contains (…)",
# "Key (tenant_id, wa_id)=(1, 4477…)"): customer data that `hide_parameters` does not reach.
_DATABASE_DETAIL = re.compile(r"^(\s*(?:DETAIL|HINT|CONTEXT|WHERE):).*$", re.MULTILINE)


def format_exception(
    logger: object, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """structlog's `format_exc_info`, then the traceback redacted like every message, without the
    database's quotes of the rows it refused."""
    event = structlog.processors.format_exc_info(logger, method, event)
    if isinstance(trace := event.get("exception"), str):
        event["exception"] = redact(_DATABASE_DETAIL.sub(rf"\1 {REDACTED}", trace))
    return event


def _redact_parameter(match: re.Match[str]) -> str:
    # Compared decoded: the server reads `access%5Ftoken=` as `access_token=` too.
    if unquote_plus(match[2]).lower() not in _SECRET_NAMES or not match[3]:
        return match[0]
    return f"{match[1]}{match[2]}={REDACTED}"


class RedactSecrets(logging.Filter):
    """Redacts every record's message and text fields in place (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event, not yet rendered
            record.msg = {k: redact(v) if isinstance(v, str) else v for k, v in record.msg.items()}
        else:
            try:
                message = record.getMessage()
            except Exception:  # a bad format string: the handler reports it, as logging always does
                return True
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
        for name, value in list(vars(record).items()):
            if name not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, name, redact(value))
        return True


def add_request_id(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Add the id of the request (or of the request that queued the running job) to a log line."""
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def add_trace_ids(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Add the recording span's trace and span ids (hex, as trace backends show them) to a log line, so
    a line leads to its trace and a trace to its lines (`frontdesk.domain.traces`)."""
    span = trace.get_current_span()
    if span.is_recording():
        context = span.get_span_context()
        event.setdefault("trace_id", format(context.trace_id, "032x"))
        event.setdefault("span_id", format(context.span_id, "016x"))
    return event


def configure_logging(*, level: str = "INFO", json: bool = True) -> None:
    """Route all standard-library logging through structlog's formatter, with `extra=` fields kept."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            format_exception,
            renderer,
        ],
    )
    # Modules that log through structlog directly (the Graph client) go through the same handler,
    # level and renderer; structlog's default would print every level to stdout as console text.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    redact_secrets = RedactSecrets()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(redact_secrets)
    # Also on uvicorn's own loggers, so a record is clean before any other handler (a capture) sees it.
    for server in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        if redact_secrets not in logging.getLogger(server).filters:
            logging.getLogger(server).addFilter(redact_secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access", "httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
