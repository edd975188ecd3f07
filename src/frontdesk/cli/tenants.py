"""`frontdesk tenants …`: the businesses on this server (create, list, disable, enable).

Whoever runs the command line is the server's operator already. `create --pack DIR` brings the
business's data in with it, all or nothing: a refused pack prints one line per problem on stderr
(`products.csv row 7: price "abc" is not a number`), exits 2 and leaves no tenant, user or row behind.
Other refusals (a taken slug, a bad e-mail) exit 1.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from frontdesk.cli.root import settings_or_exit
from frontdesk.domain.business_pack import Pack, PackError
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.tenants import TenantCreated, TenantSummary

if TYPE_CHECKING:
    from frontdesk.settings import Settings
    from frontdesk.wiring import Frontdesk

tenants_cli = typer.Typer(no_args_is_help=True, help="The businesses on this server (operators only).")


@tenants_cli.command("create")
def tenants_create(
    slug: Annotated[str, typer.Argument(help="Lowercase letters, digits and hyphens; names the tenant.")],
    name: Annotated[
        str | None, typer.Option(help="Default: the pack's business name, else the slug.")
    ] = None,
    pack: Annotated[
        Path | None, typer.Option(help="A business pack (docs/business-pack.md): a folder or a .zip.")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="Default: the pack's, else UTC.")] = None,
    currency: Annotated[str | None, typer.Option(help="Default: the pack's, else GBP.")] = None,
    owner_email: Annotated[str | None, typer.Option(help="The first owner's e-mail.")] = None,
    owner_name: Annotated[str, typer.Option(help="The first owner's name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the owner's password from standard input.")
    ] = False,
) -> None:
    """Create a business, with its data (--pack) and its first owner (--owner-email), in one go."""
    settings = settings_or_exit()
    password = None
    if owner_email is not None:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Owner's password", hide_input=True, confirmation_prompt=True)
    try:
        found = _read_pack(pack, settings) if pack is not None else None
        created = asyncio.run(
            _create(
                settings,
                slug=slug,
                name=name,
                timezone=timezone,
                currency=currency,
                owner_email=owner_email,
                owner_name=owner_name,
                password=password,
                pack=found,
            )
        )
    except PackError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(
            f"frontdesk: the pack was refused ({len(exc.problems)} problems); nothing was written", err=True
        )
        raise typer.Exit(2) from None
    except FrontdeskError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    _say_created(created, owner_email)


def _read_pack(path: Path, settings: Settings) -> Pack:
    from frontdesk.adapters.business_pack import read_path

    return read_path(path, max_bytes=settings.pack_max_bytes)


async def _create(
    settings: Settings,
    *,
    slug: str,
    name: str | None,
    timezone: str | None,
    currency: str | None,
    owner_email: str | None,
    owner_name: str,
    password: str | None,
    pack: Pack | None,
) -> TenantCreated:
    """Check the pack's documents and team, then create the tenant with its rows (checked there) and
    owner in one transaction, then add its documents and team."""
    from frontdesk.wiring import Frontdesk
    from frontdesk.wiring.access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        if pack is not None:
            await _check_pack(frontdesk, pack)
        created = await frontdesk.access.tenants.create(
            None,
            slug=slug,
            name=name,
            timezone=timezone,
            currency=currency,
            owner_email=owner_email,
            owner_password=password,
            owner_name=owner_name,
            pack=pack,
        )
        if pack is not None and (pack.kb or pack.team_yaml is not None):
            tenant = await frontdesk.tenants.by_slug(created.tenant.slug)
            extras = Pack(kb=pack.kb, team_yaml=pack.team_yaml)  # the rows are in already
            report = await frontdesk.business_packs.import_pack(command_line_actor(tenant), extras)
            if created.report is not None:
                report = created.report.model_copy(
                    update={"kb_documents": report.kb_documents, "team": report.team}
                )
            created = created.model_copy(update={"report": report})
        return created
    finally:
        await frontdesk.close()


async def _check_pack(frontdesk: Frontdesk, pack: Pack) -> None:
    """`PackError` for the pack's knowledge documents and team, which are added after the tenant's
    transaction commits: so they are checked before it starts. (Its rows are checked inside it.)"""
    problems = await frontdesk.business_packs.check(pack)
    if problems:
        raise PackError(problems)


def _say_created(created: TenantCreated, owner_email: str | None) -> None:
    t = created.tenant
    typer.echo(f"created tenant {t.slug} ({t.name}), id {t.id}, {t.timezone}, {t.currency}")
    if created.owner_id is not None and owner_email is not None:
        how = "new account" if created.owner_created else "existing account"
        typer.echo(f"owner: {owner_email.strip().lower()} ({how}), user id {created.owner_id}")
    if created.report is not None:
        from frontdesk.cli.business import format_report

        typer.echo(format_report(created.report))


@tenants_cli.command("list")
def tenants_list() -> None:
    """Every business: id, slug, staff, numbers, contacts, disabled or not, name."""
    settings = settings_or_exit()
    found = asyncio.run(_list(settings))
    for t in found:
        state = "disabled" if t.disabled else "enabled"
        counts = f"staff {t.staff:>3}  numbers {t.channels:>2}  contacts {t.contacts:>6}"
        typer.echo(f"{t.id:>6}  {t.slug:<24} {state:<8}  {counts}  {t.name}")
    typer.echo(f"{len(found)} tenants")


async def _list(settings: Settings) -> list[TenantSummary]:
    from frontdesk.wiring import Frontdesk

    frontdesk = await Frontdesk.open(settings)
    try:
        return await frontdesk.access.tenants.list(None)
    finally:
        await frontdesk.close()


@tenants_cli.command("disable")
def tenants_disable(slug: Annotated[str, typer.Argument(help="The tenant's slug.")]) -> None:
    """Switch a business off: its staff are signed out and cannot sign in, its numbers are ignored, no
    turn runs. Operators may still sign in to it."""
    _set_disabled(slug, disabled=True)


@tenants_cli.command("enable")
def tenants_enable(slug: Annotated[str, typer.Argument(help="The tenant's slug.")]) -> None:
    """Switch a disabled business on again."""
    _set_disabled(slug, disabled=False)


def _set_disabled(slug: str, *, disabled: bool) -> None:
    settings = settings_or_exit()
    try:
        tenant = asyncio.run(_update(settings, slug, disabled=disabled))
    except FrontdeskError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{tenant.slug}: {'disabled' if tenant.disabled else 'enabled'}")


async def _update(settings: Settings, slug: str, *, disabled: bool) -> TenantSummary:
    from frontdesk.wiring import Frontdesk

    frontdesk = await Frontdesk.open(settings)
    try:
        tenant = await frontdesk.access.tenants.find(None, slug)
        return await frontdesk.access.tenants.update(None, tenant.id, disabled=disabled)
    finally:
        await frontdesk.close()
