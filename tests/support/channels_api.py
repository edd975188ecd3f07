"""Calling the channels admin API of a running Frontdesk as one of the demo's staff."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.harness import Running

API = "/api/v1/channels"


def call(fd: Running, method: str, path: str = "", body: Any = None, role: str = "admin") -> httpx.Response:
    """`method` on `API` + `path` with `body` as JSON, signed in as the demo's `role`."""
    return fd.client.request(method, f"{fd.url}{API}{path}", json=body, headers=fd.staff_headers(role))
