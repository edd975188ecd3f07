"""Password hashing (argon2 through pwdlib) and access tokens (HS256 JWTs through PyJWT)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from frontdesk.domain.staff import AccessClaims

_ALGORITHM = "HS256"
_AUDIENCE = "frontdesk-admin"


class Argon2Passwords:
    """argon2id with pwdlib's defaults; hashing runs in a thread so the event loop keeps serving."""

    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return await asyncio.to_thread(self._verify, password, password_hash)

    def _verify(self, password: str, password_hash: str) -> bool:
        try:
            return self._hash.verify(password, password_hash)
        except Exception:  # an unreadable hash in the database never lets anyone in
            return False


class JwtTokens:
    """Access tokens signed with the secret key. Expiry is checked by the caller's clock, not here."""

    def __init__(self, secret: str):
        # A key of its own, derived from the secret key: full length whatever the secret's, and never the
        # same as another use of the secret (the CSRF tokens).
        self._secret = hashlib.sha256(b"frontdesk-access-token:" + secret.encode()).digest()

    def issue(self, claims: AccessClaims, *, now: datetime) -> str:
        payload = {
            "sub": str(claims.user_id),
            "tid": claims.tenant_id,
            "sid": claims.session_id,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "aud": _AUDIENCE,
        }
        return jwt.encode(payload, self._secret, algorithm=_ALGORITHM)

    def read(self, token: str) -> AccessClaims | None:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"verify_exp": False, "require": ["sub", "tid", "sid", "exp", "aud"]},
            )
            return AccessClaims(
                user_id=int(payload["sub"]),
                tenant_id=int(payload["tid"]),
                session_id=str(payload["sid"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (jwt.InvalidTokenError, ValueError, TypeError, KeyError):
            return None
