"""No token in the server's log (issue #11, defect 6): a real `frontdesk serve` process, its stderr kept
in a file, live-feed handshakes with the token in the URL (accepted and refused), in the
`Sec-WebSocket-Protocol` header, and a webhook verification with its verify token in the URL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.bridge import CUSTOMER, WEBHOOK_TOKEN, ZAPW_API_KEY, fake_zapw_server
from tests.support.harness import sync_url
from tests.support.payloads import APP_SECRET
from tests.support.staff import bearer_login, ensure_staff

ROOT = Path(__file__).resolve().parents[2]
VERIFY_TOKEN = "verify-token-that-must-not-be-logged"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(database_url: str, log: Path, **extra_env: str) -> Iterator[str]:
    """`frontdesk serve` in its own process, logging (JSON, INFO, as in production) to `log`; `extra_env`
    adds settings."""
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "FRONTDESK_ENV": "test",
        "FRONTDESK_DATABASE_URL": database_url,
        "FRONTDESK_SECRET_KEY": "test-secret-key",
        "FRONTDESK_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "FRONTDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "FRONTDESK_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "FRONTDESK_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA=",
        "FRONTDESK_LOG_LEVEL": "INFO",
        "FRONTDESK_LOG_JSON": "true",
        **extra_env,
    }
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "serve", "--no-workers", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            _wait_healthy(proc, url, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90  # a first start seeds the demo; generous for a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("server did not become healthy")


def test_tokens_never_reach_the_log(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with serve(database_url, log) as url, httpx.Client(timeout=10) as client:
        ensure_staff(sync_url(database_url), email="owner@lumen.test", role="owner")
        token = bearer_login(client, url, email="owner@lumen.test", tenant="lumen")["Authorization"][7:]
        forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        ws = url.replace("http://", "ws://") + "/api/v1/ws"

        with connect(f"{ws}?since=0&access_token={token}", open_timeout=10):
            pass  # accepted
        with pytest.raises(InvalidStatus) as refused, connect(f"{ws}?access_token={forged}", open_timeout=10):
            pass
        assert refused.value.response.status_code == 403
        with connect(ws, subprotocols=["frontdesk.v1", f"frontdesk.bearer.{token}"], open_timeout=10) as sub:
            assert sub.subprotocol == "frontdesk.v1"
            assert token not in str(sub.response.headers)
        challenge = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}
        assert client.get(f"{url}/webhooks/whatsapp", params=challenge).text == "42"

    logged = log.read_text()
    events = [json.loads(line)["event"] for line in logged.splitlines() if line.startswith("{")]
    handshakes = [e.split(" - ", 1)[1] for e in events if '"WebSocket ' in e]  # uvicorn's lines
    assert '"WebSocket /api/v1/ws?since=0&access_token=[redacted]" [accepted]' in handshakes
    assert '"WebSocket /api/v1/ws?access_token=[redacted]" 403' in handshakes
    for secret in (token, forged, token.split(".")[2], forged.split(".")[2], VERIFY_TOKEN):
        assert secret not in logged


def test_the_bridge_token_and_key_never_reach_the_log(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    bridge = {
        "FRONTDESK_BRIDGE_API_KEY": ZAPW_API_KEY,
        "FRONTDESK_BRIDGE_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "FRONTDESK_LOG_LEVEL": "DEBUG",  # the bridge client's request lines too
    }
    with fake_zapw_server() as zapw, serve(database_url, log, FRONTDESK_BRIDGE_URL=zapw.url, **bridge) as url:
        zapw.point_at(url)
        client = zapw.http
        ensure_staff(sync_url(database_url), email="owner@lumen.test", role="owner")
        staff = bearer_login(client, url, email="owner@lumen.test", tenant="lumen")
        created = client.post(
            f"{url}/api/v1/channels", json={"kind": "wa_bridge", "name": "Shop"}, headers=staff
        )
        assert created.status_code == 201, created.text
        session = created.json()["session_id"]
        assert zapw.scan(session)["webhook_statuses"] == [200]
        assert zapw.inbound(session, text="hello")["webhook_statuses"] == [200]
        hook = f"{url}/webhooks/bridge"
        assert client.post(hook, params={"token": WEBHOOK_TOKEN}, content=b"{oops").status_code == 400
        wrong = client.post(hook, params={"token": WEBHOOK_TOKEN[::-1]}, json={"sessionId": session})
        assert wrong.status_code == 401
        nobody = {"sessionId": "fd-nobody", "eventType": "session.connected", "timestamp": 1, "data": {}}
        assert client.post(hook, params={"token": WEBHOOK_TOKEN}, json=nobody).status_code == 200

    logged = log.read_text()
    assert "bridge webhook refused" in logged
    assert "bridge.request" in logged
    for secret in (WEBHOOK_TOKEN, WEBHOOK_TOKEN[::-1], ZAPW_API_KEY, CUSTOMER):
        assert secret not in logged
