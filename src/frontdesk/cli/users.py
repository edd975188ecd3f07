"""`frontdesk users …`: staff accounts (who may sign in to the admin API), and picking a tenant."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from frontdesk.cli.root import TenantOption, settings_or_exit
from frontdesk.domain.errors import FrontdeskError, NotFoundError
from frontdesk.domain.staff import Account, Member, Role
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.domain.models import Tenant
    from frontdesk.wiring import Frontdesk

users_cli = typer.Typer(no_args_is_help=True, help="Staff accounts: who may sign in to the admin API.")


async def pick_tenant(frontdesk: Frontdesk, slug: str | None) -> Tenant:
    """The tenant called `slug`, or with no slug the only tenant; `NotFoundError` otherwise."""
    if slug:
        return await frontdesk.tenants.by_slug(slug)
    found = await frontdesk.accounts.tenants()
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError("there is no tenant yet")
    raise NotFoundError("name the tenant with --tenant: " + ", ".join(t.slug for t in found))


async def create_user(
    settings: Settings, *, email: str, role: Role, name: str, password: str, tenant: str | None
) -> tuple[Member, bool, Tenant]:
    """Add the person to the tenant (a new account, or an existing one joining): (member, new?, tenant)."""
    from frontdesk.wiring import Frontdesk
    from frontdesk.wiring.access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        where = await pick_tenant(frontdesk, tenant)
        member, created = await frontdesk.access.users.add(
            command_line_actor(where), email=email, name=name, role=role, password=password
        )
        return member, created, where
    finally:
        await frontdesk.close()


async def list_users(settings: Settings, *, tenant: str | None) -> tuple[list[Member], Tenant, list[Account]]:
    """Every staff member of the tenant, by e-mail, and the platform's operators."""
    from frontdesk.wiring import Frontdesk
    from frontdesk.wiring.access import command_line_actor

    frontdesk = await Frontdesk.open(settings)
    try:
        where = await pick_tenant(frontdesk, tenant)
        actor = command_line_actor(where)
        members: list[Member] = []
        while True:
            page = await frontdesk.access.users.list(actor, limit=200, offset=len(members))
            members.extend(page.items)
            if not page.items or len(members) >= page.total:
                return members, where, await frontdesk.access.users.operators()
    finally:
        await frontdesk.close()


async def create_operator(
    settings: Settings, *, email: str, name: str, password: str
) -> tuple[Account, bool]:
    """Make `email` a platform operator (a new account, or an existing one promoted): (account, new?)."""
    from frontdesk.wiring import Frontdesk

    frontdesk = await Frontdesk.open(settings)
    try:
        return await frontdesk.access.users.make_operator(email=email, name=name, password=password)
    finally:
        await frontdesk.close()


@users_cli.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The person's e-mail; they sign in with it.")],
    role: Annotated[Role | None, typer.Option(help="Their role in the tenant (not with --operator).")] = None,
    name: Annotated[str, typer.Option(help="Their name, as staff see it.")] = "",
    tenant: TenantOption = None,
    operator: Annotated[
        bool,
        typer.Option(
            "--operator",
            help="A platform operator: signs in to any tenant as an owner and manages tenants. An "
            "existing account is promoted (its password stays).",
        ),
    ] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input, not a prompt.")
    ] = False,
) -> None:
    """Add a staff member (the first owner, say) or an operator. The password is asked for and never
    echoed."""
    settings = settings_or_exit()
    if operator == (role is not None):
        typer.echo("frontdesk: give --role (a tenant's staff member) or --operator, not both", err=True)
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        if role is None:
            account, new = asyncio.run(create_operator(settings, email=email, name=name, password=password))
            how = "created" if new else "existing account promoted"
            typer.echo(f"{how}: {account.email} (operator), user id {account.id}")
            return
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
    """List the tenant's staff: id, role, e-mail, whether they are disabled or an operator; then the
    platform's operators."""
    settings = settings_or_exit()

    try:
        members, where, operators = asyncio.run(list_users(settings, tenant=tenant))
    except FrontdeskError as exc:
        typer.echo(f"frontdesk: {exc}", err=True)
        raise typer.Exit(1) from None
    for m in members:
        marks = ("  (operator)" if m.operator else "") + ("  (disabled)" if m.disabled else "")
        typer.echo(f"{m.user_id:>6}  {m.role:<7} {m.email}{marks}")
    typer.echo(f"{len(members)} staff in {where.slug}")
    if operators:  # above every tenant's owner, members or not
        typer.echo("operators: " + ", ".join(a.email for a in operators))
