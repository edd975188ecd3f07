"""Business pack import benchmark: a pack of --products products (and --customers customers with
--orders orders), from a zip to the database, on SQLite and PostgreSQL.

    python bench/business_import.py [--db sqlite|postgresql|both] [--products 10000] [--customers 2000]
                                    [--orders 5000] [--repeat 5]

For each database and each repetition: a fresh database (a temp SQLite file, or
`frontdesk_bench_pack_<hex>` created on --pg-url's server and dropped at the end), migrated, with one
empty tenant. A pack is generated (the demo's business.yaml, products with every column filled,
customers, orders of 1-3 items) and zipped once. Then, timed with `time.perf_counter`:

    read        read_zip: unzip, decode, check every file and row (no database)
    import      apply_pack into the empty tenant, all rows created, in one transaction (committed)
    reimport    the same pack again: every row compared and found unchanged, nothing written
    update      a pack whose every product's price and stock changed: every product updated

Prints the median (and min/max) of the repetitions per phase and database, and the goal of issue 13:
read + import of 10,000 products under 10 s on SQLite. Writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from knowledge import PostgresDatabase  # type: ignore[import-not-found]
from sqlalchemy import insert

from frontdesk.adapters.business_pack import pack_files, read_folder, read_zip, write_zip
from frontdesk.adapters.db.business_import import apply_pack
from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import tenants
from frontdesk.adapters.db.transaction import SqlTx
from frontdesk.domain.business import OrderLine, OrderStatus
from frontdesk.domain.business_pack import ImportReport, Pack
from frontdesk.domain.business_records import CustomerRecord, OrderRecord, ProductRecord

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
GOAL_SECONDS = 10.0
GOAL_PRODUCTS = 10_000
NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
_T = TypeVar("_T")


def make_pack(products: int, customers: int, orders: int, *, seed: int = 7) -> Pack:
    """The demo's business with generated tables: every product column filled, orders of 1-3 items."""
    rng = random.Random(seed)
    categories = ("lighting", "audio", "climate", "security", "accessories")
    items = tuple(
        ProductRecord(
            sku=f"SKU-{i:06d}",
            name=f"Product {i} {rng.choice(('Lamp', 'Speaker', 'Valve', 'Camera', 'Plug'))}",
            category=rng.choice(categories),
            price=Decimal(rng.randrange(100, 50_000)) / 100,
            stock=rng.randrange(0, 500),
            rating=Decimal(rng.randrange(10, 50)) / 10,
            tags=tuple(rng.sample(("wifi", "colour", "smart", "eco", "hub", "bluetooth"), 3)),
            description="A product generated for the import benchmark, with a sentence of text, too.",
            restock_eta=date(2026, 12, 1) + timedelta(days=i % 60) if i % 7 == 0 else None,
        )
        for i in range(products)
    )
    people = tuple(
        CustomerRecord(
            wa_id=f"4477009{i:05d}",
            name=f"Customer {i}",
            email=f"c{i}@example.com",
            city="London",
            language="en",
            preferences={"likes": "lighting"},
            marketing_opt_in=bool(i % 2),
        )
        for i in range(customers)
    )
    bought = []
    for i in range(orders):
        lines = tuple(
            OrderLine(sku=p.sku, qty=rng.randrange(1, 4)) for p in rng.sample(items, rng.randrange(1, 4))
        )
        total = sum((items[int(line.sku[4:])].price * line.qty for line in lines), Decimal(0))
        bought.append(
            OrderRecord(
                ref=f"ORD-{i:07d}",
                customer=people[i % len(people)].wa_id,
                items=lines,
                total=total,
                status=rng.choice(list(OrderStatus)),
                ordered_at=date(2026, 11, 1) + timedelta(days=i % 20),
            )
        )
    demo = read_folder(DEMO_DIR)
    return Pack(business=demo.business, products=items, customers=people, orders=tuple(bought))


async def timed(work: Callable[[], Awaitable[_T]]) -> tuple[float, _T]:
    started = time.perf_counter()
    result = await work()
    return time.perf_counter() - started, result


async def one_run(url: str, data: bytes, changed: Pack) -> dict[str, float]:
    store = SqlStore(make_engine(url))
    await upgrade(store.engine)
    async with store.begin() as conn:
        stmt = insert(tenants).values(slug="bench", name="bench", created_at=NOW).returning(tenants.c.id)
        tenant_id = int((await conn.execute(stmt)).scalar_one())

    async def apply(pack: Pack) -> ImportReport:
        async with store.transaction() as tx:
            assert isinstance(tx, SqlTx)
            return await apply_pack(tx.conn, tenant_id, pack, now=NOW, secrets=tx.secrets)

    async def read() -> Pack:
        return read_zip(data)

    try:
        read_s, pack = await timed(read)
        import_s, first = await timed(lambda: apply(pack))
        reimport_s, second = await timed(lambda: apply(pack))
        update_s, third = await timed(lambda: apply(changed))
        assert first.tables["products"].created == len(pack.products), first
        assert second.tables["products"].unchanged == len(pack.products), second
        assert third.tables["products"].updated == len(pack.products), third
    finally:
        await store.dispose()
    return {"read": read_s, "import": import_s, "reimport": reimport_s, "update": update_s}


def run_database(name: str, args: argparse.Namespace, data: bytes, changed: Pack) -> list[dict[str, float]]:
    runs = []
    for rep in range(args.repeat):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(
                    asyncio.run(one_run(f"sqlite+aiosqlite:///{Path(tmp) / 'pack.db'}", data, changed))
                )
        else:
            with PostgresDatabase(args.pg_url, "frontdesk_bench_pack") as url:
                runs.append(asyncio.run(one_run(url, data, changed)))
        print(
            f"[{name}] run {rep + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items()), flush=True
        )
    return runs


def summary(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        phase: {
            "median": statistics.median(r[phase] for r in runs),
            "min": min(r[phase] for r in runs),
            "max": max(r[phase] for r in runs),
        }
        for phase in runs[0]
    }


def report(results: dict[str, Any], args: argparse.Namespace) -> list[str]:
    rows = f"{args.products:,} products, {args.customers:,} customers, {args.orders:,} orders"
    lines = [
        f"{rows}; median (min-max) of {args.repeat} runs, seconds",
        f"{'':<12}"
        + "".join(f"{phase:>22}" for phase in ("read", "import", "reimport", "update", "read+import")),
    ]
    for name, r in results.items():
        s = r["summary"]
        cells = "".join(f"{s[p]['median']:>9.2f} ({s[p]['min']:.2f}-{s[p]['max']:.2f})" for p in s)
        lines.append(f"{name:<12}{cells}{r['read_plus_import']:>22.2f}")
    if {"sqlite", "postgresql"} <= set(results):
        s, p = results["sqlite"]["summary"], results["postgresql"]["summary"]
        lines.append(
            "postgresql / sqlite: " + ", ".join(f"{k} ×{p[k]['median'] / s[k]['median']:.2f}" for k in s)
        )
    if "sqlite" in results and args.products >= GOAL_PRODUCTS:
        took = results["sqlite"]["read_plus_import"]
        verdict = "meets" if took < GOAL_SECONDS else "MISSES"
        lines.append(
            f"goal: {GOAL_PRODUCTS:,} products read and imported on SQLite < {GOAL_SECONDS:.0f} s:"
            f" {took:.2f} s ({verdict})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--products", type=int, default=GOAL_PRODUCTS)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--label", default="", help="added to the results file name")
    args = parser.parse_args(argv)

    pack = make_pack(args.products, args.customers, args.orders)
    data = write_zip(pack)
    changed = pack.model_copy(
        update={
            "products": tuple(
                p.model_copy(update={"price": p.price + 1, "stock": p.stock + 1}) for p in pack.products
            )
        }
    )
    sizes = {name: len(body) for name, body in pack_files(pack).items()}
    print(f"pack: {len(data):,} bytes zipped, {sum(sizes.values()):,} unzipped ({sizes})", flush=True)

    started = datetime.now(UTC)
    load_before = os.getloadavg()
    results: dict[str, Any] = {}
    for name in ("sqlite", "postgresql"):
        if args.db in (name, "both"):
            runs = run_database(name, args, data, changed)
            s = summary(runs)
            results[name] = {
                "runs": runs,
                "summary": s,
                "read_plus_import": s["read"]["median"] + s["import"]["median"],
            }
    lines = report(results, args)
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    label = f"-{args.label}" if args.label else ""
    out = RESULTS / f"business_import-{started:%Y%m%dT%H%M%SZ}{label}.json"
    machine = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()}
    machine |= {"loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    out.write_text(
        json.dumps({"args": vars(args), "machine": machine, "results": results, "report": lines}, indent=2)
    )
    print(f"wrote {out.relative_to(BENCH.parent)}")
    ok = (
        "sqlite" not in results
        or args.products < GOAL_PRODUCTS
        or results["sqlite"]["read_plus_import"] < GOAL_SECONDS
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
