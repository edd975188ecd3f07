"""Signing in and out: `/api/v1/auth` (login, refresh, logout, me, password, switch)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, HTTPException, Request, Response, status

from frontdesk.api.auth import (
    REFRESH_COOKIE,
    CurrentStaff,
    check_csrf,
    check_double_submit,
    clear_session_cookies,
    set_session_cookies,
)
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import AccountsDep, SettingsDep
from frontdesk.api.errors import TenantChoiceBody, error_model
from frontdesk.api.schemas.auth import (
    Delivery,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordIn,
    PasswordOut,
    RefreshIn,
    SwitchIn,
)
from frontdesk.api.security import rate_limits_of
from frontdesk.services.accounts import Client, Login
from frontdesk.settings import Settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=ApiBodyRoute)

_ERRORS = {
    400: "Bad input: the account works for several tenants and none was named, or a wrong current password",
    401: "Wrong e-mail or password (the same answer whether the e-mail exists or not), or a missing, "
    "invalid, expired or revoked token",
    403: "A cookie-authenticated write without the X-CSRF-Token header, or a business that is disabled "
    '("this business is disabled"; only operators may sign in to it)',
    404: "The account may not use that tenant (or there is no such tenant: the same answer)",
    422: "A field is missing or malformed",
    429: "Too many failed logins (locked for a while), or too many requests (see Retry-After)",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _ERRORS[code]} for code in codes}


def _client(request: Request) -> Client:
    return Client(
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", "")[:255],
    )


def _answer(response: Response, settings: Settings, login: Login, mode: Delivery) -> LoginOut:
    csrf = set_session_cookies(response, settings, login) if mode is Delivery.COOKIE else None
    return LoginOut.of(login, mode=mode, csrf=csrf)


_CHOOSE: dict[int | str, dict[str, Any]] = {
    400: {
        "model": TenantChoiceBody,
        "description": "The account works for several tenants and none was named: `tenants` lists them "
        "(only after the right password; a wrong one is a 401). Also a body that cannot be read, "
        "without `tenants`",
    }
}


@router.post("/login", responses={**_errors(401, 403, 422, 429), **_CHOOSE})
async def login(
    body: LoginIn, request: Request, response: Response, accounts: AccountsDep, settings: SettingsDep
) -> LoginOut:
    """Sign in with e-mail and password. `mode: bearer` returns the tokens; `mode: cookie` sets them as
    httpOnly cookies and returns the CSRF token for the `X-CSRF-Token` header."""
    client = _client(request)
    await rate_limits_of(request).login(ip=client.ip, email=body.email)
    session = await accounts.login(
        email=body.email, password=body.password, tenant=body.tenant, client=client
    )
    return _answer(response, settings, session, body.mode)


@router.post("/refresh", responses=_errors(401, 403, 422))
async def refresh(
    body: RefreshIn,
    request: Request,
    response: Response,
    accounts: AccountsDep,
    settings: SettingsDep,
    cookie: Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)] = None,
) -> LoginOut:
    """Trade a refresh token (in the body, or the cookie) for new tokens. The one given is spent: using
    it again signs the session out."""
    token = body.refresh_token or cookie
    if not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "no refresh token", {"WWW-Authenticate": "Bearer"})
    by_cookie = body.refresh_token is None
    if by_cookie:  # the browser sent the cookie by itself: the page must prove it is ours
        check_double_submit(request)
    mode = body.mode or (Delivery.COOKIE if by_cookie else Delivery.BEARER)
    session = await accounts.refresh(token)
    if by_cookie:
        assert session.staff.session_id is not None
        check_csrf(request, settings, session.staff.session_id)
    return _answer(response, settings, session, mode)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=_errors(401, 403))
async def logout(
    staff: CurrentStaff, accounts: AccountsDep, settings: SettingsDep, response: Response
) -> None:
    """End this session: its access and refresh tokens stop working at once."""
    await accounts.logout(staff)
    clear_session_cookies(response, settings)


@router.get("/me", responses=_errors(401))
async def me(staff: CurrentStaff, accounts: AccountsDep) -> MeOut:
    """Who is signed in, for which tenant, with which role, and the other tenants they may use."""
    return MeOut.of(staff, await accounts.memberships(staff))


@router.post("/password", responses=_errors(400, 401, 403, 422))
async def change_password(body: PasswordIn, staff: CurrentStaff, accounts: AccountsDep) -> PasswordOut:
    """Change your password. Every other session of yours is signed out; this one stays."""
    ended = await accounts.change_password(staff, current=body.current_password, new=body.new_password)
    return PasswordOut(sessions_ended=ended)


@router.post("/switch", responses=_errors(401, 403, 404, 422))
async def switch(
    body: SwitchIn,
    staff: CurrentStaff,
    request: Request,
    response: Response,
    accounts: AccountsDep,
    settings: SettingsDep,
) -> LoginOut:
    """Work in another tenant (one of `tenants` in `GET /me`; an operator: any): a new session there,
    answered like a login, and this session ends. 404 if the account may not use that tenant, 403 if
    the business is disabled (operators may still switch to it)."""
    bearer = "authorization" in request.headers
    mode = body.mode or (Delivery.BEARER if bearer else Delivery.COOKIE)
    session = await accounts.switch(staff, tenant=body.tenant, client=_client(request))
    return _answer(response, settings, session, mode)
