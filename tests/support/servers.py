"""Run an ASGI app in a real uvicorn server on a free local port, in a background thread.

    with serve_app(create_fake_graph()) as base_url:
        httpx.get(f"{base_url}/_fake/messages")

The socket is bound before the server starts (port 0, so the OS picks a free port and no other process
can take it in between), the context manager returns only once the server accepts connections, and on
exit the server shuts down and its thread is joined. A server that fails to start raises instead of
hanging the test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class ServerThread(threading.Thread):
    """A uvicorn server running on a pre-bound socket in a daemon thread."""

    def __init__(self, server: uvicorn.Server, sock: socket.socket) -> None:
        super().__init__(name=f"uvicorn-{sock.getsockname()[1]}", daemon=True)
        self.server = server
        self.sock = sock
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        except BaseException as exc:  # uvicorn calls sys.exit() when the app's startup fails
            self.error = exc


@contextmanager
def serve_app(
    app: Any,
    *,
    host: str = "127.0.0.1",
    startup_timeout: float = 10.0,
    shutdown_timeout: float = 5.0,
    **config: Any,
) -> Iterator[str]:
    """Serve `app` on a free port of `host`; yields its base URL (`http://127.0.0.1:PORT`).

    Extra keyword arguments go to `uvicorn.Config` (e.g. `lifespan="off"`, `ws="wsproto"`).
    """
    sock = _bind_free_port(host)
    port: int = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "loop": "asyncio", "timeout_graceful_shutdown": 1}
    options.update(config)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, **options))
    thread = ServerThread(server, sock)
    thread.start()
    try:
        _wait_until_serving(thread, host, port, startup_timeout)
        yield f"http://{host}:{port}"
    finally:
        _stop(thread, shutdown_timeout)
        sock.close()


def _bind_free_port(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.set_inheritable(True)
    return sock


def _wait_until_serving(thread: ServerThread, host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server on port {port} stopped while starting") from thread.error
        if thread.server.started and _accepts_connections(host, port):
            return
        time.sleep(0.01)
    raise TimeoutError(f"the server on port {port} did not start within {timeout} s")


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _stop(thread: ServerThread, timeout: float) -> None:
    thread.server.should_exit = True
    thread.join(timeout)
    if thread.is_alive():
        # Graceful shutdown is waiting on a request that will not finish (e.g. a deliberately slow one).
        thread.server.force_exit = True
        thread.join(timeout)
    if thread.is_alive():
        raise RuntimeError(f"the server thread {thread.name} did not stop within {2 * timeout} s")
    if thread.error is not None:
        raise RuntimeError(f"the server thread {thread.name} failed") from thread.error
