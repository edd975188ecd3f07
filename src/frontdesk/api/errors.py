"""The one place that maps exception types to HTTP statuses. Services never raise HTTP errors."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.domain.admin import BridgeNotConfiguredError, BridgeRefusedError, BridgeUnavailableError
from frontdesk.domain.business_records import InvalidField
from frontdesk.domain.errors import (
    ConflictError,
    FrontdeskError,
    InvalidInputError,
    NotFoundError,
    SignatureError,
    UntrustedSenderError,
    UpstreamUnavailableError,
)
from frontdesk.domain.inbox import InvalidCursor
from frontdesk.domain.knowledge import (
    DocumentTooLarge,
    InvalidQuery,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from frontdesk.domain.ops import REQUEST_ID
from frontdesk.domain.staff import (
    AccountLockedError,
    AuthenticationError,
    PermissionDeniedError,
    TenantChoiceError,
)
from frontdesk.services.stats import InvalidPeriodError

log = logging.getLogger(__name__)


class PayloadTooLargeError(FrontdeskError):
    """The request body is over the configured limit."""


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str


class FieldError(BaseModel):
    """One problem with the request, as FastAPI reports it: where (`loc`), what (`msg`), its kind."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """The body of a 422: the request's field errors (a list, from validation), or the reason the service
    refused the value (a string)."""

    detail: list[FieldError] | str


class ServerErrorBody(ErrorBody):
    """The body of a 500: a fixed text (never the error's own message, which may hold data)."""

    request_id: str | None = Field(description="The request's X-Request-ID: its log line carries it too")


class TenantOption(BaseModel):
    """A business the account may sign in to."""

    slug: str = Field(examples=["bikes"])
    name: str = Field(examples=["Spoke & Chain Bikes"])


class TenantChoiceBody(ErrorBody):
    """The 400 of a login whose account works for several businesses and that named none: sent only
    once the password was right (a wrong one is a 401 that names nothing)."""

    tenants: list[TenantOption] = Field(
        default_factory=list,
        description="The businesses to choose from, by slug: send the login again with `tenant` one of "
        "them. Absent from the route's other 400s (a body that cannot be read).",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "this account works for several tenants; say which: bikes, lumen",
                    "tenants": [
                        {"slug": "bikes", "name": "Spoke & Chain Bikes"},
                        {"slug": "lumen", "name": "Lumen Home"},
                    ],
                }
            ]
        }
    )


def error_model(status: int) -> type[BaseModel]:
    """The documented body of an error answer with this status."""
    return ValidationErrorBody if status == 422 else ServerErrorBody if status >= 500 else ErrorBody


# First match wins: subclasses of InvalidInputError must come before it.
_STATUS: list[tuple[type[Exception], int]] = [
    (SignatureError, 401),
    (UntrustedSenderError, 403),
    (UpstreamUnavailableError, 503),
    (BridgeUnavailableError, 503),
    (BridgeRefusedError, 502),
    (BridgeNotConfiguredError, 400),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (AccountLockedError, 429),
    (NotFoundError, 404),
    (ConflictError, 409),
    (PayloadTooLargeError, 413),
    (DocumentTooLarge, 413),
    (UnsupportedDocumentType, 415),
    (UnreadableDocument, 422),
    (InvalidQuery, 422),
    (InvalidPeriodError, 422),
    (InvalidCursor, 422),
    (InvalidInputError, 400),
]


def status_for(exc: Exception) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def install_error_handlers(app: FastAPI) -> None:
    """Answer domain errors with their status and a `{"detail": ...}` body, field errors without the
    values sent, a wrong method with the path's real methods, and anything unexpected with a JSON 500."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status = status_for(exc)
        if status in (502, 503):  # expected: another service failed or refused; its reason, no stack trace
            log.warning("upstream unavailable: %s", exc)
            return JSONResponse({"detail": str(exc), "request_id": REQUEST_ID.get()}, status_code=status)
        if status >= 500:
            log.error("unhandled error", exc_info=exc)
            return server_error()
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.add_exception_handler(FrontdeskError, handle)
    app.add_exception_handler(TenantChoiceError, tenant_choice)
    app.add_exception_handler(InvalidField, invalid_field)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(405, method_not_allowed)
    # Added first, so it sits inside the request-id and security-header middleware: its 500 carries both.
    app.add_middleware(UnexpectedErrors)


def server_error() -> JSONResponse:
    return JSONResponse({"detail": "internal error", "request_id": REQUEST_ID.get()}, status_code=500)


async def tenant_choice(request: Request, exc: Exception) -> JSONResponse:
    """400 with the tenants to choose from as a field (`TenantChoiceBody`), so that a client need not
    read them out of the message."""
    assert isinstance(exc, TenantChoiceError)
    tenants = [TenantOption(slug=t.slug, name=t.name).model_dump() for t in exc.tenants]
    return JSONResponse({"detail": str(exc), "tenants": tenants}, status_code=400)


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 with where, what and which kind of problem, as documented (`FieldError`): not the value sent
    (FastAPI's default echoes it, a password or token included)."""
    assert isinstance(exc, RequestValidationError)
    fields = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse({"detail": fields}, status_code=422)


async def invalid_field(request: Request, exc: Exception) -> JSONResponse:
    """422 for a value refused by what it refers to (an unknown SKU), shaped like a validation error so
    clients read one format: `loc` names the field."""
    assert isinstance(exc, InvalidField)
    return JSONResponse(
        {"detail": [{"loc": list(exc.loc), "msg": exc.message, "type": "value_error"}]}, status_code=422
    )


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 whose `Allow` lists every method the path has. Starlette's names only those of the first
    route matching the path, and each method of a path is a route of its own here."""
    allowed: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.matches(request.scope)[0] is not Match.NONE:
            allowed |= route.methods
    headers = {"Allow": ", ".join(sorted(allowed))} if allowed else None
    detail = exc.detail if isinstance(exc, HTTPException) else "Method Not Allowed"
    return JSONResponse({"detail": detail}, status_code=405, headers=headers)


class UnexpectedErrors:
    """An exception no handler took becomes a JSON 500 (`ServerErrorBody`) and one log line with its
    stack trace and the request id. Starlette's own answer is plain text, and it re-raises the error for
    the server to log a second time."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            where = {"method": scope["method"], "path": scope["path"], "request_id": REQUEST_ID.get()}
            log.exception("unhandled error", extra=where)
            if not started:  # else the answer is half sent: the server closes the connection
                await server_error()(scope, receive, send)
