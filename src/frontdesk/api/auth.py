"""Authentication of the admin API: who is calling, for which tenant, with which role.

Routes depend on `CurrentStaff` (any signed-in staff member) or on `require_role(Role.X)` (that role
or a stronger one; 403 otherwise). `CurrentTenant` is the caller's tenant alone.

A caller proves who they are with an access token from `POST /api/v1/auth/login`, either as
`Authorization: Bearer <token>` (API clients) or in the httpOnly `frontdesk_access` cookie (the web
app). A cookie is sent by the browser on its own, so an unsafe request (POST, PUT, PATCH, DELETE)
authenticated by cookie must also carry the `X-CSRF-Token` header, equal to the readable
`frontdesk_csrf` cookie (double submit; the value is an HMAC of the session id, so it cannot be planted).
Bearer requests need no CSRF token: no browser adds that header by itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from frontdesk.api.deps import services_of
from frontdesk.api.security import rate_limits_of
from frontdesk.domain.models import Tenant
from frontdesk.domain.staff import AuthenticationError, Role, Staff
from frontdesk.services.accounts import Login
from frontdesk.settings import Settings

ACCESS_COOKIE = "frontdesk_access"
REFRESH_COOKIE = "frontdesk_refresh"
CSRF_COOKIE = "frontdesk_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_PATH = "/api/v1/auth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An access token from `POST /api/v1/auth/login`.")
_cookie = APIKeyCookie(
    name=ACCESS_COOKIE,
    auto_error=False,
    description=f"The web app's session cookie; unsafe methods also need the `{CSRF_HEADER}` header.",
)


def _unauthorized(detail: str = "sign in first: missing, invalid, expired or revoked token") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def csrf_token(settings: Settings, session_id: str) -> str:
    """The CSRF token of a session: only this server can make it, and it changes with the session."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def _csrf_refused() -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER} header (cookie sessions need it)"
    )


def check_double_submit(request: Request) -> None:
    """403 unless the `X-CSRF-Token` header is present and equals the CSRF cookie."""
    header = request.headers.get(CSRF_HEADER, "")
    if not header or not hmac.compare_digest(header, request.cookies.get(CSRF_COOKIE, "")):
        raise _csrf_refused()


def check_csrf(request: Request, settings: Settings, session_id: str) -> None:
    """403 unless the header and the cookie both hold this session's CSRF token."""
    expected = csrf_token(settings, session_id)
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (hmac.compare_digest(header, expected) and hmac.compare_digest(cookie, expected)):
        raise _csrf_refused()


async def current_staff(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Staff:
    """The signed-in caller; 401 without valid credentials, 403 for a cookie write without CSRF token."""
    services = services_of(request)
    token = credentials.credentials if credentials is not None else cookie
    if not token:
        raise _unauthorized()
    try:
        staff = await services.access.accounts.authenticate(token)
    except AuthenticationError:
        raise _unauthorized() from None
    if credentials is None and request.method not in SAFE_METHODS:
        check_csrf(request, services.settings, staff.session_id or "")
    await rate_limits_of(request).api(user=f"{staff.user_id}")
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def require_role(minimum: Role) -> Callable[..., Awaitable[Staff]]:
    """A dependency admitting `minimum` or a stronger role, answering 403 to the others."""

    async def dependency(staff: CurrentStaff) -> Staff:
        if not staff.role.allows(minimum):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {minimum} role or higher")
        return staff

    return dependency


Viewer = Annotated[Staff, Depends(require_role(Role.VIEWER))]
"""Any signed-in staff member (reads)."""
Agent = Annotated[Staff, Depends(require_role(Role.AGENT))]
"""Staff who work the inbox: agents, admins and owners."""
Admin = Annotated[Staff, Depends(require_role(Role.ADMIN))]
"""Admins and owners (configuration, staff, dead letters)."""
Owner = Annotated[Staff, Depends(require_role(Role.OWNER))]
"""The tenant's owners."""


async def current_tenant(staff: CurrentStaff) -> Tenant:
    """The tenant the caller acts for."""
    return staff.tenant


CurrentTenant = Annotated[Tenant, Depends(current_tenant)]


def set_session_cookies(response: Response, settings: Settings, login: Login) -> str:
    """Put a login's tokens in cookies (httpOnly, SameSite=Strict); the CSRF token, also returned."""
    assert login.staff.session_id is not None
    csrf = csrf_token(settings, login.staff.session_id)
    response.set_cookie(
        ACCESS_COOKIE,
        login.access_token,
        max_age=settings.access_token_ttl_seconds,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        login.refresh_token,
        max_age=settings.refresh_token_ttl_seconds,
        path=REFRESH_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=settings.refresh_token_ttl_seconds,
        path="/",
        secure=settings.cookie_secure,
        httponly=False,
        samesite="strict",
    )
    return csrf


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_PATH), (CSRF_COOKIE, "/")):
        response.delete_cookie(
            name, path=path, secure=settings.cookie_secure, httponly=name != CSRF_COOKIE, samesite="strict"
        )
