"""Admin list benchmark: the inbox's conversation list and one conversation's messages, over real HTTP,
with 100,000 messages in the database, on SQLite and PostgreSQL.

    python bench/admin_lists.py [--db sqlite|postgresql|both] [--messages 100000] [--conversations 2000]
                                [--requests 300] [--repeat 3]

For each database: a fresh database (a temp SQLite file, or `frontdesk_bench_lists_<hex>` created on
--pg-url's server and dropped at the end); a server process (`bench/server.py`: the app as
`frontdesk serve --no-workers` builds it, one uvicorn process with uvloop and httptools) that migrates
it and seeds the demo business on its first start; then, straight into the database with bulk inserts,
--conversations contacts and conversations on the demo number and --messages messages spread over them
(alternating inbound and bot replies over the last 30 days). A viewer account is made with
`frontdesk users create` and signed in over HTTP. Then, sequentially on one keep-alive connection, after
a warm-up, --requests of each:

    list        GET /api/v1/conversations?limit=50                          (the inbox's first page)
    list p2     GET /api/v1/conversations?limit=50&cursor=<next_cursor>     (its second page)
    filtered    GET /api/v1/conversations?limit=50&status=human             (a filter, ~10% match)
    messages    GET /api/v1/conversations/{id}/messages?limit=50            (a random conversation)
    older       GET /api/v1/conversations/{id}/messages?limit=50&cursor=... (its next page back)

Prints p50/p95/p99 in ms per endpoint (medians over --repeat passes) and the goal of issue 5 (p95 <= 50
ms); writes JSON to bench/results/. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url

from frontdesk.adapters.db.tables import ChannelRow, ContactRow, ConversationRow, MessageRow, TenantRow

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SERVER = BENCH / "server.py"
GOAL_P95_MS = 50.0
EMAIL = "bench-staff@lumen.test"
PASSWORD = "bench-password-123"
BATCH = 5_000
TEXTS = (
    "Hi, where is my order LH-100245?",
    "Do you have the Aurora floor lamp in stock?",
    "I'd like to book a technician for Tuesday morning",
    "Your order shipped yesterday with DPD; tracking 1Z999.",
    "Thanks, that's all!",
)

ENDPOINTS = ("list", "list p2", "filtered", "messages", "older")


@dataclass
class Database:
    name: str
    url: str
    """The async URL the server uses."""
    sync_url: str
    drop: Callable[[], None]


@contextmanager
def sqlite_database(workdir: Path) -> Iterator[Database]:
    path = workdir / "bench.db"
    yield Database("sqlite", f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}", lambda: None)


@contextmanager
def postgres_database(admin_url: str) -> Iterator[Database]:
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"frontdesk_bench_lists_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name)

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    try:
        yield Database(
            "postgresql",
            url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False),
            url.render_as_string(hide_password=False),
            drop,
        )
    finally:
        drop()


# -- the server


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_env(db: Database) -> dict[str, str]:
    return {
        **os.environ,
        "FRONTDESK_ENV": "dev",
        "FRONTDESK_DATABASE_URL": db.url,
        "FRONTDESK_LOG_LEVEL": "WARNING",
        "FRONTDESK_DEMO_SEED": "true",
        "FRONTDESK_API_RATE_LIMIT": "1000000/minute",  # measure the endpoints, not the limiter
    }


@contextmanager
def running_server(db: Database, workdir: Path) -> Iterator[str]:
    port = _free_port()
    log = (workdir / f"server-{db.name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", str(port)], env=server_env(db), stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {log.name}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not start in 180 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# -- seeding


def seed(engine: Engine, *, conversations: int, messages: int) -> dict[str, float]:
    """Bulk-insert contacts, conversations and messages for the demo tenant; seconds taken per table."""
    rng = random.Random(42)
    now = datetime.now(UTC)
    took: dict[str, float] = {}
    with engine.begin() as conn:
        tenant_id = conn.execute(select(TenantRow.id).where(TenantRow.slug == "lumen")).scalar_one()
        channel_id = conn.execute(select(ChannelRow.id).where(ChannelRow.tenant_id == tenant_id)).scalar_one()
        started = time.perf_counter()
        wa_ids = [f"4477{i:08d}" for i in range(conversations)]
        _bulk(
            conn,
            ContactRow,
            [
                {
                    "tenant_id": tenant_id,
                    "wa_id": w,
                    "name": f"Customer {i}",
                    "preferences": {},
                    "created_at": now,
                }
                for i, w in enumerate(wa_ids)
            ],
        )
        rows = conn.execute(select(ContactRow.id, ContactRow.wa_id).where(ContactRow.wa_id.in_(wa_ids))).all()
        contact_ids = [r.id for r in rows]
        took["contacts"] = time.perf_counter() - started
        started = time.perf_counter()
        _bulk(
            conn,
            ConversationRow,
            [
                {
                    "tenant_id": tenant_id,
                    "channel_id": channel_id,
                    "contact_id": c,
                    "status": "human" if rng.random() < 0.1 else "bot",
                    "unread_count": 0,
                    "created_at": now - timedelta(days=30),
                    "updated_at": now - timedelta(days=30),
                }
                for c in contact_ids
            ],
        )
        conv_ids = list(
            conn.execute(
                select(ConversationRow.id).where(ConversationRow.contact_id.in_(contact_ids))
            ).scalars()
        )
        took["conversations"] = time.perf_counter() - started
        started = time.perf_counter()
        took["messages"] = _messages(conn, tenant_id, conv_ids, messages, now, rng)
        started = time.perf_counter()
        _touch_conversations(conn, conv_ids)
        took["conversation_times"] = time.perf_counter() - started
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))  # fresh statistics, as autovacuum / a long-running SQLite would have
        conn.commit()
    return took


def _bulk(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i : i + BATCH])


def _messages(
    conn: Connection, tenant_id: int, conv_ids: list[int], total: int, now: datetime, rng: random.Random
) -> float:
    """`total` messages over the conversations, oldest first, in batches; the seconds it took."""
    started = time.perf_counter()
    span = timedelta(days=30).total_seconds()
    batch: list[dict[str, Any]] = []
    for n in range(total):
        conv = conv_ids[n % len(conv_ids)]
        inbound = (n // len(conv_ids)) % 2 == 0
        at = now - timedelta(seconds=span * (1 - n / total))
        batch.append(
            {
                "tenant_id": tenant_id,
                "conversation_id": conv,
                "direction": "in" if inbound else "out",
                "type": "text",
                "text": rng.choice(TEXTS),
                "content": {},
                "tools": [],
                "channel_message_id": f"wamid.BENCH{n:09d}",
                "status": "received" if inbound else "read",
                "agent": None if inbound else rng.choice(("orders", "products", "support")),
                "latency_ms": None if inbound else rng.randint(200, 3000),
                "status_at": at,
                "created_at": at,
            }
        )
        if len(batch) == BATCH:
            conn.execute(insert(MessageRow), batch)
            batch = []
    if batch:
        conn.execute(insert(MessageRow), batch)
    return time.perf_counter() - started


def _touch_conversations(conn: Connection, conv_ids: list[int]) -> None:
    """Set each conversation's last message and update times from its messages (what ingest would)."""
    latest = (
        select(MessageRow.conversation_id, func.max(MessageRow.created_at))
        .where(MessageRow.conversation_id.in_(conv_ids))
        .group_by(MessageRow.conversation_id)
    )
    params = [{"cid": cid, "at": at} for cid, at in conn.execute(latest).all()]
    stmt = (
        update(ConversationRow)
        .where(ConversationRow.id == bindparam("cid"))
        .values(last_message_at=bindparam("at"), last_inbound_at=bindparam("at"), updated_at=bindparam("at"))
    )
    for i in range(0, len(params), BATCH):
        conn.execute(stmt, params[i : i + BATCH])


# -- measuring


def sign_in(url: str, db: Database, role: str = "viewer") -> dict[str, str]:
    """Make a staff member with `role` by the CLI (as an operator would) and sign in; the bearer header."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "frontdesk",
            "users",
            "create",
            "--email",
            EMAIL,
            "--role",
            role,
            "--tenant",
            "lumen",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        env=server_env(db),
        check=True,
        capture_output=True,
    )
    answer = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD, "tenant": "lumen"}
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def measure(
    client: httpx.Client, url: str, conv_ids: list[int], requests: int, rng: random.Random
) -> dict[str, list[float]]:
    """Latency in ms of `requests` calls per endpoint, interleaved so load drifts hit all alike."""
    first = client.get(f"{url}/api/v1/conversations", params={"limit": 50}).json()
    cursor = first.get("next_cursor")
    out: dict[str, list[float]] = {name: [] for name in ENDPOINTS}

    def timed(name: str, path: str, params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        answer = client.get(f"{url}{path}", params=params)
        out[name].append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status_code}: {answer.text[:300]}")
        return answer.json()

    for _ in range(requests):
        timed("list", "/api/v1/conversations", {"limit": 50})
        timed("list p2", "/api/v1/conversations", {"limit": 50, **({"cursor": cursor} if cursor else {})})
        timed("filtered", "/api/v1/conversations", {"limit": 50, "status": "human"})
        conv = rng.choice(conv_ids)
        page = timed("messages", f"/api/v1/conversations/{conv}/messages", {"limit": 50})
        older = page.get("next_cursor")
        timed(
            "older",
            f"/api/v1/conversations/{conv}/messages",
            {"limit": 50, **({"cursor": older} if older else {})},
        )
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": statistics.median(ordered), "p95": q[94], "p99": q[98], "max": ordered[-1]}


def run_one(db: Database, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    with running_server(db, workdir) as url:
        engine = create_engine(db.sync_url)
        started = time.perf_counter()
        took = seed(engine, conversations=args.conversations, messages=args.messages)
        seed_s = time.perf_counter() - started
        with engine.connect() as conn:
            counted = conn.execute(text("select count(*) from messages")).scalar_one()
            conv_ids = list(conn.execute(text("select id from conversations")).scalars())
        engine.dispose()
        headers = sign_in(url, db)
        rng = random.Random(7)
        passes = []
        load_before = os.getloadavg()
        with httpx.Client(headers=headers, timeout=30) as client:
            measure(client, url, conv_ids, max(args.requests // 10, 10), rng)  # warm-up
            for _ in range(args.repeat):
                samples = measure(client, url, conv_ids, args.requests, rng)
                passes.append({name: percentiles(s) for name, s in samples.items()})
        load_after = os.getloadavg()
    summary = {
        name: {k: statistics.median(p[name][k] for p in passes) for k in ("p50", "p95", "p99", "max")}
        for name in ENDPOINTS
    }
    return {
        "db": db.name,
        "messages": counted,
        "conversations": len(conv_ids),
        "seed_seconds": seed_s,
        "seed_breakdown": took,
        "passes": passes,
        "summary": summary,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        f"{'':11}{'endpoint':10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"  goal p95<={GOAL_P95_MS:g}"
    ]
    for r in results:
        for name in ENDPOINTS:
            s = r["summary"][name]
            ok = "ok" if s["p95"] <= GOAL_P95_MS else "MISSED"
            lines.append(
                f"{r['db']:11}{name:10}{s['p50']:9.1f}{s['p95']:9.1f}{s['p99']:9.1f}{s['max']:9.1f}  {ok}"
            )
        lines.append(
            f"{'':11}{r['messages']:,} messages in {r['conversations']:,} conversations, seeded in "
            f"{r['seed_seconds']:.1f} s; load average {r['loadavg_before'][0]:.2f}"
            f" -> {r['loadavg_after'][0]:.2f}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--conversations", type=int, default=2_000)
    p.add_argument("--requests", type=int, default=300, help="requests per endpoint per pass (default 300)")
    p.add_argument("--repeat", type=int, default=3, help="passes; medians are reported (default 3)")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-lists-") as tmp:
        workdir = Path(tmp)
        for name in names:
            factory = sqlite_database(workdir) if name == "sqlite" else postgres_database(args.pg_url)
            with factory as db:
                results.append(run_one(db, workdir, args))
                print(report(results[-1:]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"admin-lists-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    meta = {"args": vars(args), "python": platform.python_version(), "cpus": os.cpu_count()}
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=str))
    print()
    print(report(results))
    print(f"\nwrote {out.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
