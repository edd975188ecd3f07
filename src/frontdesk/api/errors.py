"""The one place that maps exception types to HTTP statuses. Services never raise HTTP errors."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from frontdesk.domain.errors import (
    ConflictError,
    FrontdeskError,
    InvalidInputError,
    NotFoundError,
    SignatureError,
)
from frontdesk.domain.inbox import InvalidCursor
from frontdesk.domain.knowledge import (
    DocumentTooLarge,
    InvalidQuery,
    UnreadableDocument,
    UnsupportedDocumentType,
)
from frontdesk.domain.staff import AccountLockedError, AuthenticationError, PermissionDeniedError
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


def error_model(status: int) -> type[BaseModel]:
    """The documented body of an error answer with this status."""
    return ValidationErrorBody if status == 422 else ErrorBody


# First match wins: subclasses of InvalidInputError must come before it.
_STATUS: list[tuple[type[Exception], int]] = [
    (SignatureError, 401),
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
    """Answer domain errors with their status and a `{"detail": ...}` body."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("unhandled error", exc_info=exc)
            return JSONResponse({"detail": "internal error"}, status_code=status)
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.add_exception_handler(FrontdeskError, handle)
