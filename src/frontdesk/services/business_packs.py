"""Business packs: a business's data, knowledge base and team brought in (or given out) as one pack.

Import order, so that a refused pack writes nothing: the team (`team.yaml`) and every knowledge
document are checked first, then the rows go in in one transaction (with the `business.imported`
audit entry), then the documents are ingested (added or replaced by filename), then the team is saved
as the tenant's next version. A dry run does the checks and the rows' comparison and writes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business_pack import (
    PACK_TABLES,
    BusinessPackStore,
    Change,
    ImportReport,
    Pack,
    PackError,
    PackProblem,
    TableCounts,
)
from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.knowledge import IngestOutcome
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.domain.staff import Staff
from frontdesk.domain.team_terms import TeamError
from frontdesk.services.audit import staff_entry
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.services.team import TeamService

_OUTCOME = {
    IngestOutcome.ADDED: Change.CREATED,
    IngestOutcome.REPLACED: Change.UPDATED,
    IngestOutcome.UNCHANGED: Change.UNCHANGED,
}


class BusinessPacks:
    def __init__(
        self, *, store: BusinessPackStore, knowledge: KnowledgeService, team: TeamService, clock: Clock
    ):
        self._store = store
        self._knowledge = knowledge
        self._team = team
        self._clock = clock

    async def import_pack(self, staff: Staff, pack: Pack, *, dry_run: bool = False) -> ImportReport:
        """Bring `pack` into the staff's tenant; the report counts what changed (or would, `dry_run`).

        `PackError` lists every problem (its `report` the counts so far); then nothing was written."""
        tenant = staff.tenant
        problems = await self.check(pack)
        if problems:
            raise await self._refused(staff, pack, problems, dry_run=dry_run)
        report = await self._rows(staff, pack, dry_run=dry_run, found=[])
        if dry_run:
            return report.model_copy(
                update={
                    "kb_documents": await self._kb_preview(tenant, pack.kb),
                    "team": await self._team_change(tenant, pack),
                }
            )
        kb = await self._ingest(tenant, pack.kb)
        team = await self._save_team(staff, pack)
        return report.model_copy(update={"kb_documents": kb, "team": team})

    async def export(self, tenant: Tenant) -> Pack:
        """The tenant's business as a pack: its rows, its documents as uploaded, its saved team."""
        pack = await self._store.export_pack(tenant.id)
        current = await self._team.current(tenant=tenant)
        return pack.model_copy(
            update={
                "kb": await self._knowledge.originals(tenant=tenant),
                "team_yaml": current.yaml if current.source == "saved" else None,
            }
        )

    # -- checks before anything is written

    async def check(self, pack: Pack) -> list[PackProblem]:
        """The problems of the pack's team (`team.yaml`) and knowledge documents, which need no tenant:
        what `import_pack` checks before writing, and what `frontdesk tenants create --pack` checks
        before the tenant exists (its rows are checked in the tenant's own transaction)."""
        return self._team_problems(pack) + await self._kb_problems(pack)

    async def _refused(
        self, staff: Staff, pack: Pack, problems: list[PackProblem], *, dry_run: bool
    ) -> PackError:
        """The error for a pack whose team or documents are refused: with the rows' problems too (they
        are still compared, writing nothing) and a report counting what would have gone in."""
        rows = await self._rows(staff, pack, dry_run=True, found=problems)
        every = [*problems, *rows.problems]
        bad = {p.file for p in problems}
        kb = await self._kb_preview(staff.tenant, {n: d for n, d in pack.kb.items() if f"kb/{n}" not in bad})
        team = Change.REFUSED if "team.yaml" in bad else await self._team_change(staff.tenant, pack)
        refused = kb.model_copy(update={"refused": sum(f.startswith("kb/") for f in bad)})
        report = rows.model_copy(
            update={"dry_run": dry_run, "problems": tuple(every), "kb_documents": refused, "team": team}
        )
        return PackError(every, report=report)

    def _team_problems(self, pack: Pack) -> list[PackProblem]:
        if pack.team_yaml is None:
            return []
        try:
            self._team.check(yaml=pack.team_yaml)
        except TeamError as exc:
            return [
                PackProblem(file="team.yaml", column=p.location or None, message=str(p)) for p in exc.problems
            ]
        return []

    async def _kb_problems(self, pack: Pack) -> list[PackProblem]:
        problems = []
        for name, data in sorted(pack.kb.items()):
            try:
                await self._knowledge.check_document(filename=name, data=data)
            except InvalidInputError as exc:
                problems.append(PackProblem(file=f"kb/{name}", message=str(exc).removeprefix(f"{name}: ")))
        return problems

    # -- writing

    async def _rows(
        self, staff: Staff, pack: Pack, *, dry_run: bool, found: list[PackProblem]
    ) -> ImportReport:
        try:
            return await self._store.import_pack(
                staff.tenant.id,
                pack,
                now=self._clock.now(),
                dry_run=dry_run,
                audit=lambda r: _entry(staff, pack, r, self._clock.now()),
            )
        except PackError as exc:
            if not found:
                raise
            # The caller raises with every problem; these are the rows' share.
            base = exc.report or ImportReport(dry_run=True)
            return base.model_copy(update={"problems": tuple(exc.problems)})

    async def _ingest(self, tenant: Tenant, kb: Mapping[str, bytes]) -> TableCounts:
        counts = dict.fromkeys(Change, 0)
        for name, data in sorted(kb.items()):
            result = await self._knowledge.ingest(tenant=tenant, filename=name, data=data)
            counts[_OUTCOME[result.outcome]] += 1
        return _counts(counts)

    async def _kb_preview(self, tenant: Tenant, kb: Mapping[str, bytes]) -> TableCounts:
        """What `_ingest` would count: a document is matched by filename, and is unchanged by its bytes."""
        counts = dict.fromkeys(Change, 0)
        for name, data in kb.items():
            existing = await self._knowledge.find_document(tenant=tenant, filename=name)
            if existing is None:
                counts[Change.CREATED] += 1
            elif existing.content_hash == hashlib.sha256(data).hexdigest():
                counts[Change.UNCHANGED] += 1
            else:
                counts[Change.UPDATED] += 1
        return _counts(counts)

    async def _team_change(self, tenant: Tenant, pack: Pack) -> Change | None:
        if pack.team_yaml is None:
            return None
        current = await self._team.current(tenant=tenant)
        if current.source == "saved" and current.yaml == pack.team_yaml:
            return Change.UNCHANGED
        return Change.UPDATED if current.source == "saved" else Change.CREATED

    async def _save_team(self, staff: Staff, pack: Pack) -> Change | None:
        change = await self._team_change(staff.tenant, pack)
        if change in (Change.CREATED, Change.UPDATED) and pack.team_yaml is not None:
            current = await self._team.current(tenant=staff.tenant)
            await self._team.save(staff=staff, yaml=pack.team_yaml, base_version=current.version)
        return change


def _counts(counts: Mapping[Change, int]) -> TableCounts:
    return TableCounts(
        created=counts[Change.CREATED], updated=counts[Change.UPDATED], unchanged=counts[Change.UNCHANGED]
    )


def _entry(staff: Staff, pack: Pack, report: ImportReport, now: datetime) -> AuditEntry:
    """`business.imported`: the counts per table, and which documents and whether a team came with it."""
    details = {
        "tables": {t: report.tables[t].model_dump() for t in PACK_TABLES if t in report.tables},
        "kb_documents": sorted(pack.kb),
        "team": pack.team_yaml is not None,
        "business": pack.business is not None,
    }
    return staff_entry(
        staff, "business.imported", target_type="tenant", target_id=staff.tenant.id, now=now, details=details
    )
