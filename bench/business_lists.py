"""Business data API benchmark: pages, search and edits of the business's tables with 10,000 products,
5,000 customers and 20,000 orders, over real HTTP, on SQLite and PostgreSQL.

    python bench/business_lists.py [--db sqlite|postgresql|both] [--products 10000] [--customers 5000]
                                   [--orders 20000] [--requests 200] [--repeat 3]

Same harness as `admin_lists.py` (a fresh database, `bench/server.py` seeding the demo business, an
account made with the CLI and signed in over HTTP), then rows bulk-inserted into the demo tenant and,
sequentially on one keep-alive connection after a warm-up, --requests of each:

    products     GET   /api/v1/business/products?limit=50                   (the first page, by SKU)
    products p2  GET   /api/v1/business/products?limit=50&cursor=...        (a page deep in the table)
    search       GET   /api/v1/business/products?limit=50&q=<word>          (any case, in SKU/name/category)
    customer     GET   /api/v1/business/orders?customer=<wa_id>&limit=50    (one customer's orders)
    order        GET   /api/v1/business/orders/{ref}                        (one order by key)
    status       PATCH /api/v1/business/orders/{ref} {"status": ...}        (an edit, audited)

Prints p50/p95/p99 in ms per endpoint (medians over --repeat passes) against the admin lists' goal
(p95 <= 50 ms); writes JSON to bench/results/. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from admin_lists import (  # type: ignore[import-not-found]
    BENCH,
    GOAL_P95_MS,
    RESULTS,
    Database,
    percentiles,
    postgres_database,
    running_server,
    sign_in,
    sqlite_database,
)
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import Engine

from frontdesk.adapters.db.tables import ContactRow, OrderRow, ProductRow, TenantRow

WORDS = ("lamp", "bulb", "speaker", "cable", "sensor", "switch", "plug", "camera", "hub", "strip")
STATUSES = ("processing", "shipped", "delivered", "backordered")
ENDPOINTS = ("products", "products p2", "search", "customer", "order", "status")
BATCH = 5_000


def seed(engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    """Bulk-insert products, customers and orders for the demo tenant; what the runs pick from."""
    rng = random.Random(42)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        tenant = conn.execute(select(TenantRow.id).where(TenantRow.slug == "lumen")).scalar_one()
        products = [
            {
                "tenant_id": tenant,
                "sku": f"BX-{i:06d}",
                "name": f"{rng.choice(WORDS).title()} {i}",
                "category": rng.choice(WORDS),
                "price": Decimal(rng.randint(100, 99_999)) / 100,
                "stock": rng.randint(0, 500),
                "tags": [],
                "description": "",
            }
            for i in range(args.products)
        ]
        customers = [
            {
                "tenant_id": tenant,
                "wa_id": f"4915{i:08d}",
                "name": f"Customer {i}",
                "preferences": {},
                "created_at": now,
            }
            for i in range(args.customers)
        ]
        for rows, table in ((products, ProductRow.__table__), (customers, ContactRow.__table__)):
            for start in range(0, len(rows), BATCH):
                conn.execute(insert(table), rows[start : start + BATCH])
        ids = dict(
            conn.execute(select(ContactRow.wa_id, ContactRow.id).where(ContactRow.tenant_id == tenant)).all()
        )
        wa_ids = [c["wa_id"] for c in customers]
        orders = [
            {
                "tenant_id": tenant,
                "order_ref": f"BO-{i:07d}",
                "contact_id": ids[rng.choice(wa_ids)],
                "items": [{"sku": rng.choice(products)["sku"], "qty": 1}],
                "total": Decimal("19.99"),
                "status": rng.choice(STATUSES),
                "ordered_at": "2026-11-01",
            }
            for i in range(args.orders)
        ]
        for start in range(0, len(orders), BATCH):
            conn.execute(insert(OrderRow.__table__), orders[start : start + BATCH])
    return {"wa_ids": wa_ids, "refs": [o["order_ref"] for o in orders]}


def measure(
    client: httpx.Client, url: str, picks: dict[str, Any], requests: int, rng: random.Random
) -> dict[str, list[float]]:
    api = f"{url}/api/v1/business"
    out: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    deep = None  # a cursor half-way through the products
    page = client.get(f"{api}/products", params={"limit": 200}).json()
    for _ in range(25):
        deep = page["next_cursor"] or deep
        page = client.get(f"{api}/products", params={"limit": 200, "cursor": deep}).json()

    def timed(name: str, method: str, path: str, **kw: Any) -> None:
        started = time.perf_counter()
        answer = client.request(method, f"{api}{path}", **kw)
        out[name].append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status_code}: {answer.text[:300]}")

    for _ in range(requests):
        timed("products", "GET", "/products", params={"limit": 50})
        timed("products p2", "GET", "/products", params={"limit": 50, "cursor": deep})
        timed("search", "GET", "/products", params={"limit": 50, "q": rng.choice(WORDS).upper()})
        timed("customer", "GET", "/orders", params={"limit": 50, "customer": rng.choice(picks["wa_ids"])})
        ref = rng.choice(picks["refs"])
        timed("order", "GET", f"/orders/{ref}")
        timed("status", "PATCH", f"/orders/{ref}", json={"status": rng.choice(STATUSES)})
    return out


def run_one(db: Database, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    with running_server(db, workdir) as url:
        engine = create_engine(db.sync_url)
        started = time.perf_counter()
        picks = seed(engine, args)
        seeded = time.perf_counter() - started
        if db.name == "postgresql":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
        engine.dispose()
        rng = random.Random(7)
        passes: list[dict[str, list[float]]] = []
        with httpx.Client(headers=sign_in(url, db, role="admin"), timeout=30) as client:
            measure(client, url, picks, 10, rng)  # warm-up
            for _ in range(args.repeat):
                passes.append(measure(client, url, picks, args.requests, rng))
    stats = {
        name: {
            k: statistics.median(percentiles(p[name])[k] for p in passes)
            for k in ("p50", "p95", "p99", "max")
        }
        for name in ENDPOINTS
    }
    return {"db": db.name, "seed_seconds": round(seeded, 1), "endpoints": stats}


def report(results: list[dict[str, Any]]) -> str:
    lines = [f"{'db':<11}{'endpoint':<13}{'p50':>8}{'p95':>8}{'p99':>8}  goal p95 <= {GOAL_P95_MS:.0f} ms"]
    for r in results:
        for name, s in r["endpoints"].items():
            verdict = "ok" if s["p95"] <= GOAL_P95_MS else "OVER"
            lines.append(
                f"{r['db']:<11}{name:<13}{s['p50']:>8.1f}{s['p95']:>8.1f}{s['p99']:>8.1f}  {verdict}"
            )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--products", type=int, default=10_000)
    p.add_argument("--customers", type=int, default=5_000)
    p.add_argument("--orders", type=int, default=20_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-business-") as tmp:
        for name in names:
            factory = sqlite_database(Path(tmp)) if name == "sqlite" else postgres_database(args.pg_url)
            with factory as db:
                results.append(run_one(db, Path(tmp), args))
                print(report(results[-1:]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"business-lists-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    meta = {"args": vars(args), "python": platform.python_version(), "cpus": os.cpu_count()}
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=str))
    print()
    print(report(results))
    print(f"\nwrote {out.relative_to(BENCH.parent)}")


if __name__ == "__main__":
    main()
