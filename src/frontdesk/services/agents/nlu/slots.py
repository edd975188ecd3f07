"""Slot values from a customer's message: order and appointment references, products, services, cities,
quantities, yes/no, e-mail addresses and dates (see `dates`).

Each extractor is a small function; `SlotReader.read` picks one by the slot's type. Values are plain:
`"LH-100245"`, `"APT-5001"`, `3`, `True`; products, services and cities come back as `Mention`s, which
may be ambiguous ("the speaker": Mini or One?) so the dialogue can offer a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.domain.team import Slot
from frontdesk.services.agents.nlu.dates import TimeWindow, When, parse_date, parse_time, parse_when
from frontdesk.services.agents.nlu.names import (
    COMMON_WORDS,
    SERVICE_WORDS,
    Mention,
    Named,
    NameIndex,
    brand_words,
)
from frontdesk.services.agents.nlu.words import NUMBER_WORDS, normalise

_ORDER_PREFIXED = re.compile(r"\b([a-z]{2,4})\s?[-_#.:]?\s?#?\s?([0-9o]{5,8})\b(?!\s?\d)")
"""An order number of any business: 2 to 4 letters, 5 to 8 digits (`LH-100245`, `bh 20433`, `SO#123456`)."""
NOT_ORDER_PREFIXES = frozenset(
    {
        "a", "an", "at", "on", "in", "to", "of", "by", "is", "it", "its", "no", "nr", "num", "ref", "id",
        "my", "me", "for", "and", "or", "the", "was", "are", "be", "from", "till", "call", "tel", "ph",
        "fax", "mob", "apt", "appt", "room", "flat", "unit", "box", "po", "pin", "code", "zip", "plz",
        "year", "eur", "usd", "gbp", "chf",
    }
)  # fmt: skip
"""Words before a number that are not an order number's prefix ("call me on 07700 900101")."""
_ORDER_WORDED = re.compile(
    r"\border\s*(?:(?:no|number|num|ref|reference|id)\.?\s*)?(?:is\s*)?[:#]?\s*([0-9]{5,8})\b"
)
_BARE_ORDER = re.compile(r"(?<![\w/:.£$€-])#?([0-9]{5,8})(?![\w/:.-])")
_APPOINTMENT = re.compile(
    r"\b(?:apt|appt|appointment|booking)\s*(?:no|number|ref|reference)?\.?\s*[-_#:]?\s*([0-9]{3,6})\b"
)
_BARE_APPOINTMENT = re.compile(r"(?<![\w/:.£$-])([0-9]{4})(?![\w/:.-])")
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}")
_SKU = re.compile(r"\b(?:lh[-_ ]?|[a-z]{2,4}-)[a-z0-9]+(?:[-_ ][a-z0-9]+)*\b")
"""A product code: `LH-BULB-E27`, `bh-sham-rep` (letters and a dash, then letters and digits)."""
_QUANTITY_X = re.compile(r"(?:\bx\s?(\d{1,3})\b|\b(\d{1,3})\s?x\b|\b(\d{1,3})\s?(?:pcs|pieces|units|of)\b)")
_TIME_OR_MONEY = re.compile(
    r"\b(?:between|from)\s+\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?\s+(?:and|to|-|till|until)\s+\d{1,2}"
    r"|\d{1,2}[:.]\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|[£$€]\s?\d+(?:\.\d+)?"
)
_NUMBER = re.compile(r"(?<![\w/:.£$-])(\d{1,3})(?![\w/:.%-])")
_NOT_QUANTITY_AFTER = re.compile(
    r"^\s*(?:am|pm|o'?clock|st|nd|rd|th|days?|weeks?|months?|years?|hours?|hrs?|mins?|minutes?|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|[a-z]+day|%|quid|pounds?|gbp|euros?|eur|dollars?|usd|chf|lumens?|ml)\b"
)

_YES = (
    "yes", "y", "yeah", "yea", "ya", "yep", "yup", "sure", "ok", "okay", "k", "kk", "fine", "alright",
    "all right", "go ahead", "go for it", "do it", "please do", "confirm", "confirmed", "correct",
    "that's right", "that is right", "absolutely", "definitely", "of course", "sounds good",
    "perfect", "great", "why not", "no problem", "no worries", "yes please", "aye", "affirmative",
    "that's fine", "that works", "works for me", "👍", "✅", "👌", "🙂",
)  # fmt: skip
_NO = (
    "no", "n", "nope", "nah", "na", "don't", "dont", "do not", "not", "never", "stop",
    "wait", "hold on", "never mind", "nevermind", "not now", "no thanks", "no thank you", "leave it",
    "keep it", "rather not", "i'd rather not", "negative",
    "absolutely not", "definitely not", "of course not", "certainly not", "no way", "👎", "❌", "🚫",
)  # fmt: skip
_UNSURE = ("not sure", "no idea", "don't know", "dont know", "maybe", "not certain", "unsure", "idk")


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(p) for p in phrases), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])")


_YES_RE, _NO_RE, _UNSURE_RE = (_phrase_pattern(p) for p in (_YES, _NO, _UNSURE))


def order_refs(text: str, *, bare: bool = False) -> list[str]:
    """Order numbers in `text`, in any business's format: "LH-100245", "lh100245" and "Lh 100245" are
    `LH-100245`; "order 100245" and "#100245" are `100245` (the tools match an order by its digits).

    A bare number of 5 to 8 digits counts only with `bare` (when the customer was just asked for one).
    A letter O typed for a zero is read as one ("LH-10O245").
    """
    lowered = normalise(text)
    found = [
        f"{m.group(1).upper()}-{m.group(2).replace('o', '0')}"
        for m in _ORDER_PREFIXED.finditer(lowered)
        if m.group(1) not in NOT_ORDER_PREFIXES and m.group(2).count("o") <= 1
    ]
    found += [m.group(1) for m in _ORDER_WORDED.finditer(lowered)]
    if bare and not found:
        found += [m.group(1) for m in _BARE_ORDER.finditer(lowered)]
    return list(dict.fromkeys(found))


def appointment_refs(text: str, *, bare: bool = False) -> list[str]:
    """Appointment references as `APT-5001`, from "APT-5001", "apt 5001", "booking 5001" (`bare`: "5001")."""
    lowered = normalise(text)
    found = [m.group(1) for m in _APPOINTMENT.finditer(lowered)]
    if bare and not found:
        found = [m.group(1) for m in _BARE_APPOINTMENT.finditer(lowered)]
    return list(dict.fromkeys(f"APT-{digits}" for digits in found))


def emails(text: str) -> list[str]:
    """E-mail addresses, lower-cased."""
    return list(dict.fromkeys(_EMAIL.findall(normalise(text))))


def quantity(text: str) -> int | None:
    """How many the customer wants: "x3", "3x", "two", "a couple", "4 bulbs"; None if no clear number.

    Numbers that are times, dates, days, prices or part of references are not quantities.
    """
    lowered = _without_references(normalise(text))
    explicit = _QUANTITY_X.search(lowered)
    if explicit:
        return int(next(group for group in explicit.groups() if group))
    for match in _NUMBER.finditer(lowered):
        if not _NOT_QUANTITY_AFTER.match(lowered[match.end() :]) and not _after_time_word(
            lowered, match.start()
        ):
            value = int(match.group(1))
            return value if 0 < value <= 999 else None
    return _quantity_word(lowered)


def _without_references(text: str) -> str:
    text = _EMAIL.sub(" ", text)
    text = _SKU.sub(" ", text)
    text = _ORDER_WORDED.sub(" ", text)
    text = _ORDER_PREFIXED.sub(" ", text)
    text = _TIME_OR_MONEY.sub(" ", text)
    return _APPOINTMENT.sub(" ", text)


def _after_time_word(text: str, start: int) -> bool:
    """True when the number follows "at", "in", "the" ... (a time, a delay or a date)."""
    before = text[:start].rstrip().rsplit(" ", 1)[-1]
    return before in {
        "at",
        "the",
        "on",
        "in",
        "by",
        "before",
        "after",
        "until",
        "from",
        "half",
        "past",
        "to",
        "between",
    }


def _quantity_word(text: str) -> int | None:
    for word in re.findall(r"[a-z]+", text):
        if word in ("a", "an", "one"):
            continue  # too common to mean a quantity on their own
        value = NUMBER_WORDS.get(word)
        if value is not None:
            return value
    return None


def yes_no(text: str) -> bool | None:
    """True for yes ("yep", "go ahead", "👍"), False for no ("nope", "don't", "❌"), None when unclear."""
    lowered = normalise(text)
    if _UNSURE_RE.search(lowered):
        return None
    found = [(m.start(), m.end(), True) for m in _YES_RE.finditer(lowered)]
    found += [(m.start(), m.end(), False) for m in _NO_RE.finditer(lowered)]
    # a phrase inside a longer one of the other kind does not count: "no problem", "absolutely not"
    kept = [
        a
        for a in found
        if not any(b[0] <= a[0] and a[1] <= b[1] and b[1] - b[0] > a[1] - a[0] for b in found)
    ]
    answers = {answer for _, _, answer in kept}
    if len(answers) == 1:
        return answers.pop()
    if kept and not min(kept)[2]:
        return False  # "no, don't cancel it"; "ok... wait" stays unclear
    return None


def bare_yes(text: str) -> bool:
    """The whole message is a yes ("yes", "ok", "yes please!"): an answer, not a request."""
    stripped = re.sub(r"[^\w\s'👍✅👌🙂]", " ", normalise(text))
    return bool(_YES_RE.fullmatch(" ".join(stripped.split())))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the business's customers may name: its products, services and the towns it serves."""

    products: NameIndex
    services: NameIndex
    cities: NameIndex
    business: str = ""
    """The business's name (its words are weak in the names; its brand is left out of list rows)."""

    @classmethod
    def build(
        cls,
        *,
        products: Iterable[Named],
        services: Iterable[Named],
        cities: Iterable[str],
        business: str = "",
    ) -> Vocabulary:
        """Index the names (once per business; each index is immutable); the words of the `business`'s
        own name are weak in them ("Lumen" alone names no Lumen product)."""
        brand = brand_words(business)
        city_items = [Named(city, city) for city in dict.fromkeys(cities)]
        return cls(
            NameIndex(products, weak=COMMON_WORDS | brand),
            NameIndex(services, weak=SERVICE_WORDS | brand),
            NameIndex(city_items, weak=()),
            business,
        )


class SlotReader:
    """Reads a slot's value from a message, by the slot's type, in the business's time zone."""

    def __init__(self, vocabulary: Vocabulary, *, timezone: ZoneInfo):
        self.vocabulary = vocabulary
        self.timezone = timezone

    def read(self, slot: Slot, text: str, *, now: datetime, expecting: bool = False) -> Any:
        """The slot's value in `text`, or None. `expecting`: the customer was just asked for this slot.

        Returns str (references, SKU keys, e-mails, text), int (quantity), bool (yes/no), `date`,
        `TimeWindow`, `When` (datetime), or `Mention` / list of `Mention`s (`slot.many`) for products,
        services and cities.
        """
        kind = slot.type
        if kind in ("product", "sku", "service", "city"):
            return self._mentions(kind, text, many=slot.many)
        if kind == "text":
            return text.strip() or None
        return self._scalar(kind, text, now=now, expecting=expecting)

    def _mentions(self, kind: str, text: str, *, many: bool) -> Mention | list[Mention] | None:
        index = {"product": self.vocabulary.products, "sku": self.vocabulary.products}.get(kind)
        index = index or (self.vocabulary.services if kind == "service" else self.vocabulary.cities)
        mentions = index.find(text)
        if many:
            return mentions or None
        # One value wanted: the most telling mention ("set up my smart lights": "smart lights" names one
        # service, "set up" several), the first of equals.
        return max(mentions, key=lambda m: m.best.score) if mentions else None

    def _scalar(self, kind: str, text: str, *, now: datetime, expecting: bool) -> Any:
        if kind == "order_ref":
            return _first(order_refs(text, bare=expecting))
        if kind == "appointment_ref":
            return _first(appointment_refs(text, bare=expecting))
        if kind == "email":
            return _first(emails(text))
        if kind == "quantity":
            return quantity(text)
        if kind == "yes_no":
            return yes_no(text)
        return self._temporal(kind, text, now=now)

    def _temporal(self, kind: str, text: str, *, now: datetime) -> date | TimeWindow | When | None:
        if kind == "date":
            return parse_date(text, now=now, tz=self.timezone)
        if kind == "time":
            return parse_time(text)
        return parse_when(text, now=now, tz=self.timezone)


def _first(values: list[str]) -> str | None:
    return values[0] if values else None
