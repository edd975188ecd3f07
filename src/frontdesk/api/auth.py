"""Authentication of the admin API.

For now one bearer token (`FRONTDESK_ADMIN_TOKEN`) acts for one tenant (`FRONTDESK_ADMIN_TENANT`).
Staff accounts with roles will replace this dependency; routes only ever see `CurrentTenant`.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from frontdesk.api.deps import get_frontdesk
from frontdesk.domain.models import Tenant

_bearer = HTTPBearer(auto_error=False, description="The admin token (FRONTDESK_ADMIN_TOKEN).")


async def current_tenant(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Tenant:
    """The tenant the caller acts for; 401 without a valid admin token."""
    frontdesk = await get_frontdesk(request)
    expected = frontdesk.settings.admin_token.get_secret_value()
    if credentials is None or not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid admin token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await frontdesk.tenants.by_slug(frontdesk.settings.admin_tenant)


CurrentTenant = Annotated[Tenant, Depends(current_tenant)]
