"""HTTP hardening: security headers on every response, CORS (closed unless origins are listed), and
rate limits (login per IP and per e-mail, the admin API per user).

Rate limits use the `limits` library with in-memory storage: each process counts on its own, so N
processes behind a load balancer allow up to N times the configured rate. (A shared store such as Redis
is the cure when that matters; `limits` supports it by a storage URI.)
"""

from __future__ import annotations

import functools
import math
import time

from fastapi import FastAPI, HTTPException, Request, status
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.settings import Environment, Settings

# A single-page app served from this origin: its own scripts, styles, images and API calls only.
APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from jsDelivr with an inline start-up script.
_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {_CDN}; style-src 'self' 'unsafe-inline' {_CDN} "
    f"https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; img-src 'self' data: "
    f"https://fastapi.tiangolo.com; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")
_HSTS = b"max-age=31536000; includeSubDomains"


def security_headers(path: str, *, hsts: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The security headers a response to `path` carries (HSTS only where HTTPS is expected)."""
    return _security_headers(path.startswith(_DOCS_PATHS), path.startswith("/api/"), hsts)


@functools.cache
def _security_headers(docs: bool, api: bool, hsts: bool) -> tuple[tuple[bytes, bytes], ...]:
    """Built once per kind of response: every request needs one of these few lists."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", (DOCS_CSP if docs else APP_CSP).encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if api:
        headers.append((b"cache-control", b"no-store"))
    if hsts:
        headers.append((b"strict-transport-security", _HSTS))
    return tuple(headers)


def hsts_on(settings: Settings) -> bool:
    """HSTS outside development, where the product is served over HTTPS."""
    return settings.env is not Environment.DEV


class SecurityHeaders:
    """Adds the security headers to every HTTP response (a plain ASGI middleware: no body buffering)."""

    def __init__(self, app: ASGIApp, *, hsts: bool):
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(scope["path"], hsts=self.hsts)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in wanted if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_http_security(app: FastAPI, settings: Settings) -> None:
    """Security headers always; CORS only for the listed origins; the rate limiter on `app.state`."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders, hsts=hsts_on(settings))
    app.state.rate_limits = RateLimits(login=settings.login_rate_limit, api=settings.api_rate_limit)


class RateLimits:
    """Moving-window limits kept in memory: `login` per IP and per e-mail, `api` per staff member."""

    def __init__(self, *, login: str, api: str):
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._login = parse_many(login)
        self._api = parse_many(api)

    async def login(self, *, ip: str, email: str) -> None:
        """429 once this IP or this e-mail has tried to sign in too often."""
        await self._hit(self._login, "login-ip", ip)
        await self._hit(self._login, "login-email", email.strip().lower())

    async def api(self, *, user: str) -> None:
        """429 once this staff member has made too many admin-API requests."""
        await self._hit(self._api, "api-user", user)

    async def _hit(self, items: list[RateLimitItem], *key: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, *key):
                reset, _ = await self._limiter.get_window_stats(item, *key)
                retry = max(1, math.ceil(reset - time.time()))
                raise HTTPException(
                    status.HTTP_429_TOO_MANY_REQUESTS,
                    "too many requests; slow down",
                    headers={"Retry-After": str(retry)},
                )


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits
