"""Crash benchmark: replies sent twice after a SIGKILL right after the acks, and the window behind them.

    PYTHONPATH=. python bench/crash_sends.py [--db sqlite|postgres|both] [--policy resend|hold|both]
                                             [--messages 300] [--senders 16] [--repeat 3] [--split]

For each database, policy and repetition: a fresh database, a fake Graph API in its own process
(`frontdesk dev fake-graph`, so it outlives the kill and keeps its records), and a real `frontdesk serve`
answering with `bench/crash_responder.py` (three replies per message, at once). The channel's
`uncertain_sends` is set to the policy, and one warm-up message goes through the whole pipeline. Then
`--messages` signed webhooks go in from `--senders` concurrent clients (three messages per customer, so
replies of one conversation queue behind each other); the server is SIGKILLed the moment the last one
is acknowledged, while turns and sends are still running. With `--split` the server runs
`--no-workers` next to a `frontdesk worker` process (the scale-out layout) and both are killed.
The outbox rows left `sending` are noted, the server is restarted on the same database, and once
nothing is queued, running or sending any more the runner counts:

- duplicates: replies the fake Graph accepted more than once (by text: each reply's text is unique);
- in the window: sends the fake Graph answered before the kill whose wamid the database never stored
  (Graph said yes, the outcome was not committed): each becomes a duplicate under `resend`, a held
  (`uncertain`) reply under `hold`;
- held: rows `uncertain` at the end, split into those Graph had in fact accepted and those it never saw
  (the price of `hold`: those reach the customer only if staff resend them);
- lost: replies neither accepted by Graph nor held (must be 0);
- the window under load: for every reply accepted before the kill and recorded, the time from the fake
  Graph's answer (`answered_at`, stamped by the fake as the response leaves) to `outbox.sent_at`, which
  the dispatcher stamps once its outcome write has begun: the wait for the database plus event-loop
  latency, without the outcome's own statements and commit (two timestamps the runner reads back;
  nothing in the server is changed to measure it). Median, p99 and max.

PostgreSQL: `--pg-url` (default `postgresql://postgres@127.0.0.1:5432/test`, trust auth); a database
`frontdesk_crash_<pid>_<n>` is created next to it per run and dropped after. SQLite: a file in a temp dir.
Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

from tests.support.payloads import APP_SECRET, sign, text_message

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PER_CUSTOMER = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def spawn(args: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def wait_http(url: str, proc: subprocess.Popen[bytes], *, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process exited ({proc.returncode}) before answering {url}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


@contextmanager
def frontdesk(
    *, port: int, env: dict[str, str], log: Path, split: bool
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`frontdesk serve`, or with `split` `serve --no-workers` and a `frontdesk worker` process."""
    serve = [sys.executable, "-m", "frontdesk", "serve", "--port", str(port)] + (
        ["--no-workers"] if split else []
    )
    with ExitStack() as stack:
        procs = [stack.enter_context(spawn(serve, env=env, log=log))]
        wait_http(f"http://127.0.0.1:{port}/healthz", procs[0])
        if split:
            worker = [sys.executable, "-m", "frontdesk", "worker"]
            procs.append(stack.enter_context(spawn(worker, env=env, log=log)))
        yield procs


def warm_up(url: str, sync_url: str) -> None:
    """One message through the whole pipeline, so every process is serving before the load starts."""
    body = json.dumps(text_message("wamid.WARMUP", "warm-up", sender="447000000000")).encode()
    headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
    httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=headers, timeout=30).raise_for_status()
    deadline = time.monotonic() + 120
    while query(sync_url, "select count(*) from outbox where status = 'sent'")[0][0] < 3:
        if time.monotonic() > deadline:
            raise SystemExit("the warm-up message was not answered")
        time.sleep(0.1)


def server_env(database_url: str, graph_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "FRONTDESK_ENV": "test",
        "FRONTDESK_DATABASE_URL": database_url,
        "FRONTDESK_SECRET_KEY": "bench-secret-key",
        "FRONTDESK_WHATSAPP_VERIFY_TOKEN": "bench-verify-token",
        "FRONTDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "FRONTDESK_WHATSAPP_ACCESS_TOKEN": "bench-access-token",
        "FRONTDESK_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"crash-bench-key-of-32-bytes-long").decode(),
        "FRONTDESK_WHATSAPP_GRAPH_URL": graph_url,
        "FRONTDESK_RESPONDER": "bench.crash_responder:make",
        "FRONTDESK_JOB_LEASE_SECONDS": "10",  # well above a send under this load (2 s was not)
        "FRONTDESK_WHATSAPP_TIMEOUT_SECONDS": "5",  # the lease must be at least twice this (settings)
        "FRONTDESK_POLL_INTERVAL_SECONDS": "0.1",
        "FRONTDESK_LOG_LEVEL": "WARNING",
    }


async def drive(url: str, *, run: str, messages: int, senders: int) -> int:
    """Post `messages` signed webhooks from `senders` concurrent clients; how many were answered 200."""
    bodies = []
    for i in range(messages):
        customer = f"4477{(i // PER_CUSTOMER) % 10**7:07d}"
        payload = text_message(f"wamid.CRASH{run}{i:06d}", f"{run}-m{i}", sender=customer)
        bodies.append(json.dumps(payload).encode())
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    acked = 0

    async def sender(client: httpx.AsyncClient) -> None:
        nonlocal acked
        while not queue.empty():
            body = queue.get_nowait()
            headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
            response = await client.post(f"{url}/webhooks/whatsapp", content=body, headers=headers)
            acked += response.status_code == 200

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=senders)) as client:
        await asyncio.gather(*(sender(client) for _ in range(senders)))
    return acked


def query(sync_url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(sync_url)
    try:
        with engine.begin() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def wait_quiet(sync_url: str, messages: int, *, timeout: float = 120) -> None:
    """Until every message's turn is done and no reply is pending or sending (a held one is settled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = query(
            sync_url,
            "select (select count(*) from jobs where status in ('queued', 'running')),"
            " (select count(*) from outbox where status in ('pending', 'sending')),"
            " (select count(*) from jobs where status = 'done')",
        )[0]
        if busy[0] == 0 and busy[1] == 0 and busy[2] >= messages:
            return
        time.sleep(0.2)
    raise SystemExit(f"the server did not finish the work after the restart (busy, sending, done: {busy})")


def set_policy(sync_url: str, policy: str) -> None:
    engine = create_engine(sync_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("update channels set uncertain_sends = :p"), {"p": policy})
    except Exception:
        if policy != "resend":
            raise
        # A checkout from before the setting existed (`resend` was its only behaviour): measure it as is.
    finally:
        engine.dispose()


def epoch(value: Any) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def one_run(
    db_kind: str, policy: str, n: int, args: argparse.Namespace, graph_url: str, work: Path
) -> dict[str, Any]:
    run = f"{os.getpid()}x{n}"
    if db_kind == "sqlite":
        path = work / f"crash-{run}.db"
        database_url, sync_url = f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
        drop = None
    else:
        admin_url = make_url(args.pg_url).set(drivername="postgresql+psycopg")
        name = f"frontdesk_crash_{run}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = admin_url.set(drivername="postgresql", database=name).render_as_string(False)
        sync_url = admin_url.set(database=name).render_as_string(False)

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    httpx.delete(f"{graph_url}/_fake/messages").raise_for_status()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(database_url, graph_url)
    up = {"port": port, "env": env, "log": work / f"server-{run}.log", "split": args.split}
    try:
        with frontdesk(**up) as procs:
            set_policy(sync_url, policy)
            warm_up(url, sync_url)
            acked = asyncio.run(drive(url, run=run, messages=args.messages, senders=args.senders))
            for proc in procs:
                os.kill(proc.pid, signal.SIGKILL)
            killed_at = time.time()
            for proc in procs:
                proc.wait(timeout=10)
        sending_at_kill = {r.id for r in query(sync_url, "select id from outbox where status = 'sending'")}
        with frontdesk(**up):
            wait_quiet(sync_url, acked + 1)
            time.sleep(1.0)  # a late duplicate would show up here
        records = httpx.get(f"{graph_url}/_fake/messages").json()["messages"]
        rows = query(
            sync_url,
            "select o.id, o.status, o.sent_at, m.text, m.channel_message_id from outbox o"
            " join messages m on m.id = o.message_id",
        )
    finally:
        if drop is not None:
            drop()
    return analyse(records, rows, acked=acked, killed_at=killed_at, sending_at_kill=sending_at_kill) | {
        "db": db_kind,
        "policy": policy,
        "split": args.split,
    }


def analyse(
    records: list[dict[str, Any]],
    rows: list[Any],
    *,
    acked: int,
    killed_at: float,
    sending_at_kill: set[int],
) -> dict[str, Any]:
    sends = [r for r in records if r["wamid"] and isinstance(r["body"], dict) and "text" in r["body"]]
    copies = Counter(r["body"]["text"]["body"] for r in sends)
    by_wamid = {r.channel_message_id: r for r in rows if r.channel_message_id}
    in_window = [
        r
        for r in sends
        if r["answered_at"] is not None and r["answered_at"] < killed_at and r["wamid"] not in by_wamid
    ]
    waits = [
        (epoch(by_wamid[r["wamid"]].sent_at) - r["answered_at"]) * 1000
        for r in sends
        if r["received_at"] < killed_at and r["wamid"] in by_wamid and by_wamid[r["wamid"]].sent_at
    ]
    held = [r for r in rows if r.status == "uncertain"]
    reached = {r["body"]["text"]["body"] for r in sends}
    sending_rows = [r for r in rows if r.id in sending_at_kill]
    return {
        "acked": acked,
        "replies": len(rows),
        "graph_accepted": len(sends),
        "duplicates": sum(c - 1 for c in copies.values() if c > 1),
        "in_window": len(in_window),
        "sending_at_kill": len(sending_rows),
        "sending_at_kill_reached_graph": sum(r.text in reached for r in sending_rows),
        "held": len(held),
        "held_had_reached_graph": sum(r.text in reached for r in held),
        "lost": sum(1 for r in rows if r.status != "uncertain" and r.text not in reached),
        "window_ms": {
            "n": len(waits),
            "median": round(statistics.median(waits), 2) if waits else None,
            "p99": round(percentile(waits, 0.99), 2) if waits else None,
            "max": round(max(waits), 2) if waits else None,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--policy", choices=["resend", "hold", "both"], default="both")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--split",
        action="store_true",
        help="serve --no-workers plus a `frontdesk worker` process (scale-out)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, SQLite files)")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    policies = ["resend", "hold"] if args.policy == "both" else [args.policy]
    RESULTS.mkdir(exist_ok=True)
    graph_port = free_port()
    graph_url = f"http://127.0.0.1:{graph_port}"
    results = []
    work = Path(tempfile.mkdtemp(dir=RESULTS, prefix="crash-"))
    try:
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}"}
        fake = [sys.executable, "-m", "frontdesk", "dev", "fake-graph", "--port", str(graph_port)]
        with spawn(fake, env=env, log=work / "fake-graph.log") as graph:
            wait_http(f"{graph_url}/_fake/messages", graph)
            n = 0
            for db_kind in dbs:
                for policy in policies:
                    for rep in range(args.repeat):
                        n += 1
                        result = one_run(db_kind, policy, n, args, graph_url, work) | {"rep": rep + 1}
                        results.append(result)
                        print(json.dumps(result), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"crash_sends-{stamp}{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps({"args": vars(args), "runs": results}, indent=2))
    print(summary(results))
    print(f"written: {out.relative_to(ROOT)}")


def summary(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'db':9} {'policy':7} {'runs':>4} {'replies':>7} {'dup':>4} {'window':>6} {'held':>4}"
        f" {'held·seen':>9} {'lost':>4}  window ms median / p99 / max (n)",
    ]
    keys = sorted({(r["db"], r["policy"]) for r in results})
    for db_kind, policy in keys:
        runs = [r for r in results if (r["db"], r["policy"]) == (db_kind, policy)]
        total = {k: sum(r[k] for r in runs) for k in ("replies", "duplicates", "in_window", "held", "lost")}
        seen = sum(r["held_had_reached_graph"] for r in runs)
        windows = " | ".join("{median} / {p99} / {max} ({n})".format(**r["window_ms"]) for r in runs)
        lines.append(
            f"{db_kind:9} {policy:7} {len(runs):>4} {total['replies']:>7} {total['duplicates']:>4}"
            f" {total['in_window']:>6} {total['held']:>4} {seen:>9} {total['lost']:>4}  {windows}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
