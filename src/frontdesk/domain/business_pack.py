"""The business pack: a business described as a folder of files, and what importing one reports.

The format is public (docs/business-pack.md): `business.yaml` (required), `products.csv`,
`customers.csv`, `orders.csv`, `services.yaml`, `kb/` and an optional `team.yaml`. Every problem
names the file and, for a table, the row (1 = the first data row after the header) and the column, so
`str(problem)` reads `products.csv row 7: price "abc" is not a number`.

An import is all or nothing: a pack with any problem writes nothing, and its report lists every
problem found (not only the first).
"""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.models import Frozen

PACK_TABLES = ("products", "customers", "orders", "services", "technicians", "appointments")
"""The business's tables a pack fills, in import order (an order needs its customer and products)."""


class PackProblem(Frozen):
    """One thing wrong in a pack: where (file, row, column) and what, in words a person can act on."""

    file: str
    row: int | None = None
    """1-based data row of a CSV file (the header is row 0), or the item's position in a YAML list."""
    column: str | None = None
    message: str
    """Starts with the column when there is one: `price "abc" is not a number`."""

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file} row {self.row}"
        return f"{where}: {self.message}"


class PackError(InvalidInputError):
    """A pack that cannot be imported; nothing was written. `problems` lists every reason."""

    def __init__(self, problems: list[PackProblem]):
        self.problems = problems
        first = str(problems[0]) if problems else "the pack is invalid"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)


class Change(StrEnum):
    """What an import did to one row, compared by the row's key."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


class TableCounts(Frozen):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0


class ImportReport(Frozen):
    """What an import did (or, with `dry_run`, would do), table by table, and every problem found.

    With problems nothing was written, whatever `dry_run` says; `refused` counts the rows with one.
    """

    dry_run: bool
    tables: dict[str, TableCounts] = {}
    problems: tuple[PackProblem, ...] = ()
    kb_documents: TableCounts = TableCounts()
    team: Change | None = None
    """The pack's `team.yaml`: saved as the tenant's new team version, unchanged, or None without one."""

    @property
    def ok(self) -> bool:
        return not self.problems
