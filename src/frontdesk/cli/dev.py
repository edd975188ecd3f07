"""Developer commands: `frontdesk chat`, `simulate`, `dev openapi`, and the fakes `dev fake-graph`,
`dev fake-zapw` and `dev fake-aws`."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Annotated

import httpx
import typer

from frontdesk.cli.root import checked, cli, settings_or_exit
from frontdesk.devtools.webhooks import signed, text_webhook
from frontdesk.settings import Environment

dev_cli = typer.Typer(no_args_is_help=True, help="Tools for developers.")


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
    settings = checked(
        settings_or_exit(database_url=database_url, whatsapp_graph_url=graph_url, log_json=False)
    )
    if settings.env is not Environment.DEV:
        typer.echo("frontdesk: chat uses the built-in fake Graph API, so only FRONTDESK_ENV=dev", err=True)
        raise typer.Exit(2)
    from frontdesk.devtools.chat import run_chat
    from frontdesk.devtools.fake_graph import create_fake_graph
    from frontdesk.http import create_app

    app = create_app(settings)
    app.mount("/_dev/graph", create_fake_graph())
    secret = settings.whatsapp_app_secret.get_secret_value()
    asyncio.run(run_chat(app, sock, database_url=database_url, app_secret=secret, wa_id=wa_id, name=name))


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
    settings = settings_or_exit()
    payload = text_webhook(phone_number_id=to, sender=sender, name=name, text=text)
    body, headers = signed(payload, settings.whatsapp_app_secret.get_secret_value())
    try:
        response = httpx.post(
            f"{url.rstrip('/')}/webhooks/whatsapp",
            content=body,
            headers=headers,
        )
    except httpx.HTTPError as exc:
        typer.echo(f"frontdesk: cannot reach {url}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{response.status_code} {response.text}")
    if response.status_code != 200:
        raise typer.Exit(1)


@dev_cli.command("openapi")
def dev_openapi(
    simulator: Annotated[
        bool, typer.Option("--simulator", help="The dev phone simulator's schema instead of the API's.")
    ] = False,
) -> None:
    """Print the OpenAPI schema (JSON) without serving; the web app's API client is generated from it."""
    settings = settings_or_exit(log_json=False)
    if simulator:
        from frontdesk.devtools.fake_graph import create_fake_graph
        from frontdesk.devtools.simulator import create_simulator

        graph = create_fake_graph()
        schema = create_simulator(target=graph, graph=graph, app_secret="").openapi()
    else:
        from frontdesk.http import create_app

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


@dev_cli.command("fake-aws")
def dev_fake_aws(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8767,
) -> None:
    """Run a fake AWS End User Messaging Social (sends, number details, media in its S3) for aws_social
    numbers; the lines it prints point boto3 at it."""
    from frontdesk.devtools.fake_aws import run_fake_aws

    base = f"http://{host}:{port}"
    typer.echo(
        f"fake AWS on {base}  (sends: GET /_fake/aws/sends). Run Frontdesk with:\n"
        f"  AWS_ENDPOINT_URL_SOCIALMESSAGING={base} AWS_ENDPOINT_URL_S3={base}/_s3 "
        "AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake",
        err=True,
    )
    run_fake_aws(host=host, port=port)


@dev_cli.command("fake-zapw")
def dev_fake_zapw(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (zapw's default is 3000).")] = 3000,
    webhook_url: Annotated[
        str | None,
        typer.Option(help="Where to POST its events, like zapw's WEBHOOK_URL: .../webhooks/bridge?token=..."),
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(help="The key every call must bring, like zapw's API_KEY (none: open).")
    ] = None,
) -> None:
    """Run a fake zapw bridge (sessions, QR, sends, media); point FRONTDESK_BRIDGE_URL at it."""
    from frontdesk.devtools.fake_zapw import run_fake_zapw

    typer.echo(
        f"fake zapw on http://{host}:{port}  (sent messages: GET /_fake/messages; "
        "scan a session: POST /_fake/sessions/<id>/scan)",
        err=True,
    )
    run_fake_zapw(host=host, port=port, api_key=api_key, webhook_url=webhook_url)
