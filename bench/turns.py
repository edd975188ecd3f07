"""Turn benchmark: what Frontdesk adds around the model, a turn of the offline brain, and a fan-out.

    PYTHONPATH=. python bench/turns.py [--turns 200] [--latency 0.2] [--repeat 3]

One fresh SQLite database (temp dir), migrated and seeded with the demo business and its knowledge
base by `Frontdesk.open`, the product's own composition (settings, team file, tools, stores). Each
turn is a customer text stored through `IngestService` (as the webhook does), its job claimed from
the queue, and `TurnService.run` timed: load the turn, the team answers, reply + outbox + state +
job completion commit. Sending is not part of a turn (the dispatcher does it later) and is off.

    llm      FRONTDESK_OPENAI_API_KEY/BASE_URL point at a local fake OpenAI server that waits
             --latency s per request, then calls the tool the agent offers (order_status or
             search_products) and, once it has the result, answers. A turn is two model calls.
             The server runs in its own process, as a real provider would (in this process it
             would take the turn's CPU and GIL and count as overhead).
             Overhead = turn time - the time the model server spent on the turn's requests.
             Goal (issue 4): overhead p95 <= 30 ms. Also reported: this process's CPU per turn.
    local    no provider configured: the offline brain (MiniLM intent + slots + tool + template) on a
             mix of customer messages, each from a new customer. Goal: p95 <= 50 ms.
    fanout   "where is my order LH-100245, and is the GU10 in stock?": the supervisor sends it to the
             orders and products agents at once. Goal: about the slower agent's time (ratio to a
             single-agent llm turn ~1.0; 2.0 would mean the agents ran one after the other).

Prints medians over the repetitions; writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import platform
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic_ai import models

from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.events import InboundMessage
from frontdesk.settings import Settings
from frontdesk.wiring import Frontdesk
from tests.support.fake_llm import FakeOpenAI, call, say

RESULTS = Path(__file__).parent / "results"
NUMBER = "109876543210001"
LOCAL_MESSAGES = (
    "where is my order?",
    "do you have GU10 bulbs in stock?",
    "my thermostat display shows E3, what do I do",
    "can I book an installation next Tuesday afternoon?",
    "what's the difference between the Lumen One and the Lumen Bar speakers",
    "please stop sending me offers",
    "what is your returns policy",
    "hi there",
    "recommend me a smart bulb under 20 pounds",
    "which services do you offer?",
)
FANOUT = "where is my order LH-100245, and is the GU10 in stock?"


@dataclass
class TimedOpenAI(FakeOpenAI):
    """A fake OpenAI server with a fixed latency that uses whichever tool it is offered, then answers."""

    latency: float = 0.2
    spent: list[float] = field(default_factory=list)

    async def _handle(self, request: Request) -> JSONResponse:
        started = time.perf_counter()
        body = json.loads(await request.body())
        self.requests.append(body)
        await asyncio.sleep(self.latency)
        offered = {t["function"]["name"] for t in body.get("tools", [])}
        answered = any(m.get("role") == "tool" for m in body["messages"])
        if answered or not offered & {"order_status", "search_products"}:
            answer = say("Here is what I found.")
        elif "order_status" in offered:
            answer = call("order_status", order_ref="LH-100245")
        else:
            answer = call("search_products", query="GU10")
        self.spent.append(time.perf_counter() - started)
        return JSONResponse(self.render(answer, len(self.spent)))

    def app(self) -> FastAPI:
        app = super().app()
        # The model time of the last turn, read by the bench from the other process.
        app.add_api_route("/_spent", self._take_spent, methods=["POST"])
        return app

    async def _take_spent(self) -> list[float]:
        taken, self.spent = self.spent, []
        return taken


def _serve_model(port: int, latency: float) -> None:
    uvicorn.run(TimedOpenAI(latency=latency).app(), host="127.0.0.1", port=port, log_level="warning")


@contextlib.contextmanager
def model_server(latency: float) -> Iterator[str]:
    """The fake model server in its own process; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spawn = multiprocessing.get_context("spawn")
    process = spawn.Process(target=_serve_model, args=(port, latency), daemon=True)
    process.start()
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            with contextlib.suppress(httpx.TransportError):
                httpx.post(f"{url}/_spent")
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"the fake model server did not start on {url} (run with PYTHONPATH=.)")
        yield url
    finally:
        process.terminate()
        process.join(5)


@dataclass
class Bench:
    frontdesk: Frontdesk
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def turn(self, text: str, wa_id: str) -> float:
        """Store one customer message and run its turn; the turn's seconds."""
        n = next(self.ids)
        event = InboundMessage(
            channel_key=NUMBER,
            message_id=f"wamid.bench.{n}",
            sender=wa_id,
            timestamp=datetime.now(UTC),
            type="text",
            text=text,
            raw={},
        )
        await self.frontdesk.ingest.ingest([event], kind=ChannelKind.WHATSAPP_CLOUD)
        job = await self.frontdesk.store.claim_job(worker="bench", now=datetime.now(UTC), lease_seconds=60)
        assert job is not None, "the message was not queued"
        started = time.perf_counter()
        await self.frontdesk.turns.run(job, "bench")
        return time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(pct(ms, 0.5), 2), "p95_ms": round(pct(ms, 0.95), 2), "n": len(ms)}


async def opened(folder: Path, **settings: Any) -> Frontdesk:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        "log_level": "WARNING",
    }
    values.update(settings)
    return await Frontdesk.open(Settings(_env_file=None, **values))  # type: ignore[call-arg]


async def measure(
    bench: Bench, turns: int, message: Callable[[int], tuple[str, str]], warmup: int = 5
) -> list[float]:
    for i in range(warmup):
        await bench.turn(*message(i))
    return [await bench.turn(*message(warmup + i)) for i in range(turns)]


async def run_once(args: argparse.Namespace, url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    new_customer = itertools.count(447700990000)
    with tempfile.TemporaryDirectory() as local_dir:
        frontdesk = await opened(Path(local_dir))
        try:
            bench = Bench(frontdesk)
            local = await measure(
                bench,
                args.turns,
                lambda i: (LOCAL_MESSAGES[i % len(LOCAL_MESSAGES)], str(next(new_customer))),
            )
            out["local"] = summary(local)
        finally:
            await frontdesk.close()
    with tempfile.TemporaryDirectory() as llm_dir:
        frontdesk = await opened(Path(llm_dir), openai_api_key="sk-bench", openai_base_url=f"{url}/v1")
        try:
            bench = Bench(frontdesk)
            overheads, totals, cpu = [], [], []
            async with httpx.AsyncClient(base_url=url) as model:
                for i in range(args.turns // 4 + 3):
                    await model.post("/_spent")
                    started_cpu = time.process_time()
                    took = await bench.turn("where is my order LH-100245?", "447700900101")
                    spent = sum((await model.post("/_spent")).json())
                    if i >= 3:  # warm-up
                        totals.append(took)
                        overheads.append(took - spent)
                        cpu.append(time.process_time() - started_cpu)
            out["llm_turn"] = summary(totals)
            out["llm_overhead"] = summary(overheads)
            out["llm_cpu"] = summary(cpu)
            out["model_calls_per_turn"] = 2
            fanout = await measure(bench, args.turns // 8, lambda i: (FANOUT, "447700900101"), warmup=2)
            out["fanout"] = summary(fanout)
            out["fanout_to_single_ratio"] = round(statistics.median(fanout) / statistics.median(totals), 2)
        finally:
            await frontdesk.close()
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    models.ALLOW_MODEL_REQUESTS = True  # only ever the local fake server below
    runs = []
    with model_server(args.latency) as url:
        for rep in range(args.repeat):
            runs.append(await run_once(args, url))
            print(f"run {rep + 1}: {json.dumps(runs[-1])}")
    return {"runs": runs, "median": medians(runs)}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = {k: statistics.median(r[key][k] for r in runs) for k in value}
        else:
            out[key] = statistics.median(r[key] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=200, help="local turns per repetition (llm: a quarter)")
    parser.add_argument("--latency", type=float, default=0.2, help="the fake model's seconds per request")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    m = result["median"]
    print(f"\nmedians of {args.repeat} runs on {platform.node()} ({platform.python_version()}):")
    print(
        f"  local turn        p50 {m['local']['p50_ms']} ms  p95 {m['local']['p95_ms']} ms  (goal p95 <= 50)"
    )
    print(
        f"  llm turn overhead p50 {m['llm_overhead']['p50_ms']} ms  p95 {m['llm_overhead']['p95_ms']} ms"
        f"  (goal p95 <= 30; turn p50 {m['llm_turn']['p50_ms']} ms, model 2 x {args.latency * 1000:.0f} ms)"
    )
    cpu = m["llm_cpu"]
    print(f"  llm turn CPU      p50 {cpu['p50_ms']} ms  p95 {cpu['p95_ms']} ms  (this process)")
    print(
        f"  fan-out turn      p50 {m['fanout']['p50_ms']} ms = {m['fanout_to_single_ratio']} x a single-agent"
        " turn  (goal ~1; 2 = sequential)"
    )
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"turns-{stamp}.json").write_text(json.dumps({"args": vars(args), **result}, indent=2))


if __name__ == "__main__":
    main()
