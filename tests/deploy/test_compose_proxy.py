"""deploy/Caddyfile run for real: Caddy in front of a local stand-in for the api replicas.

No Docker engine runs here, so the proxy is started as a process with the compose stack's own Caddyfile,
changed only in where it listens and where the `api` replicas are (a local HTTP server that answers every
path, /metrics included): what reaches the outside through the one published port is what Caddy lets by.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY

CADDYFILE = DEPLOY / "Caddyfile"


class _Api(BaseHTTPRequestHandler):
    """Answers 200 with the path on every GET, as an api replica would for /healthz and /metrics."""

    def do_GET(self) -> None:
        body = f"api:{self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def proxy(need: Callable[[str], str], tmp_path: Path) -> Iterator[str]:
    """The proxy's base URL, with the stand-in api behind it."""
    api = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    port = free_port()
    config = CADDYFILE.read_text()
    assert config.count(":8080 {") == 1 and config.count("name api") == 1 and config.count("port 8000") == 1
    config = config.replace(":8080 {", f"http://127.0.0.1:{port} {{").replace("name api", "name localhost")
    config = config.replace("port 8000", f"port {api.server_address[1]}")
    (tmp_path / "Caddyfile").write_text(config)
    home = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    caddy = subprocess.Popen(
        [need("caddy"), "run", "--adapter", "caddyfile", "--config", str(tmp_path / "Caddyfile")],
        env=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert caddy.poll() is None, caddy.stderr.read().decode() if caddy.stderr else ""
                time.sleep(0.1)
        yield base
    finally:
        caddy.terminate()
        caddy.wait(timeout=10)
        api.shutdown()


def test_the_proxy_forwards_to_the_api_but_keeps_metrics_inside(proxy: str) -> None:
    assert get(f"{proxy}/healthz") == (200, "api:/healthz")
    assert get(f"{proxy}/webhooks/whatsapp?hub.mode=x") == (200, "api:/webhooks/whatsapp?hub.mode=x")
    # The stand-in api would answer /metrics; through the published port it is not there.
    for path in ("/metrics", "/metrics/", "/metrics?format=prometheus"):
        status, body = get(proxy + path)
        assert status == 404 and "api:" not in body, path
