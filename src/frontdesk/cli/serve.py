"""`frontdesk serve`, `worker`, `db upgrade` and `demo seed`: run the product, prepare its database."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn
from pydantic import SecretStr

from frontdesk import __version__
from frontdesk.cli.root import checked, cli, settings_or_exit
from frontdesk.cli.secrets import secrets_readable
from frontdesk.domain.errors import ConfigurationError
from frontdesk.settings import Environment, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

db_cli = typer.Typer(no_args_is_help=True, help="Database schema.")
demo_cli = typer.Typer(no_args_is_help=True, help="The demo business.")


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
    fake_bridge: Annotated[
        bool,
        typer.Option(
            "--fake-bridge",
            help="Dev only: a built-in fake zapw bridge at /_dev/zapw for QR-linked (wa_bridge) numbers.",
        ),
    ] = False,
) -> None:
    """Run the API, the admin UI and (unless --no-workers) the workers, migrating the database first."""
    url = f"http://{_local(host)}:{port}"
    overrides: dict[str, object] = {}
    if fake_graph:
        overrides["whatsapp_graph_url"] = f"{url}/_dev/graph"
    if fake_bridge:
        overrides["bridge_url"] = f"{url}{FAKE_BRIDGE_PATH}"
    settings = checked(settings_or_exit(**overrides))
    for flag, wanted in (("--fake-graph", fake_graph), ("--fake-bridge", fake_bridge)):
        if wanted and settings.env is not Environment.DEV:
            typer.echo(f"frontdesk: {flag} is only for FRONTDESK_ENV=dev", err=True)
            raise typer.Exit(2)
    if fake_bridge:
        settings = _with_bridge_secrets(settings)
    # First, so a bad OTEL_* variable stops the command before secrets are read or the schema migrated.
    tracing_or_exit(settings)
    from frontdesk.http import create_app

    secrets_readable(settings)
    app = create_app(settings, workers=not no_workers)
    if fake_graph:
        mount_dev_tools(app, settings)
    if fake_bridge:
        mount_fake_bridge(app, settings, url)
    if settings.env is Environment.DEV:
        typer.echo(_dev_banner(url, fake_graph, fake_bridge), err=True)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


def tracing_or_exit(settings: Settings) -> None:
    """Set up traces when the OTEL_* variables ask for them; a bad one ends the command with exit code 2
    and one line naming it. The variables are checked before the SDK is imported: it reads some of them
    as it loads."""
    from frontdesk.wiring.otel_variables import check_variables

    try:
        check_variables(os.environ)  # noqa: TID251 - the SDK's own variables, read where the SDK reads them
        from frontdesk.wiring.telemetry import configure_tracing

        configure_tracing(settings)
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(2) from None


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


FAKE_BRIDGE_PATH = "/_dev/zapw"


def mount_fake_bridge(app: FastAPI, settings: Settings, url: str) -> None:
    """Dev only: a fake zapw at /_dev/zapw (`settings.bridge_url` points there), posting its events to
    this server's `/webhooks/bridge` with the webhook token, and asking for the bridge's API key.

    Refused outside `FRONTDESK_ENV=dev`: its `/_fake/` endpoints let anyone play a linked phone.
    """
    if settings.env is not Environment.DEV:
        raise ConfigurationError(f"the fake bridge ({FAKE_BRIDGE_PATH}) is only for FRONTDESK_ENV=dev")
    from frontdesk.devtools.fake_zapw import create_fake_zapw

    token = settings.bridge_webhook_token.get_secret_value() if settings.bridge_webhook_token else ""
    key = settings.bridge_api_key.get_secret_value() if settings.bridge_api_key else None
    webhook = f"{url}/webhooks/bridge?token={token}"
    app.mount(FAKE_BRIDGE_PATH, create_fake_zapw(api_key=key, webhook_url=webhook, webhook_attempts=1))


def _with_bridge_secrets(settings: Settings) -> Settings:
    """The settings with a webhook token and an API key made up for this run where none is set."""
    made: dict[str, object] = {}
    for name in ("bridge_webhook_token", "bridge_api_key"):
        if getattr(settings, name) is None:
            made[name] = SecretStr(secrets.token_urlsafe(32))
    return settings.model_copy(update=made)


def _dev_banner(url: str, fake_graph: bool, fake_bridge: bool = False) -> str:
    from frontdesk.wiring.access import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD

    lines = [
        f"Frontdesk {__version__} (dev) on {url}  —  API docs: {url}/docs",
        f'  try it:  frontdesk simulate --url {url} --from 447700900101 "where is my order?"',
        f"  sign in: {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD}  (the demo owner the dev seed made)",
    ]
    if fake_graph:
        lines.append(f"  replies go to the built-in fake Graph API: {url}/_dev/graph/_fake/messages")
        lines.append(f"  admin web app: {url}/  (its phone simulator talks to {url}/_dev/simulator)")
    if fake_bridge:
        zapw = f"{url}{FAKE_BRIDGE_PATH}"
        lines.append(f"  QR numbers use the built-in fake zapw: {zapw}  (its sends: {zapw}/_fake/messages;")
        lines.append(f"    link a number: POST {zapw}/_fake/sessions/<session_id>/scan)")
    return "\n".join(lines)


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


@cli.command()
def worker() -> None:
    """Run turn workers and the outbox dispatcher without HTTP (scale-out)."""
    settings = checked(settings_or_exit())
    tracing_or_exit(settings)
    from frontdesk.wiring import Frontdesk

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


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply all database migrations."""
    settings = settings_or_exit()
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
    settings = settings_or_exit(demo_seed=False)  # seed explicitly below, to report what was new
    from frontdesk.wiring import Frontdesk

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
