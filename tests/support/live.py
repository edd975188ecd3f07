"""Helpers for the live-feed tests: open `WS /api/v1/ws`, read frames, see how the server closed it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tests.support.harness import Running


def ws_url(fd: Running, query: str = "") -> str:
    return fd.url.replace("http://", "ws://") + "/api/v1/ws" + (f"?{query}" if query else "")


def receive_until(
    ws: ClientConnection, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0
) -> list[dict[str, Any]]:
    """Frames until `done(frames)` holds; fails the test after `timeout` seconds."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not done(got):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; got {got}")
        try:
            got.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            raise AssertionError(f"timed out; got {got}") from None
    return got


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["payload"]["message"]["text"] for e in events if e["type"] == "message.created"]


def until_closed(ws: ClientConnection, timeout: float = 15.0) -> tuple[int | None, str, list[dict[str, Any]]]:
    """Read until the server closes the socket: its close code and reason, and the frames before.
    Fails the test if the socket is still open after `timeout` seconds."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"the socket is still open; got {got}")
        try:
            got.append(json.loads(ws.recv(timeout=left)))
        except TimeoutError:
            raise AssertionError(f"the socket is still open; got {got}") from None
        except ConnectionClosed as closed:
            received = closed.rcvd
            return (received.code, received.reason, got) if received else (None, "", got)
