"""The pack's CSV tables (`products.csv`, `customers.csv`, `orders.csv`): read, checked row by row, written.

A header names the columns in any order; a missing required column or an unknown one is refused (a
misspelt `prise` must not silently drop every price). Empty cells are the column's default. Lists are
`;`-separated (`bulb;wifi`), an order's items `SKU x2;SKU2 x1`, a customer's preferences
`key: value; key: value`. A UTF-8 byte order mark is fine (spreadsheets write one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from frontdesk.adapters.business_pack import values as v
from frontdesk.domain.business import OrderLine, OrderStatus
from frontdesk.domain.business_pack import PackError, PackProblem
from frontdesk.domain.business_records import CustomerRecord, OrderRecord, ProductRecord

CSV_TABLES = ("products", "customers", "orders")

PackRow = ProductRecord | CustomerRecord | OrderRecord


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    """The cell (never empty) to the row's value; a `ValueError`'s text is the problem's reason."""
    required: bool = False
    """The header must have it and no row may leave it empty."""
    write: Callable[[Any], str] = str
    field: str = ""
    """The record's field it fills, when not named like the column (`order_id` is an order's `ref`)."""

    @property
    def attr(self) -> str:
        return self.field or self.name


_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")
"""What a spreadsheet may take for a formula at the start of a cell (and the quote that escapes it)."""


def escape_cell(text: str) -> str:
    """A leading `'` keeps a spreadsheet from running a cell as a formula (`=HYPERLINK(...)` in a name
    a customer gave on WhatsApp); `unescape_cell` takes it off again, so the round trip is exact."""
    return "'" + text if text.startswith(_FORMULA) else text


def unescape_cell(text: str) -> str:
    """A cell as written before `escape_cell` (a hand-written `'=1` is read as `=1`, as spreadsheets do)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA) else text


def decode(file: str, data: bytes) -> str:
    """UTF-8 text (a byte order mark is dropped); `PackError` naming the first bad byte otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"is not UTF-8 text (line {line}, byte {exc.start + 1}); save it as UTF-8"
        raise PackError([PackProblem(file=file, message=message)]) from None


def _list(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


def _preferences(cell: str) -> dict[str, str]:
    out = {}
    for part in (p for p in cell.split(";") if p.strip()):
        name, sep, value = part.partition(":")
        if not sep or not name.strip():
            raise ValueError('is not "key: value; key: value"')
        out[name.strip()] = value.strip()
    return out


def _items(cell: str) -> tuple[OrderLine, ...]:
    items = []
    for part in (p.strip() for p in cell.split(";") if p.strip()):
        sku, sep, qty = part.rpartition(" x")
        if not sep:
            sku, qty = part, "1"
        try:
            items.append(OrderLine(sku=v.key(sku.strip()), qty=v.count(qty, least=1)))
        except ValueError:
            raise ValueError(f'item "{part}" is not "SKU x2"') from None
    if not items:
        raise ValueError("has no items")
    return tuple(items)


def _status(cell: str) -> OrderStatus:
    try:
        return OrderStatus(cell.strip())
    except ValueError:
        raise ValueError(f"is not one of {', '.join(OrderStatus)}") from None


def _date_or_none(value: date | None) -> str:
    return value.isoformat() if value else ""


def _none(value: Any) -> str:
    return "" if value is None else str(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _text(max_len: int) -> Callable[[str], str]:
    return lambda cell: v.text(cell, max_len=max_len)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "products": (
        Column("sku", v.key, required=True),
        Column("name", _text(200), required=True),
        Column("category", _text(64), required=True),
        Column("price", v.money, required=True),
        Column("stock", v.count, required=True),
        Column("rating", v.rating, write=_none),
        Column("tags", _list, write=";".join),
        Column("description", _text(20_000)),
        Column("restock_eta", v.day, write=_date_or_none),
    ),
    "customers": (
        Column("wa_id", v.wa_id, required=True),
        Column("name", _text(200), write=_none),
        Column("email", _text(320), write=_none),
        Column("city", _text(100), write=_none),
        Column("language", lambda c: v.text(v.language(c), max_len=16), write=_none),
        Column("preferences", _preferences, write=lambda p: "; ".join(f"{k}: {x}" for k, x in p.items())),
        Column("marketing_opt_in", v.boolean, write=_bool),
        Column("vip", v.boolean, write=_bool),
    ),
    "orders": (
        Column("order_id", v.key, required=True, field="ref"),
        Column("wa_id", v.wa_id, required=True, field="customer"),
        Column("items", _items, required=True, write=lambda i: ";".join(f"{x.sku} x{x.qty}" for x in i)),
        Column("total", v.money, required=True),
        Column("status", _status, required=True),
        Column("carrier", _text(64), write=_none),
        Column("tracking", _text(64), write=_none),
        Column("ordered_at", v.day, required=True, write=_date_or_none),
        Column("shipped_at", v.day, write=_date_or_none),
        Column("delivered_at", v.day, write=_date_or_none),
        Column("eta", v.day, write=_date_or_none),
    ),
}
_MODELS: dict[str, type[BaseModel]] = {
    "products": ProductRecord,
    "customers": CustomerRecord,
    "orders": OrderRecord,
}
KEYS = {"products": "sku", "customers": "wa_id", "orders": "order_id"}
"""Each table's key column: a second row with the same one is refused (re-import upserts by it)."""
_ATTRS = {table: {c.name: c.attr for c in columns} for table, columns in COLUMNS.items()}
"""Each table's columns to their record's fields."""


def read_table(table: str, data: bytes) -> list[Any]:
    """The rows of one CSV table (`products`, `customers` or `orders`); `PackError` lists every problem."""
    if table not in COLUMNS:
        raise ValueError(f"no CSV table {table!r}; one of {', '.join(CSV_TABLES)}")
    file = f"{table}.csv"
    reader = csv.reader(io.StringIO(decode(file, data), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise PackError([PackProblem(file=file, message="is empty; it needs at least its header row")])
        columns, problems = _header(table, file, header)
        rows = [] if problems else _rows(table, file, columns, reader, problems)
    except csv.Error as exc:
        raise PackError(
            [PackProblem(file=file, row=reader.line_num, message=f"is not valid CSV ({exc})")]
        ) from None
    if problems:
        raise PackError(problems)
    return rows


def write_table(table: str, rows: Iterable[PackRow]) -> bytes:
    """The rows as the table's CSV (UTF-8, every column in the documented order, `\\r\\n` lines)."""
    columns = COLUMNS[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([escape_cell(c.write(getattr(row, c.attr))) for c in columns])
    return out.getvalue().encode("utf-8")


def _header(table: str, file: str, header: Sequence[str]) -> tuple[list[Column | None], list[PackProblem]]:
    known = {c.name: c for c in COLUMNS[table]}
    names = [h.strip() for h in header]
    problems = [
        PackProblem(file=file, column=n, message=f'unknown column "{n}" (known: {", ".join(known)})')
        for n in names
        if n not in known
    ]
    problems += [
        PackProblem(file=file, column=n, message=f'column "{n}" appears twice')
        for i, n in enumerate(names)
        if n in names[:i]
    ]
    problems += [
        PackProblem(file=file, column=c.name, message=f'required column "{c.name}" is missing')
        for c in COLUMNS[table]
        if c.required and c.name not in names
    ]
    return [known.get(n) for n in names], problems


def _rows(
    table: str,
    file: str,
    columns: list[Column | None],
    reader: Iterable[list[str]],
    problems: list[PackProblem],
) -> list[Any]:
    rows: list[Any] = []
    seen: dict[str, int] = {}
    key = KEYS[table]
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue  # a blank line (spreadsheets leave them at the end)
        found = len(problems)
        if len(cells) > len(columns):
            problems.append(
                PackProblem(
                    file=file, row=number, message=f"has {len(cells)} cells, the header {len(columns)}"
                )
            )
            continue
        values = _cells(file, number, columns, cells, problems)
        if key in values and values[key] in seen:
            problems.append(_duplicate(file, number, key, values[key], seen[values[key]]))
        elif key in values:
            seen[values[key]] = number
        if len(problems) > found:
            continue
        try:
            rows.append(_MODELS[table](**{_ATTRS[table].get(k, k): x for k, x in values.items()}))
        except ValidationError as exc:  # the parsers above should make this unreachable
            problems.append(PackProblem(file=file, row=number, message=str(exc.errors()[0]["msg"])))
    return rows


def _cells(
    file: str, number: int, columns: list[Column | None], cells: list[str], problems: list[PackProblem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, cell in zip(columns, cells + [""] * (len(columns) - len(cells)), strict=True):
        if column is None:
            continue
        if not cell.strip():
            if column.required:
                problems.append(
                    PackProblem(file=file, row=number, column=column.name, message=f"{column.name} is empty")
                )
            continue
        try:
            values[column.name] = column.parse(unescape_cell(cell))
        except ValueError as exc:
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            problems.append(
                PackProblem(
                    file=file, row=number, column=column.name, message=f'{column.name} "{shown}" {exc}'
                )
            )
    return values


def _duplicate(file: str, number: int, key: str, value: str, first: int) -> PackProblem:
    return PackProblem(file=file, row=number, column=key, message=f'{key} "{value}" is also on row {first}')
