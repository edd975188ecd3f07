"""The OpenAPI document, completed with the error answers routes share, so it lists every status a route
can answer, each with its body (`frontdesk.api.errors`).

Routers describe what is particular to them (a 404's "no such contact", a 409's reason). What follows
from how a route is built is added here, unless the route already describes that status:

- every route: 500 (`ServerErrorBody`);
- a route behind sign-in: 401, 429 (the per-user rate limit), and 403 when it needs a role or changes
  something (a cookie-authenticated write needs the CSRF header);
- a route with a body: 400 (a body that is not UTF-8 JSON or multipart at all);
- a route reading its body through `BodyLimitedRoute`: 413 and 422 (NUL or a lone surrogate anywhere);
- a route with parameters or a body: 422 (`ValidationErrorBody`, instead of FastAPI's own, which also
  lists the values sent).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute

from frontdesk.api.auth import SAFE_METHODS, current_staff
from frontdesk.api.body import BodyLimitedRoute
from frontdesk.api.errors import error_model
from frontdesk.domain.staff import Role

SHARED = {
    400: "The body is not UTF-8 JSON (or multipart) at all",
    401: "Not signed in, or the session ended: a missing, invalid, expired or revoked token",
    403: "The caller's role may not do this, or a cookie-authenticated write without the X-CSRF-Token header",
    413: "The request body is over the size limit (FRONTDESK_MAX_BODY_BYTES)",
    422: "A parameter or the body is malformed or out of bounds (`detail` lists where and what), or the "
    "value was refused (`detail` says why)",
    429: "Too many requests by this user: retry after the Retry-After header's seconds",
    500: "Something unexpected went wrong; `request_id` finds the log line",
}
_REF = "#/components/schemas/{model}"


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/openapi.json`) answer the completed document."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    completed: list[dict[str, Any]] = []  # FastAPI makes a new document when routes were added

    def openapi() -> dict[str, Any]:
        document = generate()
        if not completed or completed[0] is not document:
            complete(document, app.routes)
            completed[:] = [document]
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], routes: list[BaseRoute]) -> None:
    """Add the shared error answers to each operation of `document` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for route in iter_route_contexts(routes):
        if not (isinstance(route.original_route, APIRoute) and route.include_in_schema):
            continue
        for method in route.methods or ():
            operation = document["paths"][route.path_format][method.lower()]
            for status in sorted(shared_statuses(route, method)):
                _describe(operation["responses"], status, schemas)
    # FastAPI's own 422 body, now replaced everywhere
    text = json.dumps(document["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"{_REF.format(model=name)}"' not in text:
            schemas.pop(name, None)


def shared_statuses(route: RouteContext, method: str) -> set[int]:
    """The statuses `route` may answer by how it is built (see the module)."""
    statuses = {500}
    calls = list(_calls(route.dependant))
    if current_staff in calls:
        statuses |= {401, 429}
        if method not in SAFE_METHODS or any(_names_role(call) for call in calls):
            statuses.add(403)
    if route.body_field is not None:
        statuses |= {400, 422}
    if isinstance(route.original_route, BodyLimitedRoute):
        statuses |= {413, 422}
    if any(d.query_params or d.path_params or d.header_params for d in _dependants(route.dependant)):
        statuses.add(422)
    return statuses


def _describe(responses: dict[str, Any], status: int, schemas: dict[str, Any]) -> None:
    model = error_model(status)
    ref = {"$ref": _REF.format(model=model.__name__)}
    described = responses.get(str(status))
    if described is None:
        responses[str(status)] = {
            "description": SHARED[status],
            "content": {"application/json": {"schema": ref}},
        }
    elif "content" not in described or "HTTPValidationError" in json.dumps(described):
        described["content"] = {"application/json": {"schema": ref}}  # a router's text, our body
    else:
        return
    _add_schema(model, schemas)


def _add_schema(model: type[BaseModel], schemas: dict[str, Any]) -> None:
    schema = model.model_json_schema(ref_template=_REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault(model.__name__, schema)


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for each in _dependants(dependant):
        yield each.call


def _names_role(call: Any) -> bool:
    """Whether `call` is a `require_role(...)` dependency some role fails (403); every role is a viewer."""
    if not getattr(call, "__qualname__", "").startswith("require_role."):
        return False
    return inspect.getclosurevars(call).nonlocals.get("minimum") is not Role.VIEWER
