"""`frontdesk tenants` and `frontdesk users create --operator`, run as a user runs them (a real process),
on SQLite and PostgreSQL; and a pack refused inside the creating transaction leaving nothing behind."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from frontdesk.adapters.business_pack import read_folder
from frontdesk.domain.business_pack import PackError
from tests.integration.test_cli import ROOT, run
from tests.integration.test_users_cli import SECRETS
from tests.support.harness import settings_for_test, sync_url

PACKS = ROOT / "tests" / "data" / "packs"
PASSWORD = "a-long-secret-pass"
COUNTED = ("tenants", "staff_users", "staff_memberships", "products", "contacts", "orders", "channels")


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """A migrated database holding one bare tenant, `lumen` (the demo is not needed, and is slow)."""
    values = {"FRONTDESK_ENV": "prod", "FRONTDESK_DATABASE_URL": database_url, **SECRETS}
    values["FRONTDESK_DEMO_SEED"] = "false"
    upgraded = run("db", "upgrade", env=values, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    sql(
        values,
        "insert into tenants (slug, name, timezone, currency, profile, created_at) "
        "values ('lumen', 'Lumen', 'UTC', 'GBP', '{}', CURRENT_TIMESTAMP)",
    )
    return values


def sql(env: dict[str, str], statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_engine(sync_url(env["FRONTDESK_DATABASE_URL"]))
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def counts(env: dict[str, str]) -> dict[str, object]:
    return {t: sql(env, f"select count(*) from {t}")[0][0] for t in COUNTED}


def frontdesk(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run(*args, env=env, stdin=stdin, cwd=ROOT)


def test_operators_create_list_disable_and_enable_tenants(env: dict[str, str]) -> None:
    made = frontdesk(
        env,
        "users",
        "create",
        "--email",
        "Op@Example.com",
        "--operator",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert made.returncode == 0, made.stderr
    assert "created: op@example.com (operator)" in made.stdout and PASSWORD not in made.stdout + made.stderr
    assert sql(env, "select operator from staff_users where email = 'op@example.com'") == [(True,)]
    both = frontdesk(
        env,
        "users",
        "create",
        "--email",
        "x@example.com",
        "--operator",
        "--role",
        "owner",
        stdin=f"{PASSWORD}\n",
    )
    assert both.returncode == 2 and "not both" in both.stderr

    created = frontdesk(
        env,
        "tenants",
        "create",
        "shop",
        "--name",
        "The Shop",
        "--currency",
        "eur",
        "--owner-email",
        "Owner@Shop.example",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created tenant shop (The Shop)" in created.stdout and "EUR" in created.stdout
    assert "owner: owner@shop.example (new account)" in created.stdout
    listed = frontdesk(env, "tenants", "list")
    assert listed.returncode == 0 and "2 tenants" in listed.stdout
    assert [line.split()[1] for line in listed.stdout.splitlines()[:2]] == ["lumen", "shop"]

    members = frontdesk(env, "users", "list", "--tenant", "shop")
    assert "owner@shop.example" in members.stdout and "operators: op@example.com" in members.stdout

    before = counts(env)
    for args, reason in (
        (("shop",), "already exists"),
        (("Shop",), "lowercase letters"),
        (("admin",), "reserved"),
        (("new-shop", "--timezone", "Mars/Base"), "IANA"),
        (("new-shop", "--currency", "XYZ"), "ISO 4217"),
        (("new-shop", "--owner-email", "not-an-email", "--password-stdin"), "not an e-mail"),
        (("new-shop", "--owner-email", "a@b.example", "--password-stdin"), "10 to 256 characters"),
    ):
        refused = frontdesk(env, "tenants", "create", *args, stdin="short\n")
        assert refused.returncode == 1, (args, refused.stdout, refused.stderr)
        assert reason in refused.stderr, (args, refused.stderr)
    assert counts(env) == before

    assert frontdesk(env, "tenants", "disable", "shop").stdout.strip() == "shop: disabled"
    assert sql(env, "select disabled_at is not null from tenants where slug = 'shop'") == [(True,)]
    assert "disabled" in frontdesk(env, "tenants", "list").stdout
    assert frontdesk(env, "tenants", "enable", "shop").stdout.strip() == "shop: enabled"
    missing = frontdesk(env, "tenants", "disable", "nowhere")
    assert missing.returncode == 1 and "not found" in missing.stderr
    actions = sql(env, "select action, actor from audit_log where action like 'tenant.%' order by id")
    assert actions == [("tenant.created", "cli"), ("tenant.disabled", "cli"), ("tenant.enabled", "cli")]


def test_a_refused_pack_exits_2_naming_file_and_row_and_writes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    before = counts(env)
    refused = frontdesk(
        env,
        "tenants",
        "create",
        "bikes",
        "--pack",
        str(PACKS / "bikes-refused"),
        "--owner-email",
        "owner@bikes.example",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert refused.returncode == 2, refused.stderr
    assert 'products.csv row 2: price "abc" is not a number' in refused.stderr.splitlines()
    assert counts(env) == before

    # Readable, but refused against the database (an order of an unknown product): the same.
    unknown = tmp_path / "unknown-sku"
    shutil.copytree(PACKS / "bikes", unknown)
    orders = unknown / "orders.csv"
    orders.write_text(orders.read_text().replace("SC-LOCK-D x1", "SC-NOPE x1"))
    refused = frontdesk(
        env,
        "tenants",
        "create",
        "bikes",
        "--pack",
        str(unknown),
        "--owner-email",
        "owner@bikes.example",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert refused.returncode == 2, refused.stderr
    assert any(
        line.startswith("orders.csv row 1:") and "SC-NOPE" in line for line in refused.stderr.splitlines()
    )
    assert counts(env) == before


def test_a_pack_with_a_bad_team_or_document_exits_2_before_any_tenant_exists(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Documents and team.yaml go in after the tenant's transaction, so they are checked before it
    starts (by the same check as `business import`): one line per problem, nothing written."""
    pack = tmp_path / "bikes-bad-extras"
    shutil.copytree(PACKS / "bikes", pack)
    (pack / "team.yaml").write_text("agents: [{name: x}]\n")
    (pack / "kb").mkdir()
    (pack / "kb" / "empty.md").write_text("   \n")
    before = counts(env)
    refused = frontdesk(
        env,
        "tenants",
        "create",
        "bikes",
        "--pack",
        str(pack),
        "--owner-email",
        "owner@bikes.example",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert refused.returncode == 2, refused.stderr
    lines = refused.stderr.splitlines()
    assert "kb/empty.md: the file is empty" in lines
    assert any(line.startswith("team.yaml") for line in lines), lines
    assert lines[-1].startswith("frontdesk: the pack was refused")
    assert counts(env) == before


def test_the_pack_lands_with_the_tenant_and_its_owner(env: dict[str, str], tmp_path: Path) -> None:
    created = frontdesk(
        env,
        "tenants",
        "create",
        "bikes",
        "--pack",
        str(PACKS / "bikes"),
        "--currency",
        "eur",
        "--owner-email",
        "owner@bikes.example",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert created.returncode == 0, created.stderr
    assert "created tenant bikes (Spoke & Chain Bikes)" in created.stdout  # the pack's name
    tenant = sql(env, "select id, name, timezone, currency from tenants where slug = 'bikes'")[0]
    # The pack's name and time zone; the option's currency over the pack's GBP.
    assert tenant[1:] == ("Spoke & Chain Bikes", "Europe/London", "EUR")
    where = {"t": tenant[0]}
    assert sql(env, "select count(*) from products where tenant_id = :t", **where) == [(3,)]
    assert sql(env, "select phone_number_id from channels where tenant_id = :t", **where) == [
        ("109876543210555",)
    ]
    assert sql(
        env,
        "select m.role from staff_memberships m join staff_users u on u.id = m.user_id "
        "where u.email = 'owner@bikes.example' and m.tenant_id = :t",
        **where,
    ) == [("owner",)]
    # The same pack zipped, as a second business: its number is another tenant's already.
    zipped = Path(shutil.make_archive(str(tmp_path / "bikes"), "zip", PACKS / "bikes"))
    before = counts(env)
    again = frontdesk(env, "tenants", "create", "bikes-two", "--name", "Bikes Two", "--pack", str(zipped))
    assert again.returncode == 2 and "109876543210555" in again.stderr
    assert counts(env) == before


def test_a_pack_refused_inside_the_transaction_leaves_no_tenant_user_or_row(env: dict[str, str]) -> None:
    """The rollback itself, without the command's dry run in front: the tenant row and the owner were
    written in the transaction before the pack's rows were refused."""
    from frontdesk.wiring import Frontdesk

    pack = read_folder(PACKS / "bikes")
    bad_order = pack.orders[0].model_copy(update={"customer": "440000000000"})  # a customer not in the pack
    pack = pack.model_copy(update={"orders": (bad_order, *pack.orders[1:])})
    before = counts(env)

    async def create() -> None:
        settings = settings_for_test(env["FRONTDESK_DATABASE_URL"], "http://127.0.0.1:9", demo_seed=False)
        fd = await Frontdesk.open(settings)
        try:
            await fd.access.tenants.create(
                None, slug="bikes", owner_email="owner@bikes.example", owner_password=PASSWORD, pack=pack
            )
        finally:
            await fd.close()

    with pytest.raises(PackError) as refused:
        asyncio.run(create())
    assert any(p.file == "orders.csv" and p.row == 1 for p in refused.value.problems)
    assert counts(env) == before
