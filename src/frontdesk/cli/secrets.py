"""`frontdesk secrets …`: keys for the secrets stored in the database, and their rotation.

Rotation: put a new key first in `FRONTDESK_ENCRYPTION_KEYS` (the old one after it), restart, run
`frontdesk secrets rotate`, then remove the old key. See docs/admin-api.md, "Secrets at rest".
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

from frontdesk.domain.errors import ConfigurationError
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.adapters.db.store import SqlStore

secrets_cli = typer.Typer(
    no_args_is_help=True, help="Secrets stored in the database (channel tokens): keys and rotation."
)


@secrets_cli.command("new-key")
def new_key() -> None:
    """Print a new random key for FRONTDESK_ENCRYPTION_KEYS."""
    from frontdesk.adapters.secret_box import SecretBox

    typer.echo(SecretBox.new_key())


@secrets_cli.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored secret with the first key (and encrypt any stored before encryption)."""
    from frontdesk.cli.root import settings_or_exit

    settings = settings_or_exit()
    try:
        count = asyncio.run(_rotate(settings))
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{count} secret{'s' if count != 1 else ''} re-encrypted with the first key")


def secrets_readable(settings: Settings) -> None:
    """Before serving: migrate, and exit 2 with one line if a stored secret needs a key not configured
    (inside the server's start-up the same error would end in a traceback)."""
    try:
        asyncio.run(_verify(settings))
    except ConfigurationError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(2) from None


async def _rotate(settings: Settings) -> int:
    from frontdesk.adapters.db.secret_columns import rotate_secrets

    store = await _store(settings)
    try:
        return await rotate_secrets(store)
    finally:
        await store.dispose()


async def _verify(settings: Settings) -> None:
    from frontdesk.adapters.db.secret_columns import verify_secrets

    store = await _store(settings)
    try:
        await verify_secrets(store)
    finally:
        await store.dispose()


async def _store(settings: Settings) -> SqlStore:
    from frontdesk.adapters.db.engine import make_engine
    from frontdesk.adapters.db.migrate import upgrade
    from frontdesk.adapters.db.store import SqlStore
    from frontdesk.adapters.secret_box import SecretBox

    store = SqlStore(make_engine(settings.database_url), secrets=SecretBox(settings.secret_keys()))
    await upgrade(store.engine)
    return store
