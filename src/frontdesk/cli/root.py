"""The `frontdesk` command's root and what every command shares: settings, the team check, tenants."""

from __future__ import annotations

from typing import Annotated

import typer

from frontdesk import __version__
from frontdesk.domain.errors import ConfigurationError
from frontdesk.logs import configure_logging
from frontdesk.settings import Settings, load_settings

cli = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Frontdesk: AI agents behind WhatsApp numbers."
)

TenantOption = Annotated[
    str | None, typer.Option("--tenant", help="The tenant's slug (default: the only tenant).")
]


def settings_or_exit(**overrides: object) -> Settings:
    """Load settings; a bad one ends the command with exit code 2 and one line naming it."""
    try:
        settings = load_settings(**overrides)
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(level=settings.log_level, json=settings.log_json)
    return settings


def checked(settings: Settings) -> Settings:
    """Settings for a command that answers customers: the team file must be valid (else exit 2)."""
    if settings.responder == "team":
        from frontdesk.wiring.team import configured_team

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
