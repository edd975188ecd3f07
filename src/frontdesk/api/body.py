"""Reading request bodies with a size limit, and refusing text no database stores, before parsing."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import Message, Receive

from frontdesk.api.deps import services_of
from frontdesk.api.errors import PayloadTooLargeError
from frontdesk.domain.json_input import unstorable_at


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, or `PayloadTooLargeError` as soon as it grows past `limit` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"request body is over the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"request body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


class BodyLimitedRoute(APIRoute):
    """What every `limited_body_route` class is: its routes may answer 413 and 422 whatever they take
    (the OpenAPI document says so, `frontdesk.api.openapi`)."""


def limited_body_route(limit: Callable[[Request], int]) -> type[APIRoute]:
    """A route class that reads each request's body through `read_limited` before FastAPI parses it.

    For routes whose body FastAPI parses itself (JSON, multipart uploads): a body over `limit(request)` bytes
    is refused with 413 (by its Content-Length, without reading it, when it declares one) through the
    usual error mapping, and the parser then reads the buffered body.
    """

    class LimitedBodyRoute(BodyLimitedRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handle = super().get_route_handler()

            async def limited(request: Request) -> Response:
                body = await read_limited(request, limit(request))
                refuse_unstorable(request, body)
                return await handle(Request(request.scope, replay(body, request.receive)))

            return limited

    return LimitedBodyRoute


def refuse_unstorable(request: Request, body: bytes) -> None:
    """422 for a NUL (`%00`) in the URL or a NUL or lone surrogate in a JSON body, wherever it is.

    No database stores them as text (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate), so
    without this check they reach an INSERT or a WHERE and fail there with a 500.
    """
    where: tuple[str | int, ...] | None = None
    if b"%00" in request.scope["query_string"]:
        where = ("query",)
    elif b"%00" in (request.scope.get("raw_path") or b""):
        where = ("path",)
    elif "json" in request.headers.get("content-type", "") and (found := unstorable_at(body)) is not None:
        where = ("body", *found)
    if where is not None:
        raise RequestValidationError(
            [{"type": "string_pattern_mismatch", "loc": where, "msg": _UNSTORABLE_MESSAGE, "input": None}]
        )


_UNSTORABLE_MESSAGE = "NUL characters and lone UTF-16 surrogates are not allowed"


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the buffered body once, then defers to the real one (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _api_body_limit(request: Request) -> int:
    return services_of(request).settings.max_body_bytes


ApiBodyRoute = limited_body_route(_api_body_limit)
"""The admin API's routes: a body over `FRONTDESK_MAX_BODY_BYTES` gets 413 before anything parses it."""
