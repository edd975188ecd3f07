"""The `frontdesk` command: one module per group of commands, all registered on `root.cli`."""

from __future__ import annotations

import sys

import typer

from frontdesk.cli import business, dev, kb, serve, users
from frontdesk.cli.root import cli
from frontdesk.cli.secrets import secrets_cli
from frontdesk.cli.serve import mount_dev_tools
from frontdesk.cli.tenants import tenants_cli
from frontdesk.domain.errors import ConfigurationError

cli.add_typer(serve.db_cli, name="db")
cli.add_typer(serve.demo_cli, name="demo")
cli.add_typer(kb.kb_cli, name="kb")
cli.add_typer(business.business_cli, name="business")
cli.add_typer(users.users_cli, name="users")
cli.add_typer(tenants_cli, name="tenants")
cli.add_typer(secrets_cli, name="secrets")
cli.add_typer(dev.dev_cli, name="dev")

__all__ = ["cli", "main", "mount_dev_tools"]


def main() -> None:
    """Entry point of the `frontdesk` script."""
    try:
        cli()
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        sys.exit(2)
