"""The Redis server the bus tests use: FRONTDESK_TEST_REDIS_URL (default: the local one). Where none
answers they are skipped with the reason, except under CI (CI=true), where they fail (the rule of
tests/conftest.py's PostgreSQL fixtures)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

REDIS_URL = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def redis_reason() -> str | None:
    """Why the Redis server cannot be used (None when it answers PING), by its own protocol. The reason
    names host:port only: the URL may carry a password, and skip reasons end up in CI logs."""
    parts = urlsplit(REDIS_URL)
    where = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as conn:
            conn.sendall(b"*1\r\n$4\r\nPING\r\n")
            answer = conn.recv(64)
    except OSError as exc:
        return f"Redis not reachable at {where} ({type(exc).__name__}); set FRONTDESK_TEST_REDIS_URL"
    if not answer.startswith(b"+PONG"):
        return f"Redis at {where} answered PING with {answer!r} (a password? put it in the URL)"
    return None


def need_redis() -> str:
    """The Redis URL; skips the test with the reason (fails it in CI) when no server answers."""
    reason = redis_reason()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go): a server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
