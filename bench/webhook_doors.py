"""The three webhook doors' ack path in one run: the Cloud API, the zapw bridge and AWS (SNS).

    python bench/webhook_doors.py [--db sqlite|postgresql|both] [--duration 5] [--doors whatsapp,bridge,aws]

For each database and each repetition: a fresh database and a fresh server process (`bench/server.py`,
turn workers OFF, as `bench/webhooks.py`), the demo business given a bridge number and an AWS number
beside its Cloud API number, then for each door a warm-up and a measured `wrk` run against the same
process, every request a new text message from one of 1,000 customers:

    whatsapp  POST /webhooks/whatsapp, signed with the app secret (X-Hub-Signature-256)
    bridge    POST /webhooks/bridge?token=…, zapw's `message.received` envelope (the token is the proof)
    aws       POST /webhooks/aws, an SNS Notification (SignatureVersion 2, SHA256withRSA) whose Message
              carries the Meta entry as AWS End User Messaging publishes it; the signing certificate is
              served by this runner on loopback, fetched once by the server, then cached

After each measured run the messages stored for it are counted against the 200s wrk received (as
`webhooks.py` does), and at the end every stored message must have exactly one turn job. The AWS
door's certificate fetches are counted: one per server process means the cache held. A door whose
route this build lacks (404) is reported as absent. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select
from webhooks import (  # type: ignore[import-not-found]
    PHONE_NUMBER_ID,
    RESULTS,
    TEXTS,
    Database,
    PostgresDb,
    Server,
    SqliteDb,
    check_rows,
    common_arguments,
    environment,
    measure,
    write_bodies,
)

from frontdesk.adapters.db.tables import channels
from frontdesk.devtools.fake_aws import SnsSigner, aws_event
from frontdesk.devtools.webhooks import text_webhook

BRIDGE_SESSION = "fd-bench0001"
BRIDGE_PHONE = "447700900555"
AWS_META_NUMBER = "109876543210003"
AWS_NUMBER = "phone-number-id-0123456789abcdef0123456789abcdef"
AWS_NUMBER_ARN = f"arn:aws:social-messaging:eu-west-1:123456789012:phone-number-id/{AWS_NUMBER[16:]}"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:frontdesk-whatsapp"
SNS_CONTENT_TYPE = "text/plain; charset=UTF-8"  # what SNS sends its JSON as


@dataclass(frozen=True)
class Door:
    name: str
    title: str
    path: str
    prefix: str
    """A LIKE prefix of the stored message ids of its requests (`<prefix>.<w|m>.<n>`)."""
    header: str = "X-Hub-Signature-256"
    content_type: str = "application/json"


def doors(token: str) -> tuple[Door, ...]:
    return (
        Door("whatsapp", "Cloud API  /webhooks/whatsapp", "/webhooks/whatsapp", "wamid.bench.whatsapp"),
        Door("bridge", "bridge     /webhooks/bridge", f"/webhooks/bridge?token={token}", "%bench.bridge"),
        Door(
            "aws",
            "AWS (SNS)  /webhooks/aws",
            "/webhooks/aws",
            "wamid.bench.aws",
            header="x-amz-sns-message-type",
            content_type=SNS_CONTENT_TYPE,
        ),
    )


# -- request bodies: one request per line, `<header value>\t<body>` (bench/webhooks.lua)


def _customer(n: int, senders: int) -> tuple[str, str]:
    c = n % senders
    return f"4477{c:08d}", f"Customer {c:04d}"


def _write(path: Path, lines: Iterator[tuple[str, bytes]]) -> None:
    with path.open("wb") as f:
        for header, body in lines:
            f.write(header.encode() + b"\t" + body + b"\n")


def bridge_bodies(path: Path, *, tag: str, count: int, senders: int) -> None:
    """zapw's `message.received` events of the bench's bridge session (no header: the token is in the URL)."""

    def lines() -> Iterator[tuple[str, bytes]]:
        for n in range(count):
            sender, name = _customer(n, senders)
            now = int(time.time() * 1000)
            data = {
                "from": f"{sender}@s.whatsapp.net",
                "to": BRIDGE_PHONE,
                "messageId": f"bench.bridge.{tag}.{n:07d}",
                "type": "text",
                "text": TEXTS[n % len(TEXTS)],
                "timestamp": now,
                "isGroup": False,
                "pushName": name,
            }
            envelope = {
                "sessionId": BRIDGE_SESSION,
                "origin": BRIDGE_PHONE,
                "eventType": "message.received",
                "timestamp": now,
                "data": data,
            }
            yield "", json.dumps(envelope, separators=(",", ":")).encode()

    _write(path, lines())


def aws_bodies(path: Path, *, tag: str, count: int, senders: int, signer: SnsSigner) -> None:
    """SNS Notifications, each signed (RSA: ~1 ms apiece here), carrying one Meta entry as AWS does."""

    def lines() -> Iterator[tuple[str, bytes]]:
        for n in range(count):
            sender, name = _customer(n, senders)
            payload: Any = text_webhook(
                phone_number_id=AWS_META_NUMBER, sender=sender, name=name, text=TEXTS[n % len(TEXTS)]
            )
            entry = payload["entry"][0]
            entry["changes"][0]["value"]["messages"][0]["id"] = f"wamid.bench.aws.{tag}.{n:07d}"
            message = aws_event(
                entry, meta_phone_number_id=AWS_META_NUMBER, aws_phone_number_arn=AWS_NUMBER_ARN
            )
            notification = signer.notification(message, message_id=str(uuid.uuid4()))
            yield "Notification", json.dumps(notification, separators=(",", ":")).encode()

    _write(path, lines())


# -- the SNS certificate, served on loopback


class CertServer:
    """Serves the signer's certificate at `/sns/bench.pem` and counts the fetches."""

    def __init__(self, pem: bytes):
        outer = self
        self.fetches = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/sns/bench.pem":
                    self.send_error(404)
                    return
                outer.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(pem)))
                self.end_headers()
                self.wfile.write(pem)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.url = f"{self.base}/sns/bench.pem"
        threading.Thread(target=self._http.serve_forever, name="sns-cert", daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


# -- one repetition


def sync_url(db: Database) -> str:
    if isinstance(db, SqliteDb):
        return f"sqlite:///{db.path}"
    assert isinstance(db, PostgresDb) and db.name
    return db._url(db.name).replace("postgresql://", "postgresql+psycopg://", 1)


def add_numbers(db: Database) -> None:
    """The demo business's bridge number (linked) and AWS number, beside its Cloud API number."""
    engine = create_engine(sync_url(db))
    try:
        with engine.begin() as conn:
            query = select(channels.c.tenant_id).where(channels.c.phone_number_id == PHONE_NUMBER_ID)
            tenant_id = conn.execute(query).scalar_one()
            now = datetime.now(UTC)
            numbers = (
                dict(
                    kind="wa_bridge",
                    phone_number_id=BRIDGE_SESSION,
                    display_phone_number=BRIDGE_PHONE,
                    name="Bench bridge",
                    status="connected",
                    status_at=now,
                ),
                dict(
                    kind="aws_social",
                    phone_number_id=AWS_META_NUMBER,
                    aws_phone_number_id=AWS_NUMBER,
                    region="eu-west-1",
                    name="Bench AWS",
                ),
            )
            for number in numbers:
                conn.execute(insert(channels).values(tenant_id=tenant_id, created_at=now, **number))
    finally:
        engine.dispose()


def door_exists(server: Server, door: Door) -> bool:
    """Whether this build has the door's route: anything but 404 to an empty body."""
    request = urllib.request.Request(f"{server.url}{door.path}", data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code != 404
    except OSError:
        return False


def run_repetition(
    db: Database,
    rep: int,
    files: dict[str, Path],
    workdir: Path,
    args: argparse.Namespace,
    *,
    env: dict[str, str],
    certs: CertServer,
) -> dict[str, Any]:
    url = db.create(rep)
    log_path = workdir / f"server-{db.kind}-{rep}.log"
    server = Server(python=args.python, database_url=url, workdir=workdir, log_path=log_path, extra_env=env)
    fetched_before = certs.fetches
    results: dict[str, Any] = {}
    try:
        server.wait_healthy()
        add_numbers(db)
        server.wait_idle()
        for door in args.door_list:
            if not door_exists(server, door):
                print(f"  {db.kind:<10} rep {rep}  {door.name:<8} absent: this build has no {door.path}")
                results[door.name] = None
                continue
            wrk = {"header": door.header, "content_type": door.content_type}
            res, warm, run = measure(
                server, door.path, files[f"{door.name}-w"], files[f"{door.name}-m"], args, **wrk
            )
            time.sleep(1.0)  # let requests cut off by wrk's stop finish inside the server
            res["check"] = check_rows(db, door.prefix, warm, run)
            results[door.name] = res
            m = res["check"]["measured"]
            print(
                f"  {db.kind:<10} rep {rep}  {door.name:<8} {res['rps']:7.0f} stored/s  "
                f"p50 {res['p50_ms']:6.1f} ms  p99 {res['p99_ms']:6.1f} ms  {res['cpu_us_per_req']:5.0f} us "
                f"CPU/req  other {res['other_cpu']:4.0%}  rows {m['rows']} for {m['ok']} 200s"
                + ("" if res["check"]["consistent"] else "  MISMATCH"),
                flush=True,
            )
        totals = db.counts("%bench%")
    finally:
        server.stop()
        db.drop()
    return {
        "rep": rep,
        "doors": results,
        "totals": totals,
        "cert_fetches": certs.fetches - fetched_before,
        # every bench message is a text: each stored one enqueued exactly one turn job
        "jobs_match": totals["jobs"] == totals["messages"] == totals["all_inbound"],
    }


# -- summary


def summarize(reps: list[dict[str, Any]], door_list: tuple[Door, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"doors": {}}
    for door in door_list:
        rs = [r["doors"][door.name] for r in reps if r["doors"].get(door.name)]
        if not rs:
            out["doors"][door.name] = None
            continue
        keys = (
            "rps",
            "p50_ms",
            "p99_ms",
            "max_ms",
            "cpu_us_per_req",
            "server_cpu",
            "postgres_cpu",
            "other_cpu",
        )
        out["doors"][door.name] = {k: statistics.median(r[k] for r in rs) for k in keys} | {
            "rows_consistent": all(r["check"]["consistent"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
        }
    out["cert_fetches"] = [r["cert_fetches"] for r in reps]
    out["jobs_match"] = all(r["jobs_match"] for r in reps)
    return out


def print_table(summaries: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print()
    print(
        f"Webhook doors, ack path only (turn workers OFF). wrk {args.threads} thread(s), {args.connections} "
        f"connections, {args.duration} s after a {args.warmup} s warm-up per door; {args.senders} "
        f"customers; medians over {args.repeat} repetition(s), each a fresh database and server."
    )
    head = (
        f"{'database':<11}{'door':<32}{'stored/s':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'us/req':>8}{'server':>8}{'pg':>6}{'other':>7}{'rows':>6}"
    )
    print(head)
    print("-" * len(head))
    for db, s in summaries.items():
        for door in args.door_list:
            d = s["doors"][door.name]
            if d is None:
                print(f"{db:<11}{door.title:<32}{'absent (no route in this build)':>40}")
                continue
            print(
                f"{db:<11}{door.title:<32}{d['rps']:>9.0f}{d['p50_ms']:>8.1f}{d['p99_ms']:>8.1f}"
                f"{d['max_ms']:>8.0f}{d['cpu_us_per_req']:>8.0f}{d['server_cpu']:>8.0%}"
                f"{d['postgres_cpu']:>6.0%}{d['other_cpu']:>7.0%}{'ok' if d['rows_consistent'] else 'BAD':>6}"
            )
        print(
            f"{'':<11}SNS certificate fetches per server process: "
            f"{', '.join(map(str, s['cert_fetches']))} (1: cached after the first); every stored "
            f"message has its turn job: {'yes' if s['jobs_match'] else 'NO'}"
        )
    print(
        "stored/s = 200 responses per second, each a new message stored with its turn job. rows ok = one\n"
        "stored message per 200 wrk received (plus at most the requests wrk cut off at its stop).\n"
        "us/req = server CPU microseconds per request; other = CPU used by everything else (noise)."
    )


# -- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_arguments(p, db="sqlite", duration=5, repeat=1)
    p.add_argument("--doors", default="whatsapp,bridge,aws", help="comma-separated subset of the doors")
    p.add_argument(
        "--aws-max-rate",
        type=float,
        default=2500.0,
        help="SNS messages/s the AWS body files are sized for (each is RSA-signed: ~1 ms to make)",
    )
    args = p.parse_args(argv)
    if args.duration < 1 or args.warmup < 1:
        p.error("--duration and --warmup are whole seconds, at least 1")
    args.token = secrets.token_urlsafe(32)
    names = [n.strip() for n in args.doors.split(",") if n.strip()]
    known = doors(args.token)
    unknown = set(names) - {d.name for d in known}
    if unknown or not names:
        p.error(f"--doors: unknown door(s) {', '.join(sorted(unknown)) or '(none given)'}")
    args.door_list = tuple(d for d in known if d.name in names)
    return args


def make_bodies(args: argparse.Namespace, workdir: Path, signer: SnsSigner) -> dict[str, Path]:
    writers: dict[str, Callable[..., None]] = {
        "whatsapp": lambda path, tag, count: write_bodies(path, tag=tag, count=count, senders=args.senders),
        "bridge": lambda path, tag, count: bridge_bodies(path, tag=tag, count=count, senders=args.senders),
        "aws": lambda path, tag, count: aws_bodies(
            path, tag=tag, count=count, senders=args.senders, signer=signer
        ),
    }
    files: dict[str, Path] = {}
    for door in args.door_list:
        rate = args.aws_max_rate if door.name == "aws" else args.max_rate
        for tag, seconds in (("w", args.warmup), ("m", args.duration)):
            path = workdir / f"bodies-{door.name}-{tag}.txt"
            # the Cloud API's ids are `wamid.bench.<tag>.<n>`: its tag names the door too
            name = f"{door.name}.{tag}" if door.name == "whatsapp" else tag
            writers[door.name](path, name, int(rate * seconds) + args.connections)
            files[f"{door.name}-{tag}"] = path
    return files


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="work-", dir=RESULTS))
    workdir.mkdir(parents=True, exist_ok=True)

    signer = SnsSigner(cert_url="http://placeholder/sns/bench.pem", topic_arn=TOPIC)
    certs = CertServer(signer.cert_pem)
    signer.cert_url = certs.url
    env = {
        "FRONTDESK_BRIDGE_WEBHOOK_TOKEN": args.token,
        "FRONTDESK_AWS_SNS_TOPIC_ARNS": TOPIC,
        "FRONTDESK_AWS_SNS_CERT_URL_REGEX": rf"{re.escape(certs.base)}/sns/[a-z]+\.pem",
    }
    t = time.monotonic()
    files = make_bodies(args, workdir, signer)
    print(f"generated the bodies in {time.monotonic() - t:.1f} s ({workdir})", flush=True)

    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    dbs: list[Database] = [SqliteDb(workdir) if k == "sqlite" else PostgresDb(args.pg_url) for k in kinds]
    started = datetime.now(UTC)
    raw: dict[str, list[dict[str, Any]]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    try:
        env_info = environment(dbs, args.python)
        for db in dbs:
            raw[db.kind] = [
                run_repetition(db, rep, files, workdir, args, env=env, certs=certs)
                for rep in range(1, args.repeat + 1)
            ]
            summaries[db.kind] = summarize(raw[db.kind], args.door_list)
    finally:
        certs.stop()
        if not args.keep:
            for path in files.values():
                path.unlink(missing_ok=True)
    print_table(summaries, args)

    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"webhook-doors-{stamp}{'-' + args.label if args.label else ''}.json"
    skip = {"door_list", "token"}
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k not in skip}
    out.write_text(
        json.dumps(
            {
                "benchmark": "webhook_doors",
                "started": started.isoformat(),
                "params": params,
                "environment": env_info,
                "summary": summaries,
                "repetitions": raw,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nresults: {out}")
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    ok = all(
        d is None or d["rows_consistent"] for s in summaries.values() for d in s["doors"].values()
    ) and all(s["jobs_match"] for s in summaries.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
