"""Operations: readiness (`/readyz`) and Prometheus metrics (`/metrics`). No sign-in needed; `/metrics`
can be restricted with FRONTDESK_METRICS_TOKEN."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from frontdesk.adapters.metrics import CONTENT_TYPE, PrometheusMetrics
from frontdesk.api.deps import OperationsDep, SettingsDep, services_of
from frontdesk.api.schemas.operations import CheckOut, ReadinessOut

router = APIRouter(tags=["operations"])


@router.get(
    "/readyz",
    responses={503: {"model": ReadinessOut, "description": "Not ready: the failing checks say why"}},
)
async def readyz(operations: OperationsDep) -> JSONResponse:
    """Ready to serve: database reachable, schema at head, workers running here or serving the queue, and
    the embedding model's files installed (`embeddings`; found, not loaded)."""
    readiness = await operations.readiness()
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
