"""`frontdesk kb …`: add documents to a tenant's knowledge base, search it, list it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from frontdesk.cli.root import TenantOption, settings_or_exit
from frontdesk.domain.errors import FrontdeskError, NotFoundError
from frontdesk.domain.knowledge import DocumentTooLarge, SearchMode
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.domain.models import Tenant
    from frontdesk.services.knowledge.service import KnowledgeService

_T = TypeVar("_T")

kb_cli = typer.Typer(no_args_is_help=True, help="The knowledge base: add documents, search, list.")


def _with_knowledge(
    settings: Settings, slug: str | None, work: Callable[[KnowledgeService, Tenant], Awaitable[_T]]
) -> _T:
    """Open Frontdesk (migrating the database), run `work` for the tenant, close; exit 1 without it."""
    from frontdesk.cli.users import pick_tenant
    from frontdesk.wiring import Frontdesk

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
    settings = settings_or_exit()
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
    settings = settings_or_exit()

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
    settings = settings_or_exit()

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
