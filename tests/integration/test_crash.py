"""A `frontdesk serve` process killed with SIGKILL in the middle of a turn; after a restart the customer
gets exactly one reply."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.harness import Running, sync_url
from tests.support.payloads import APP_SECRET, text_message

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_process(database_url: str, graph_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "FRONTDESK_ENV": "test",
        "FRONTDESK_DATABASE_URL": database_url,
        "FRONTDESK_SECRET_KEY": "test-secret-key",
        "FRONTDESK_WHATSAPP_VERIFY_TOKEN": "test-verify-token",
        "FRONTDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "FRONTDESK_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "FRONTDESK_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA=",
        "FRONTDESK_WHATSAPP_GRAPH_URL": graph_url,
        "FRONTDESK_RESPONDER": "tests.support.slow_responder:make",
        # Short, so a restart picks orphaned work up soon; at least twice the Graph timeout (settings).
        "FRONTDESK_JOB_LEASE_SECONDS": "4",
        "FRONTDESK_WHATSAPP_TIMEOUT_SECONDS": "2",
        "FRONTDESK_POLL_INTERVAL_SECONDS": "0.1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "frontdesk", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_healthy(proc, port)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def _wait_healthy(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 90  # a first start seeds the demo; generous for a busy machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("server did not become healthy")


def test_sigkill_mid_turn_then_restart_replies_exactly_once(database_url: str, graph_url: str) -> None:
    port = _free_port()
    with httpx.Client(timeout=10) as client:
        fd = Running(
            url=f"http://127.0.0.1:{port}",
            graph_url=graph_url,
            sync_db_url=sync_url(database_url),
            client=client,
        )
        with serve_process(database_url, graph_url, port) as proc:
            assert fd.post_webhook(text_message("wamid.KILL", "are you there?")).status_code == 200
            fd.wait_for(
                lambda: fd.query("select 1 from jobs where status = 'running'"), what="the turn to start"
            )
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert fd.sent() == []
        assert fd.query("select status from jobs")[0].status == "running"  # orphaned: its lease will expire

        with serve_process(database_url, graph_url, port):
            sent = fd.wait_for(fd.sent, timeout=20, what="the reply after restart")
            fd.wait_for(
                lambda: fd.query("select 1 from jobs where status = 'done'"), what="the job to finish"
            )
            time.sleep(1.0)  # time for any duplicate to show up
            sent = fd.sent()
        assert [m["body"]["text"]["body"] for m in sent] == ["slow echo: are you there?"]
        assert fd.query("select attempts from jobs")[0].attempts == 2
        assert fd.query("select count(*) from messages where direction = 'out'")[0][0] == 1


def _held_send_then_sigkill(fd: Running, port: int, database_url: str, policy: str) -> None:
    """A reply reaches the fake Graph, which records it (Meta has it) but holds its answer; the server
    is killed while it waits, between the `sending` commit and the outcome's."""
    with serve_process(database_url, fd.graph_url, port) as proc:
        fd.execute("update channels set uncertain_sends = :policy", policy=policy)  # read at each claim
        fd.fail_graph(status=200, hold=True, times=1)
        assert fd.post_webhook(text_message("wamid.UNSURE", "did you get it?")).status_code == 200
        fd.wait_for(fd.sent, timeout=20, what="the reply to reach Graph")
        assert [tuple(r) for r in fd.query("select status, attempts from outbox")] == [("sending", 1)]
        assert fd.query("select attempted_at from outbox")[0].attempted_at is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    fd.release_graph()  # the held answer goes to a dead connection
    assert fd.query("select channel_message_id from messages where direction = 'out'")[0][0] is None


def test_hold_policy_keeps_a_send_interrupted_by_sigkill_for_staff(database_url: str, graph_url: str) -> None:
    port = _free_port()
    with httpx.Client(timeout=10) as client:
        fd = Running(
            url=f"http://127.0.0.1:{port}",
            graph_url=graph_url,
            sync_db_url=sync_url(database_url),
            client=client,
        )
        _held_send_then_sigkill(fd, port, database_url, "hold")
        with serve_process(database_url, graph_url, port):
            fd.wait_for(
                lambda: fd.query("select 1 from outbox where status = 'uncertain'"),
                timeout=20,
                what="the interrupted send to be held once its lease expired",
            )
            # `uncertain` is final for the dispatcher: no later send of this row can happen.
            assert len(fd.sent()) == 1
            message = fd.query("select id, status, error_code from messages where direction = 'out'")[0]
            assert (message.status, message.error_code) == ("pending", "uncertain")
            headers = fd.staff_headers("admin")
            jobs = client.get(f"{fd.url}/api/v1/jobs", params={"kind": "send"}, headers=headers).json()
            [held] = jobs["items"]
            assert (held["message_id"], held["uncertain"]) == (message.id, True)
            # Staff decide it did not arrive and resend it: it goes out once more.
            retried = client.post(f"{fd.url}/api/v1/jobs/send/{held['id']}/retry", headers=headers)
            assert retried.status_code == 200
            fd.wait_for(lambda: fd.query("select 1 from outbox where status = 'sent'"), what="the resend")
        assert len(fd.sent()) == 2


def test_resend_policy_sends_a_send_interrupted_by_sigkill_again(database_url: str, graph_url: str) -> None:
    port = _free_port()
    with httpx.Client(timeout=10) as client:
        fd = Running(
            url=f"http://127.0.0.1:{port}",
            graph_url=graph_url,
            sync_db_url=sync_url(database_url),
            client=client,
        )
        _held_send_then_sigkill(fd, port, database_url, "resend")
        with serve_process(database_url, graph_url, port):
            fd.wait_for(lambda: fd.query("select 1 from outbox where status = 'sent'"), what="the resend")
        sent = fd.sent()
        assert [m["body"]["text"]["body"] for m in sent] == ["slow echo: did you get it?"] * 2
        assert fd.query("select attempts from outbox")[0].attempts == 2
