"""Plain-text formatting shared by the tools: money, dates and times, list rows, references."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from frontdesk.domain.outbound import Row

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_REF = re.compile(r"[^A-Z0-9-]")


def money(amount: Decimal, currency: str) -> str:
    """`£14.99`, or `14.99 CHF` for currencies without a symbol here."""
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency.upper()}"


def day(d: date) -> str:
    """`Tue 24 Nov 2026`."""
    return f"{d:%a} {d.day} {d:%b %Y}"


def short_day(d: date) -> str:
    """`Tue 24 Nov`."""
    return f"{d:%a} {d.day} {d:%b}"


def local(at: datetime, tz: ZoneInfo) -> datetime:
    return at.astimezone(tz)


def when(at: datetime, tz: ZoneInfo) -> str:
    """`Tue 24 Nov, 14:00` in the business's time zone."""
    here = at.astimezone(tz)
    return f"{short_day(here.date())}, {here:%H:%M}"


def iso_local(at: datetime, tz: ZoneInfo) -> str:
    """`2026-11-24T14:00` in the business's time zone, without the offset (what a customer reads)."""
    return at.astimezone(tz).replace(tzinfo=None).isoformat(timespec="minutes")


def row(id: str, title: str, description: str | None = None) -> Row:
    """A WhatsApp list row, with the title and description cut to the channel's limits."""
    return Row(id=id[:200], title=_cut(title, 24), description=_cut(description, 72) if description else None)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clip(text: str, limit: int) -> str:
    return _cut(" ".join(text.split()), limit)


def normal_ref(text: str) -> str:
    """`#lh 100231` -> `LH-100231`-like: upper case, spaces to dashes, other marks dropped."""
    return _REF.sub("", re.sub(r"\s+", "-", text.strip().upper().lstrip("#")))


def match_ref(text: str, refs: Iterable[str]) -> str | None:
    """The reference meant by `text` among `refs`: exact, or the one whose digits it gives alone."""
    wanted = normal_ref(text)
    candidates = list(refs)
    if wanted in candidates:
        return wanted
    digits = re.sub(r"\D", "", wanted)
    if not digits:
        return None
    ends = [r for r in candidates if re.sub(r"\D", "", r) == digits]
    return ends[0] if len(ends) == 1 else None


def join(parts: Iterable[str], last: str = "and") -> str:
    """`a, b and c`."""
    items = [p for p in parts if p]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
