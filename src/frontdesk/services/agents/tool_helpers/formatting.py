"""Plain-text formatting shared by the tools: money, dates and times, list rows, references.

Money follows the business's currency and locale with Babel (CLDR data, shipped with the package):
`£14.99` (en-GB), `14,99 €` (de-DE, fr-FR, en-DE), `$14.99` (en-US), `CHF 14.99` (de-CH).
Dates and times are in the business's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

from frontdesk.domain.business import WEEKDAYS, BusinessRules, Hours
from frontdesk.domain.outbound import Row

DEFAULT_LOCALE = "en"
_REF = re.compile(r"[^A-Z0-9-]")


@lru_cache(maxsize=64)
def _locale(tag: str) -> Locale:
    """A BCP 47 tag (`de-DE`, `en_GB`, `fr`) as Babel's locale; English when Babel does not know it."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def money(amount: Decimal, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`amount` in `currency` as `locale` writes it: `£14.99`, `14,99 €`, `CHF 14.99`."""
    return format_currency(amount, currency.upper(), locale=_locale(locale))


@dataclass(frozen=True, slots=True)
class Prices:
    """How one business shows prices: its currency in its locale (`prices(Decimal("14.99"))`)."""

    currency: str
    locale: str = DEFAULT_LOCALE

    @classmethod
    def of(cls, rules: BusinessRules) -> Prices:
        return cls(rules.currency, rules.locale)

    def __call__(self, amount: Decimal) -> str:
        return money(amount, self.currency, self.locale)


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


def hours_text(hours: Hours) -> str:
    """Opening hours as a reply writes them, `Tue-Fri 9:00-19:00, Sat 9:00-16:00` with en dashes:
    consecutive days with the same hours joined, closed days left out; "" with no hours."""
    groups: list[tuple[list[str], str]] = []
    previous: str | None = None
    for key in WEEKDAYS:
        span = hours.get(key)
        text = f"{span[0].hour}:{span[0].minute:02d}–{span[1].hour}:{span[1].minute:02d}" if span else None
        if text is not None and text == previous:
            groups[-1][0].append(key)
        elif text is not None:
            groups.append(([key], text))
        previous = text
    days = [(d[0].title() if len(d) == 1 else f"{d[0].title()}–{d[-1].title()}", t) for d, t in groups]
    return ", ".join(f"{day} {time}" for day, time in days)


def without_brand(name: str, business: str) -> str:
    """`Lumen Smart Bulb E27` -> `Smart Bulb E27` for the business `Lumen Home`: a product name without the
    business's own brand (the first word of its name), where space is short."""
    brand = business.split()[0] if business.strip() else ""
    if brand and name.casefold().startswith(brand.casefold() + " ") and len(name) > len(brand) + 1:
        return name[len(brand) + 1 :]
    return name


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
