"""`BusinessPacks` as wired in `Frontdesk`: rows, knowledge documents and the team of a pack, audited.

A pack whose team.yaml or a document would be refused writes nothing at all (no row, no document, no
team version), and lists the rows' problems with theirs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text

from frontdesk.adapters.db.demo_seed import DEMO_DIR
from frontdesk.adapters.db.tables import tenants
from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.domain.business_pack import Change, Pack, PackError, TableCounts
from frontdesk.domain.models import Tenant
from frontdesk.wiring import Frontdesk
from frontdesk.wiring.access import command_line_actor
from frontdesk.wiring.container import Overrides
from tests.support.harness import settings_for_test
from tests.support.packs import full_pack
from tests.unit.conftest import FakeClock

NOW = datetime(2026, 11, 21, 9, tzinfo=UTC)
TEAM = (DEMO_DIR / "team.yaml").read_text(encoding="utf-8")
COUNTED = ("products", "contacts", "orders", "appointments", "kb_documents", "team_versions", "channels")


@pytest.fixture
async def fd(database_url: str) -> AsyncIterator[Frontdesk]:
    settings = settings_for_test(database_url, "http://127.0.0.1:9", demo_seed=False)
    frontdesk = await Frontdesk.open(settings, Overrides(embedder=HashingEmbedder(), clock=FakeClock(NOW)))
    yield frontdesk
    await frontdesk.close()


async def salon(fd: Frontdesk) -> Tenant:
    async with fd.store.begin() as conn:
        await conn.execute(insert(tenants).values(slug="salon", name="salon", created_at=NOW))
    return await fd.tenants.by_slug("salon")


async def counts(fd: Frontdesk) -> dict[str, int]:
    async with fd.store.begin() as conn:
        return {t: (await conn.execute(text(f"select count(*) from {t}"))).scalar_one() for t in COUNTED}


def with_team(pack: Pack) -> Pack:
    return pack.model_copy(update={"team_yaml": TEAM})


async def test_a_pack_brings_rows_documents_and_team_and_comes_back_out(fd: Frontdesk) -> None:
    tenant = await salon(fd)
    staff = command_line_actor(tenant)
    pack = with_team(full_pack())
    report = await fd.business_packs.import_pack(staff, pack)
    assert report.tables["services"] == TableCounts(created=2)
    assert report.kb_documents == TableCounts(created=1) and report.team is Change.CREATED
    exported = await fd.business_packs.export(tenant)
    assert exported == pack
    again = await fd.business_packs.import_pack(staff, exported)
    assert again.kb_documents == TableCounts(unchanged=1) and again.team is Change.UNCHANGED
    assert all(c.created == c.updated == 0 for c in again.tables.values())
    async with fd.store.begin() as conn:
        entries = (
            await conn.execute(
                text("select details from audit_log where action = 'business.imported' order by id")
            )
        ).all()
    assert len(entries) == 2


async def test_a_dry_run_previews_documents_and_team_and_writes_nothing(fd: Frontdesk) -> None:
    tenant = await salon(fd)
    before = await counts(fd)
    report = await fd.business_packs.import_pack(
        command_line_actor(tenant), with_team(full_pack()), dry_run=True
    )
    assert report.dry_run and report.kb_documents == TableCounts(created=1) and report.team is Change.CREATED
    assert report.tables["orders"] == TableCounts(created=1)
    assert await counts(fd) == before


async def test_a_bad_team_or_document_refuses_the_whole_pack_with_the_rows_problems(fd: Frontdesk) -> None:
    tenant = await salon(fd)
    pack = full_pack()
    stray = pack.orders[0].model_copy(update={"customer": "4915199999999"})
    bad = pack.model_copy(
        update={
            "team_yaml": "agents: [{name: x}]\n",
            "kb": {**pack.kb, "empty.md": b"   \n"},
            "orders": (stray,),
        }
    )
    before = await counts(fd)
    with pytest.raises(PackError) as caught:
        await fd.business_packs.import_pack(command_line_actor(tenant), bad)
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith("team.yaml: ") for p in found), found
    assert "kb/empty.md: the file is empty" in found
    assert 'orders.csv row 1: wa_id "4915199999999" is not in customers.csv nor a customer already' in found
    report = caught.value.report
    assert (
        report is not None
        and report.tables["orders"].refused == 1
        and list(report.problems) == caught.value.problems
    )
    assert report.kb_documents == TableCounts(created=1, refused=1) and report.team is Change.REFUSED
    assert await counts(fd) == before


async def test_the_check_needs_no_tenant_and_finds_what_the_import_refuses(fd: Frontdesk) -> None:
    """`check` is the import's own first step, and what `tenants create --pack` runs before the tenant
    exists: the team's and documents' problems, nothing written."""
    pack = full_pack()
    assert await fd.business_packs.check(with_team(pack)) == []
    bad = pack.model_copy(update={"team_yaml": "agents: [{name: x}]\n", "kb": {**pack.kb, "empty.md": b" "}})
    before = await counts(fd)
    found = [str(p) for p in await fd.business_packs.check(bad)]
    assert found[0].startswith("team.yaml: ") and found[-1] == "kb/empty.md: the file is empty", found
    assert await counts(fd) == before


async def test_a_tenant_without_a_saved_team_exports_none(fd: Frontdesk) -> None:
    tenant = await salon(fd)
    await fd.business_packs.import_pack(command_line_actor(tenant), full_pack())
    exported = await fd.business_packs.export(tenant)
    assert exported.team_yaml is None and exported.kb == full_pack().kb
    async with fd.store.begin() as conn:
        assert (await conn.execute(select(func.count()).select_from(tenants))).scalar_one() == 1
