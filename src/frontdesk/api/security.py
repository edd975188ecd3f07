"""HTTP hardening: security headers on every response, CORS (closed unless origins are listed), and
rate limits (login per IP and per e-mail, the admin API per user).

Rate limits use the `limits` library (a moving window). Where they are counted:
- FRONTDESK_REDIS_URL unset: in each process's memory. Each process counts on its own, so N processes
  behind a load balancer allow up to N times the configured rate, and a restart forgets the counts.
- FRONTDESK_REDIS_URL set (`redis://` or `rediss://`): in that Redis server (`limits`' async Redis storage,
  client `coredis`), so every API process shares one count per key and the limits hold across them.
  While Redis cannot be reached, each process falls back to counting in its own memory: the limits then
  hold per process, as without Redis, rather than refusing every login or letting every request through.
  After a failure the process stays on memory for REDIS_RETRY_SECONDS before it tries Redis again (a
  circuit breaker), so a Redis that drops packets costs one request the time-out per period, not every
  request, and the warning is logged once per period.

Login lockouts (`FRONTDESK_LOGIN_MAX_FAILURES`) are not counted here: they live in the database
(`staff_login_failures`), so they hold across processes with or without Redis.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time

import structlog
from fastapi import FastAPI, HTTPException, Request, status
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.settings import Environment, Settings

log = structlog.get_logger(__name__)

# Redis keys of the rate limits start with this (one Redis may serve other things, or other Frontdesks
# under another prefix).
RATE_LIMIT_KEY_PREFIX = "frontdesk-limits"
# A slow Redis must not hold a login up for long: past this, the hit counts in memory instead. It bounds
# the whole call (the client's own time-outs apply per command, and a first call sends several).
REDIS_TIMEOUT_SECONDS = 2.0
# After Redis failed, count in memory for this long before trying it again.
REDIS_RETRY_SECONDS = 30.0

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
    redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
    app.state.rate_limits = RateLimits(
        login=settings.login_rate_limit, api=settings.api_rate_limit, redis_url=redis_url
    )


class RateLimits:
    """Moving-window limits: `login` per IP and per e-mail, `api` per staff member. Counted in Redis when
    `redis_url` is given (shared by every process using it), else in this process's memory."""

    def __init__(
        self,
        *,
        login: str,
        api: str,
        redis_url: str | None = None,
        key_prefix: str = RATE_LIMIT_KEY_PREFIX,
        redis_timeout: float = REDIS_TIMEOUT_SECONDS,
        redis_retry_seconds: float = REDIS_RETRY_SECONDS,
    ):
        # Always there: the store when there is no Redis, the fallback while Redis is unreachable.
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared: MovingWindowRateLimiter | None = None
        if redis_url is not None:
            storage = RedisStorage(
                "async+" + redis_url,
                key_prefix=key_prefix,
                wrap_exceptions=True,  # any client error arrives as StorageError: see _hit_one
                connect_timeout=redis_timeout,
                stream_timeout=redis_timeout,
            )
            self._shared = MovingWindowRateLimiter(storage)
        self._redis_timeout = redis_timeout
        self._redis_retry_seconds = redis_retry_seconds
        # The breaker: until this (time.monotonic()), Redis is not tried. 0: closed, Redis is used.
        self._redis_skipped_until = 0.0
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
            reset = await self._hit_one(item, key)
            if reset is not None:
                retry = max(1, math.ceil(reset - time.time()))
                raise HTTPException(
                    status.HTTP_429_TOO_MANY_REQUESTS,
                    "too many requests; slow down",
                    headers={"Retry-After": str(retry)},
                )

    async def _hit_one(self, item: RateLimitItem, key: tuple[str, ...]) -> float | None:
        """One hit in Redis while it answers, else in memory (and Redis left alone for a while)."""
        if self._shared is None or time.monotonic() < self._redis_skipped_until:
            return await _count(self._memory, item, key)
        try:
            async with asyncio.timeout(self._redis_timeout):
                reset = await _count(self._shared, item, key)
        except (StorageError, TimeoutError) as exc:
            self._redis_skipped_until = time.monotonic() + self._redis_retry_seconds
            error = (
                exc.storage_error
                if isinstance(exc, StorageError)
                else f"no answer in {self._redis_timeout} s"
            )
            log.warning(
                "rate_limit.redis_unreachable",
                error=str(error),
                fallback="memory",
                retry_in_seconds=self._redis_retry_seconds,
            )
            return await _count(self._memory, item, key)
        return reset


async def _count(limiter: MovingWindowRateLimiter, item: RateLimitItem, key: tuple[str, ...]) -> float | None:
    """Counts one hit: None while under the limit, else when the window lets the next one through."""
    if await limiter.hit(item, *key):
        return None
    reset, _ = await limiter.get_window_stats(item, *key)
    return reset


def rate_limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits
