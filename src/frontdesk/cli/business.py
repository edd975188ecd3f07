"""`frontdesk business …`: import a business pack into a tenant, export a tenant as a pack.

The format is docs/business-pack.md. A pack with problems is refused whole: one line per problem on
stderr (`products.csv row 7: price "abc" is not a number`), exit code 2, nothing written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from frontdesk.cli.root import TenantOption, settings_or_exit
from frontdesk.domain.business_pack import PACK_TABLES, ImportReport, Pack, PackError, TableCounts
from frontdesk.domain.errors import NotFoundError

if TYPE_CHECKING:
    from frontdesk.settings import Settings

business_cli = typer.Typer(no_args_is_help=True, help="A business's data as a pack: import, export.")


@business_cli.command("import")
def business_import(
    source: Annotated[Path, typer.Argument(help="The pack: a folder, or a .zip of one.")],
    tenant: TenantOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count; write nothing.")] = False,
) -> None:
    """Import a pack: rows upserted by key, kb documents by filename, team.yaml as a new version."""
    from frontdesk.adapters.business_pack import read_path

    settings = settings_or_exit()
    try:
        pack = read_path(source, max_bytes=settings.pack_max_bytes)
        report = asyncio.run(_import(settings, tenant, pack, dry_run=dry_run))
    except PackError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        count = len(exc.problems)
        plural = "s" * (count != 1)
        typer.echo(
            f"frontdesk: the pack was refused ({count} problem{plural}); nothing was written", err=True
        )
        raise typer.Exit(2) from None
    except NotFoundError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(format_report(report))


@business_cli.command("export")
def business_export(
    target: Annotated[Path, typer.Argument(help="A new or empty folder, or a file ending in .zip.")],
    tenant: TenantOption = None,
) -> None:
    """Write the tenant's business as a pack (the channel's own access token is never written)."""
    from frontdesk.adapters.business_pack import write_folder, write_zip

    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        typer.echo(f"frontdesk: {target} exists and is not an empty folder; pick a new one", err=True)
        raise typer.Exit(1)
    settings = settings_or_exit()
    try:
        pack = asyncio.run(_export(settings, tenant))
    except NotFoundError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    if target.suffix.lower() == ".zip":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(write_zip(pack))
    else:
        write_folder(pack, target)
    typer.echo(f"exported to {target}: " + ", ".join(f"{len(getattr(pack, t))} {t}" for t in PACK_TABLES))


def format_report(report: ImportReport) -> str:
    """One line per table, then the documents and the team: what the import did (or would do)."""
    lines = [_counts_line(table, report.tables.get(table, TableCounts())) for table in PACK_TABLES]
    lines.append(_counts_line("kb documents", report.kb_documents))
    lines.append(f"{'team':<14} {report.team.value if report.team else 'none in the pack'}")
    if report.dry_run:
        lines.append("dry run: nothing was written")
    return "\n".join(lines)


def _counts_line(name: str, c: TableCounts) -> str:
    counts = f"created {c.created:>6}  updated {c.updated:>6}  unchanged {c.unchanged:>6}"
    return f"{name:<14} {counts}  refused {c.refused:>6}"


async def _import(settings: Settings, slug: str | None, pack: Pack, *, dry_run: bool) -> ImportReport:
    from frontdesk.cli.users import pick_tenant
    from frontdesk.wiring import Frontdesk
    from frontdesk.wiring.access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        tenant = await pick_tenant(frontdesk, slug)
        return await frontdesk.business_packs.import_pack(command_line_actor(tenant), pack, dry_run=dry_run)
    finally:
        await frontdesk.close()


async def _export(settings: Settings, slug: str | None) -> Pack:
    from frontdesk.cli.users import pick_tenant
    from frontdesk.wiring import Frontdesk

    frontdesk = await Frontdesk.open(settings)
    try:
        tenant = await pick_tenant(frontdesk, slug)
        return await frontdesk.business_packs.export(tenant)
    finally:
        await frontdesk.close()
