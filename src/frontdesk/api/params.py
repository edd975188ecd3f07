"""The bounds of the admin API's numeric and date parameters, in one place, so the OpenAPI schema states
them and FastAPI refuses a value outside them with 422 before any service (or database) sees it.

An unbounded integer reaches the database as it came (`offset=9223372036854775808` overflowed SQLite's
64-bit integers: a 500). Ids stop at `MAX_ID`, the largest integer a JSON number (and the web app's
JavaScript) holds exactly: above it, a schema's `maximum` can no longer be compared exactly, and no row
will ever have such an id.

Dates and times in the query must be ISO 8601 text: pydantic alone would also read a number as a Unix
time (`until=0` became 1970-01-01), which the schema's `format: date` does not allow.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime, BeforeValidator

MAX_ID = 2**53 - 1
"""The largest id a path, query or body accepts."""
MAX_OFFSET = 1_000_000
"""The most rows an offset-paged list skips; lists that grow past it page by cursor instead."""
MAX_PAGE = 200
"""The largest page size of a list."""


def id_path(description: str) -> Any:
    """A path parameter holding a row id: 1 to `MAX_ID`."""
    return Path(ge=1, le=MAX_ID, description=description)


def id_query(description: str | None = None) -> Any:
    """A query parameter holding a row id: 1 to `MAX_ID`."""
    return Query(ge=1, le=MAX_ID, description=description)


def limit_query(maximum: int = MAX_PAGE, description: str = "Page size.") -> Any:
    """A page size: 1 to `maximum`."""
    return Query(ge=1, le=maximum, description=description)


Limit = Annotated[int, limit_query()]
"""A page size, 1 to `MAX_PAGE`."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="How many rows to skip.")]
"""How many rows an offset-paged list skips, 0 to `MAX_OFFSET`."""
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",  # what `encode_cursor` writes: URL-safe base64 without padding
        description="`next_cursor` of the previous page; omit for the first.",
    ),
]
"""A list's cursor as it gave it out. Only the list knows which ones it gave out: a cursor of the right
shape that it did not is still 422, with a sentence for `detail`."""


def _whole_number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = BeforeValidator(_whole_number)
"""For an integer in a JSON body, after its `Field(strict=True, …)`: a number without a fractional part
is that integer (`245.0` is 245, as the schema's `integer` allows: JSON has one kind of number). Text
and booleans stay refused by `strict`."""


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})")


def _iso_text(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.fullmatch(value):
            raise ValueError(f"must be an ISO 8601 {what}")
        return value

    return BeforeValidator(check)


Day = Annotated[date, _iso_text(_DAY, "date (YYYY-MM-DD)")]
"""A calendar date as `YYYY-MM-DD` (not a Unix time)."""
Instant = Annotated[AwareDatetime, _iso_text(_INSTANT, "date and time with a zone")]
"""A date and time with its zone, in ISO 8601 (not a Unix time)."""
