"""The `frontdesk` command."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import httpx
import typer
import uvicorn

from frontdesk import __version__
from frontdesk.cli_secrets import secrets_cli, secrets_readable
from frontdesk.domain.errors import ConfigurationError, FrontdeskError, NotFoundError
from frontdesk.domain.knowledge import DocumentTooLarge, SearchMode
from frontdesk.domain.staff import Role
from frontdesk.logs import configure_logging
from frontdesk.settings import Environment, Settings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from frontdesk.domain.models import Tenant
    from frontdesk.services.knowledge.service import KnowledgeService

_T = TypeVar("_T")

cli = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Frontdesk: AI agents behind WhatsApp numbers."
)
db_cli = typer.Typer(no_args_is_help=True, help="Database schema.")
demo_cli = typer.Typer(no_args_is_help=True, help="The demo business.")
dev_cli = typer.Typer(no_args_is_help=True, help="Tools for developers.")
kb_cli = typer.Typer(no_args_is_help=True, help="The knowledge base: add documents, search, list.")
cli.add_typer(db_cli, name="db")
cli.add_typer(demo_cli, name="demo")
cli.add_typer(kb_cli, name="kb")
cli.add_typer(dev_cli, name="dev")
users_cli = typer.Typer(no_args_is_help=True, help="Staff accounts: who may sign in to the admin API.")
cli.add_typer(users_cli, name="users")
cli.add_typer(secrets_cli, name="secrets")


def _settings(**overrides: object) -> Settings:
    """Load settings; a bad one ends the command with exit code 2 and one line naming it."""
    try:
        settings = load_settings(**overrides)
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(level=settings.log_level, json=settings.log_json)
    return settings


def _checked(settings: Settings) -> Settings:
    """Settings for a command that answers customers: the team file must be valid (else exit 2)."""
    if settings.responder == "team":
        from frontdesk.app_team import configured_team

        try:
            configured_team(settings)
        except ConfigurationError as exc:
            typer.echo(f"frontdesk: {exc}", err=True)
            raise typer.Exit(2) from None
    return settings


def _version(value: bool) -> None:
    if value:
        typer.echo(f"frontdesk {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Frontdesk: AI agents behind WhatsApp numbers."""


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_workers: Annotated[
        bool, typer.Option("--no-workers", help="Serve HTTP only; run `frontdesk worker` elsewhere.")
    ] = False,
    fake_graph: Annotated[
        bool,
        typer.Option(
            "--fake-graph", help="Dev only: send replies to a built-in fake Graph API at /_dev/graph."
        ),
    ] = False,
) -> None:
    """Run the API, the admin UI and (unless --no-workers) the workers, migrating the database first."""
    overrides: dict[str, object] = {}
    if fake_graph:
        overrides["whatsapp_graph_url"] = f"http://{_local(host)}:{port}/_dev/graph"
    settings = _checked(_settings(**overrides))
    if fake_graph and settings.env is not Environment.DEV:
        typer.echo("frontdesk: --fake-graph is only for FRONTDESK_ENV=dev", err=True)
        raise typer.Exit(2)
    from frontdesk.app import create_app

    secrets_readable(settings)
    app = create_app(settings, workers=not no_workers)
    if fake_graph:
        mount_dev_tools(app, settings)
    if settings.env is Environment.DEV:
        typer.echo(_dev_banner(settings, f"http://{_local(host)}:{port}", fake_graph), err=True)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


def mount_dev_tools(app: FastAPI, settings: Settings) -> None:
    """Dev only: the fake Graph API at /_dev/graph and the web app's phone simulator at /_dev/simulator.

    Refused outside `FRONTDESK_ENV=dev` whoever calls it: the fake shows every message it was sent with
    its bearer token, and the simulator signs webhooks with the app secret for anyone who asks.
    """
    if settings.env is not Environment.DEV:
        raise ConfigurationError(
            "the dev tools (/_dev/graph, /_dev/simulator) are only for FRONTDESK_ENV=dev"
        )
    from frontdesk.devtools.fake_graph import create_fake_graph
    from frontdesk.devtools.simulator import create_simulator

    graph = create_fake_graph()
    app.mount("/_dev/graph", graph)
    secret = settings.whatsapp_app_secret.get_secret_value()
    app.mount("/_dev/simulator", create_simulator(target=app, graph=graph, app_secret=secret))


def _dev_banner(settings: Settings, url: str, fake_graph: bool) -> str:
    from frontdesk.app_access import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD

    lines = [
        f"Frontdesk {__version__} (dev) on {url}  —  API docs: {url}/docs",
        f'  try it:  frontdesk simulate --url {url} --from 447700900101 "where is my order?"',
        f"  sign in: {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}  (the demo owner the dev seed made)",
    ]
    if fake_graph:
        lines.append(f"  replies go to the built-in fake Graph API: {url}/_dev/graph/_fake/messages")
        lines.append(f"  admin web app: {url}/  (its phone simulator talks to {url}/_dev/simulator)")
    return "\n".join(lines)


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


@cli.command()
def worker() -> None:
    """Run turn workers and the outbox dispatcher without HTTP (scale-out)."""
    settings = _checked(_settings())
    from frontdesk.app import Frontdesk

    async def run() -> None:
        frontdesk = await Frontdesk.open(settings)
        frontdesk.start_workers()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        typer.echo(f"frontdesk worker running ({settings.workers} tasks); Ctrl-C to stop", err=True)
        await stop.wait()
        await frontdesk.close()

    asyncio.run(run())


@cli.command()
def chat(
    wa_id: Annotated[
        str, typer.Option("--as", help="Chat as this demo customer (their WhatsApp number).")
    ] = "447700900101",
    name: Annotated[str, typer.Option(help="The customer's WhatsApp profile name.")] = "Demo customer",
    database_url: Annotated[
        str,
        typer.Option(help="The chat's own database (kept between chats; the demo is loaded on first use)."),
    ] = "sqlite+aiosqlite:///./frontdesk-chat.db",
) -> None:
    """Chat with the agent team in the terminal, through the real pipeline: a signed webhook in, the
    fake Graph API out, showing which agent answered and which tools ran."""
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    graph_url = f"http://127.0.0.1:{port}/_dev/graph"
    settings = _checked(_settings(database_url=database_url, whatsapp_graph_url=graph_url, log_json=False))
    if settings.env is not Environment.DEV:
        typer.echo("frontdesk: chat uses the built-in fake Graph API, so only FRONTDESK_ENV=dev", err=True)
        raise typer.Exit(2)
    from frontdesk.app import create_app
    from frontdesk.devtools.chat import run_chat
    from frontdesk.devtools.fake_graph import create_fake_graph

    app = create_app(settings)
    app.mount("/_dev/graph", create_fake_graph())
    secret = settings.whatsapp_app_secret.get_secret_value()
    asyncio.run(run_chat(app, sock, database_url=database_url, app_secret=secret, wa_id=wa_id, name=name))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    settings = _settings()
    from frontdesk.adapters.db.engine import make_engine
    from frontdesk.adapters.db.migrate import upgrade

    async def run() -> None:
        engine = make_engine(settings.database_url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(run())
    typer.echo("database is up to date")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Load the demo business (Lumen Home) and its knowledge base; running it again changes nothing."""
    settings = _settings(demo_seed=False)  # seed explicitly below, to report what was new
    from frontdesk.app import Frontdesk

    async def run() -> dict[str, int]:
        frontdesk = await Frontdesk.open(settings)
        try:
            return await frontdesk.seed_demo()
        finally:
            await frontdesk.close()

    inserted = asyncio.run(run())
    typer.echo(
        "demo seeded: " + (", ".join(f"{n} {t}" for t, n in sorted(inserted.items())) or "nothing new")
    )


# -- knowledge base

TenantOption = Annotated[
    str | None, typer.Option("--tenant", help="The tenant's slug (default: the only tenant).")
]


def _with_knowledge(
    settings: Settings, slug: str | None, work: Callable[[KnowledgeService, Tenant], Awaitable[_T]]
) -> _T:
    """Open Frontdesk (migrating the database), run `work` for the tenant, close; exit 1 without it."""
    from frontdesk.app import Frontdesk
    from frontdesk.cli_users import pick_tenant

    async def run() -> _T:
        frontdesk = await Frontdesk.open(settings)
        try:
            tenant = await pick_tenant(frontdesk, slug)
            return await work(frontdesk.knowledge, tenant)
        finally:
            await frontdesk.close()

    try:
        return asyncio.run(run())
    except NotFoundError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None


@kb_cli.command("ingest")
def kb_ingest(
    paths: Annotated[
        list[Path], typer.Argument(exists=True, help="Files, or folders to search for supported files.")
    ],
    tenant: TenantOption = None,
) -> None:
    """Add or replace documents; says per file: added, replaced, unchanged or refused (then exit 1)."""
    settings = _settings()
    files = _document_files(paths)

    async def work(knowledge: KnowledgeService, tenant: Tenant) -> int:
        refused = 0
        for path in files:
            try:
                data = await asyncio.to_thread(_read_document, path, settings.kb_max_bytes)
                result = await knowledge.ingest(tenant=tenant, filename=path.name, data=data)
            except (OSError, FrontdeskError) as exc:
                refused += 1
                typer.echo(f"{'refused':<10}{path}: {exc}")
                continue
            chunks = result.document.chunk_count
            plural = "chunk" if chunks == 1 else "chunks"
            typer.echo(f"{result.outcome.value:<10}{path}  ({result.document.filename}, {chunks} {plural})")
        return refused

    if _with_knowledge(settings, tenant, work):
        raise typer.Exit(1)


def _document_files(paths: list[Path]) -> list[Path]:
    """Files as given; in folders, recursively, the files with a supported extension (hidden ones skipped)."""
    from frontdesk.adapters.documents import SUPPORTED_TYPES

    extensions = {t for t in SUPPORTED_TYPES if t.startswith(".")}
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = (
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in extensions
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        files.extend(sorted(found))
    return files


def _read_document(path: Path, limit: int) -> bytes:
    """The file's bytes; `DocumentTooLarge` without reading it when it is over the limit."""
    size = path.stat().st_size
    if size > limit:
        raise DocumentTooLarge(size, limit)
    return path.read_bytes()


@kb_cli.command("search")
def kb_search(
    query: Annotated[str, typer.Argument(help="A question as a customer would write it.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many chunks to show.")] = 5,
    mode: Annotated[SearchMode, typer.Option(help="fused, or text / vector alone.")] = SearchMode.FUSED,
    tenant: TenantOption = None,
) -> None:
    """Show the chunks the bot would find for a question, best first."""
    settings = _settings()

    async def work(knowledge: KnowledgeService, tenant: Tenant) -> None:
        try:
            hits = await knowledge.search(tenant=tenant, query=query, k=k, mode=mode)
        except FrontdeskError as exc:
            typer.echo(f"frontdesk: {exc}", err=True)
            raise typer.Exit(1) from None
        if not hits:
            typer.echo("no matches")
        for rank, hit in enumerate(hits, start=1):
            where = " > ".join((hit.document_title, *hit.heading_path))
            typer.echo(f"{rank}. [{hit.score:.4f}] {where}  ({hit.filename})\n   {hit.snippet}")

    _with_knowledge(settings, tenant, work)


@kb_cli.command("list")
def kb_list(tenant: TenantOption = None) -> None:
    """List the tenant's documents: id, chunks, size, last change, file name and title."""
    settings = _settings()

    async def work(knowledge: KnowledgeService, tenant: Tenant) -> None:
        offset, total = 0, 1
        while offset < total:
            page = await knowledge.list_documents(tenant=tenant, limit=100, offset=offset)
            total, offset = page.total, offset + 100
            for d in page.items:
                updated = d.updated_at.strftime("%Y-%m-%d %H:%M")
                typer.echo(f"{d.id:>6} {d.chunk_count:>5} ch {d.size_bytes:>9} B  {updated}  {d.filename}")
        typer.echo(f"{total} document{'s' if total != 1 else ''}")

    _with_knowledge(settings, tenant, work)


# -- staff accounts


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The person's e-mail; they sign in with it.")],
    role: Annotated[Role, typer.Option(help="Their role in the tenant.")],
    name: Annotated[str, typer.Option(help="Their name, as staff see it.")] = "",
    tenant: TenantOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input, not a prompt.")
    ] = False,
) -> None:
    """Add a staff member (the first owner, say). The password is asked for and never echoed."""
    settings = _settings()
    from frontdesk.cli_users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        member, created, where = asyncio.run(
            create_user(settings, email=email, role=role, name=name, password=password, tenant=tenant)
        )
    except FrontdeskError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    how = "created" if created else "existing account added"
    typer.echo(f"{how}: {member.email} ({member.role}) in {where.slug}, user id {member.user_id}")


@users_cli.command("list")
def users_list(tenant: TenantOption = None) -> None:
    """List the tenant's staff: id, role, e-mail, and whether they are disabled."""
    settings = _settings()
    from frontdesk.cli_users import list_users

    try:
        members, where = asyncio.run(list_users(settings, tenant=tenant))
    except FrontdeskError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    for m in members:
        typer.echo(f"{m.user_id:>6}  {m.role:<7} {m.email}{'  (disabled)' if m.disabled else ''}")
    typer.echo(f"{len(members)} staff in {where.slug}")


@cli.command()
def simulate(
    text: Annotated[str, typer.Argument(help="The customer's message.")],
    sender: Annotated[
        str, typer.Option("--from", help="The customer's WhatsApp number (wa_id).")
    ] = "447700900101",
    name: Annotated[str | None, typer.Option(help="The customer's WhatsApp profile name.")] = None,
    to: Annotated[str, typer.Option(help="The business number's phone_number_id.")] = "109876543210001",
    url: Annotated[str, typer.Option(help="Frontdesk's base URL.")] = "http://127.0.0.1:8000",
) -> None:
    """Post a correctly signed WhatsApp webhook to a running Frontdesk, as if a customer wrote."""
    settings = _settings()
    body = json.dumps(text_webhook(phone_number_id=to, sender=sender, name=name, text=text)).encode()
    secret = settings.whatsapp_app_secret.get_secret_value().encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/webhooks/whatsapp",
            content=body,
            headers={"content-type": "application/json", "x-hub-signature-256": signature},
        )
    except httpx.HTTPError as exc:
        typer.echo(f"frontdesk: cannot reach {url}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{response.status_code} {response.text}")
    if response.status_code != 200:
        raise typer.Exit(1)


def text_webhook(*, phone_number_id: str, sender: str, name: str | None, text: str) -> dict[str, object]:
    """A WhatsApp Cloud API webhook carrying one text message, as Meta sends it."""
    now = int(time.time())
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "", "phone_number_id": phone_number_id},
                            "contacts": [{"profile": {"name": name or sender}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": f"wamid.sim.{now}.{time.perf_counter_ns()}",
                                    "timestamp": str(now),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


@dev_cli.command("openapi")
def dev_openapi(
    simulator: Annotated[
        bool, typer.Option("--simulator", help="The dev phone simulator's schema instead of the API's.")
    ] = False,
) -> None:
    """Print the OpenAPI schema (JSON) without serving; the web app's API client is generated from it."""
    settings = _settings(log_json=False)
    if simulator:
        from frontdesk.devtools.fake_graph import create_fake_graph
        from frontdesk.devtools.simulator import create_simulator

        graph = create_fake_graph()
        schema = create_simulator(target=graph, graph=graph, app_secret="").openapi()
    else:
        from frontdesk.app import create_app

        schema = create_app(settings).openapi()
    typer.echo(json.dumps(schema, indent=2, sort_keys=True))


@dev_cli.command("fake-graph")
def dev_fake_graph(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8766,
) -> None:
    """Run a fake WhatsApp Graph API that records sends; point FRONTDESK_WHATSAPP_GRAPH_URL at it."""
    from frontdesk.devtools.fake_graph import run_fake_graph

    typer.echo(f"fake Graph API on http://{host}:{port}  (sent messages: GET /_fake/messages)", err=True)
    run_fake_graph(host=host, port=port)


def main() -> None:
    """Entry point of the `frontdesk` script."""
    try:
        cli()
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        sys.exit(2)
