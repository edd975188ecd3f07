"""The HTTP application: the API's routers, its middleware, the webhook's fast path and the web app.

`create_app` builds the FastAPI app; when it starts, it opens the running product
(`frontdesk.wiring.Frontdesk`) and hands it to the routes as their `Services` (`api/services.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse
from starlette.types import ASGIApp

from frontdesk import __version__
from frontdesk.api.errors import install_error_handlers
from frontdesk.api.openapi import install_openapi
from frontdesk.api.request_id import RequestIdMiddleware
from frontdesk.api.routers import auth as auth_routes
from frontdesk.api.routers import (
    aws_webhook,
    bridge_webhook,
    business_files,
    channels,
    contacts,
    conversations,
    dead_letters,
    health,
    invitations,
    knowledge,
    live,
    ops,
    stats,
    tenant,
    webhooks,
)
from frontdesk.api.routers import business as business_routes
from frontdesk.api.routers import team as team_routes
from frontdesk.api.routers import tenants as tenants_routes
from frontdesk.api.routers import users as users_routes
from frontdesk.api.security import install_http_security
from frontdesk.api.services import Services
from frontdesk.api.webhook_fast_path import WebhookFastPath
from frontdesk.settings import Settings
from frontdesk.wiring import Frontdesk, Overrides


class FrontdeskAPI(FastAPI):
    """FastAPI with the WhatsApp webhook's fast path in front of its whole middleware stack."""

    def build_middleware_stack(self) -> ASGIApp:
        return WebhookFastPath(super().build_middleware_stack())


def create_app(settings: Settings, *, workers: bool = True, overrides: Overrides | None = None) -> FastAPI:
    """The HTTP application. With `workers`, it also runs the turn workers and dispatcher in-process."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        frontdesk = await Frontdesk.open(settings, overrides)
        services: Services = frontdesk  # the API sees only what its protocol names
        app.state.services = services
        frontdesk.preload_embedder()
        if workers:
            frontdesk.start_workers()
        try:
            yield
        finally:
            await frontdesk.close()

    app = FrontdeskAPI(
        title="Frontdesk",
        version=__version__,
        summary="Teams of AI agents behind a business's WhatsApp numbers.",
        lifespan=lifespan,
        # FastAPI's own telemetry would trace every request (health checks and metric scrapes too) with
        # its path and query, where staff searches put names and numbers. Traces start in the webhook
        # routes instead (`api.routers.webhooks.webhook_span`, see `frontdesk.domain.traces`).
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
    )
    install_error_handlers(app)
    install_openapi(app)
    install_http_security(app, settings)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health.router)
    app.include_router(ops.router)
    app.include_router(webhooks.router)
    app.include_router(bridge_webhook.router)
    app.include_router(aws_webhook.router)
    app.include_router(knowledge.router)
    app.include_router(auth_routes.router)
    app.include_router(users_routes.router)
    app.include_router(invitations.router)
    app.include_router(tenants_routes.router)
    for admin_router in (
        tenant.router,
        channels.router,
        dead_letters.router,
        stats.router,
        team_routes.router,
    ):
        app.include_router(admin_router)
    for inbox_router in (conversations.router, conversations.search_router, contacts.router, live.router):
        app.include_router(inbox_router)
    # The files' routes first: `/products/export` must not be read as the product `export`.
    app.include_router(business_files.router)
    app.include_router(business_routes.router)
    install_web_app(app)
    return app


# Two places, because a checkout and an installed wheel differ: in a checkout (editable install, `make run`)
# the repository's `frontend/dist` is the build `npm run build` keeps fresh; an installed wheel (the image)
# has no `frontend/`, so it serves the copy `make dist` packed into the package (`frontdesk/web/`).
_CHECKOUT_WEB = Path(__file__).resolve().parents[2] / "frontend" / "dist"
_PACKAGED_WEB = Path(__file__).resolve().parent / "web"
WEB_DIST = _CHECKOUT_WEB if _CHECKOUT_WEB.is_dir() else _PACKAGED_WEB
"""The admin web app's built files: the checkout's `frontend/dist` when there is one, else the wheel's."""

_NOT_WEB = ("/api/", "/webhooks/", "/_dev/", "/docs", "/redoc", "/openapi.json")
_NOT_BUILT = (
    "<!doctype html><title>Frontdesk</title><h1>Frontdesk is running</h1><p>The admin web app is not "
    "built: run <code>make run</code>, or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>"
    ', then reload. The API is here: <a href="/docs">/docs</a>.</p>'
)


def install_web_app(app: FastAPI, folder: Path = WEB_DIST) -> None:
    """Serve the web app at `/`: a built file by its path, else `index.html` (the app routes itself).

    It answers only what no route or mount matched (as a 404 handler), so it never shadows the API or
    a dev tool mounted later; a page says how to build the app when `folder` has no `index.html`."""
    root = folder.resolve()

    async def not_found(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if request.method not in ("GET", "HEAD") or path.startswith(_NOT_WEB):
            return await http_exception_handler(request, exc)  # type: ignore[arg-type]
        file = (root / path.lstrip("/")).resolve()
        if path != "/" and file.is_relative_to(root) and file.is_file():
            immutable = file.parent.name == "assets"  # hashed names: cache them for good
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(file, headers={"cache-control": cache})
        if (root / "index.html").is_file():
            return FileResponse(root / "index.html", headers={"cache-control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)

    app.add_exception_handler(404, not_found)
