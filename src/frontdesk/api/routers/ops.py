"""Operations: readiness (`/readyz`) and Prometheus metrics (`/metrics`). No sign-in needed; `/metrics`
can be restricted with FRONTDESK_METRICS_TOKEN."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse

from frontdesk.adapters.metrics import CONTENT_TYPE, PrometheusMetrics
from frontdesk.api.deps import OperationsDep, SettingsDep, services_of
from frontdesk.api.errors import error_model
from frontdesk.api.schemas.operations import CheckOut, ReadinessOut
from frontdesk.domain.ops import READINESS_CHECKS

router = APIRouter(tags=["operations"])


Exclude = Annotated[
    list[str] | None,
    Query(
        description=(
            "Checks to leave out, neither run nor listed: repeat it (`?exclude=workers&exclude=embeddings`) "
            f"or give a comma list. The checks: {', '.join(f'`{c}`' for c in READINESS_CHECKS)}. A load "
            "balancer's readiness probe uses `?exclude=workers`: a queue nobody serves fails every API "
            "process at once, and taking them all out of rotation cures nothing."
        ),
    ),
]


@router.get(
    "/readyz",
    responses={
        400: {"model": error_model(400), "description": "`exclude` names no check; the detail lists them"},
        503: {"model": ReadinessOut, "description": "Not ready: the failing checks say why"},
    },
)
async def readyz(operations: OperationsDep, exclude: Exclude = None) -> JSONResponse:
    """Ready to serve: database reachable, schema at this code's head (or newer: a newer release migrated
    it during a rolling update), workers running here or serving the queue, and the embedding model's
    files installed (`embeddings`; found, not loaded). Full, it is for alerts; probes may `exclude`."""
    names = [name.strip() for given in exclude or [] for name in given.split(",") if name.strip()]
    readiness = await operations.readiness(exclude=names)
    body = ReadinessOut(
        status="ready" if readiness.ok else "not ready",
        checks=[CheckOut.model_validate(c) for c in readiness.checks],
    )
    code = status.HTTP_200_OK if readiness.ok else status.HTTP_503_SERVICE_UNAVAILABLE
    return JSONResponse(body.model_dump(), status_code=code)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"example": 'frontdesk_webhooks_total{result="ok"} 12.0\n'}}},
        401: {"description": "FRONTDESK_METRICS_TOKEN is set and the bearer token does not match"},
    },
)
async def metrics(request: Request, settings: SettingsDep, operations: OperationsDep) -> Response:
    """Prometheus text format: webhooks, turn latency, sends, queue depth, dead letters, tokens."""
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "metrics need the metrics token")
    registry: PrometheusMetrics = services_of(request).admin.metrics
    return Response(registry.render(await operations.queue_counts()), media_type=CONTENT_TYPE)
