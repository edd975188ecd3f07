"""One cell or YAML value, checked and converted; a `ValueError`'s text is the problem's reason.

The reasons read after the column and the value: `price "abc"` + `is not a number`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name, list_currencies

from frontdesk.domain.business import WEEKDAYS

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_WA_ID = re.compile(r"[1-9]\d{6,14}")
_CURRENCIES = frozenset(list_currencies())
MONEY_LIMIT = Decimal("10000000000")
"""Prices and totals are stored as NUMERIC(12, 2)."""


def text(value: str, *, max_len: int) -> str:
    if len(value) > max_len:
        raise ValueError(f"is longer than {max_len} characters")
    return value


def money(value: str) -> Decimal:
    """A price or total: at most 2 decimals, not negative."""
    number = decimal(value)
    if number < 0:
        raise ValueError("is negative")
    if number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("has more than 2 decimals")
    if number >= MONEY_LIMIT:
        raise ValueError(f"is not below {MONEY_LIMIT}")
    return number


def decimal(value: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite():
        raise ValueError("is not a number")
    return number


def rating(value: str) -> Decimal:
    number = decimal(value)
    if not 0 <= number <= 5 or number.as_tuple().exponent < -1:  # type: ignore[operator]
        raise ValueError("is not a rating from 0 to 5 with at most one decimal")
    return number


def count(value: str, *, least: int = 0) -> int:
    """A whole number (stock, quantity, minutes) of at least `least`."""
    try:
        number = int(value.strip())
    except ValueError:
        raise ValueError("is not a whole number") from None
    if number < least:
        raise ValueError(f"is less than {least}")
    if number > 2**31 - 1:
        raise ValueError("is too large")
    return number


def boolean(value: str) -> bool:
    low = value.strip().lower()
    if low not in ("true", "false"):
        raise ValueError("is not true or false")
    return low == "true"


def day(value: str) -> date:
    try:
        if not _DATE.fullmatch(value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a date like 2026-11-21") from None


def clock_time(value: str) -> time:
    try:
        if not _TIME.fullmatch(value.strip()):
            raise ValueError
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a time like 09:30") from None


def local_datetime(value: str) -> datetime:
    """A wall-clock date and time without a zone (the business's zone applies)."""
    try:
        if not _DATETIME.fullmatch(value.strip()):
            raise ValueError
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is not a date and time like 2026-11-24T09:00") from None


def hours(value: object) -> tuple[time, time]:
    """`["09:00", "18:00"]`: open before close."""
    if not (isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValueError('is not a pair of times like ["09:00", "18:00"]')
    start, end = clock_time(value[0]), clock_time(value[1])
    if start >= end:
        raise ValueError("closes before it opens")
    return start, end


def weekday(value: str) -> str:
    if value not in WEEKDAYS:
        raise ValueError(f"is not a weekday key ({', '.join(WEEKDAYS)})")
    return value


def currency(value: str) -> str:
    """An ISO 4217 code, as Babel's CLDR data knows it."""
    code = value.strip().upper()
    if code not in _CURRENCIES:
        raise ValueError("is not an ISO 4217 currency code like GBP or EUR")
    get_currency_name(code)  # the code is known to CLDR, so money can be formatted in it
    return code


def timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not an IANA time zone like Europe/London") from None
    return value


def language(value: str) -> str:
    """A BCP 47 tag (`en`, `en-GB`, `pt-BR`) whose language CLDR knows."""
    try:
        Locale.parse(value.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError("is not a BCP 47 language tag like en or en-GB") from None
    return value


def wa_id(value: str) -> str:
    """A WhatsApp id: the phone number's digits with the country code, no + or spaces."""
    digits = value.strip()
    if not _WA_ID.fullmatch(digits):
        raise ValueError("is not a WhatsApp number's digits with country code, like 447700900101")
    return digits


def key(value: str, *, max_len: int = 64) -> str:
    """An identifier (sku, order id, service id): not blank, no surrounding spaces."""
    if not value.strip():
        raise ValueError("is blank")
    if value != value.strip():
        raise ValueError("has spaces around it")
    return text(value, max_len=max_len)
