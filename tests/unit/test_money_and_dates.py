"""Prices in the business's currency and locale (Babel), and days read and written in its time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from frontdesk.adapters.db.business_rows import rules
from frontdesk.domain.business import BusinessRules
from frontdesk.services.agents.nlu.dates import parse_date
from frontdesk.services.agents.tool_helpers.formatting import Prices, hours_text, money, when, without_brand
from frontdesk.services.agents.tool_helpers.product_search import price_cap

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("14.99", "GBP", "en-GB", "£14.99"),
        ("14.99", "EUR", "de-DE", "14,99\xa0€"),
        ("14.99", "EUR", "fr-FR", "14,99\xa0€"),
        ("58.00", "EUR", "en-DE", "58,00\xa0€"),
        ("14.99", "EUR", "en-IE", "€14.99"),
        ("14.99", "USD", "en-US", "$14.99"),
        ("14.99", "CHF", "de-CH", "CHF\xa014.99"),
        ("1234.5", "GBP", "en", "£1,234.50"),
        ("1234.5", "EUR", "de", "1.234,50\xa0€"),
        ("0", "EUR", "en", "€0.00"),
        ("14.99", "jpy", "ja-JP", "￥15"),  # no minor unit; a lower-case code is read as upper case
    ],
)
def test_money_is_written_as_the_locale_writes_the_currency(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert money(Decimal(amount), currency, locale) == expected


def test_an_unknown_or_malformed_locale_falls_back_to_english() -> None:
    assert money(Decimal("14.99"), "GBP", "xx-YY") == "£14.99"
    assert money(Decimal("14.99"), "GBP", "not a locale") == "£14.99"


def test_prices_follow_the_business_rules() -> None:
    prices = Prices.of(BusinessRules(currency="EUR", locale="de-DE"))
    assert prices(Decimal("19.90")) == "19,90\xa0€"
    assert Prices.of(BusinessRules())(Decimal("19.90")) == "£19.90"


@pytest.mark.parametrize(
    ("profile", "locale"),
    [
        ({"locale": "de-DE", "languages": ["en"]}, "de-DE"),
        ({"languages": ["fr", "en"]}, "fr"),
        ({}, "en"),
        (None, "en"),
    ],
)
def test_a_tenants_locale_is_its_profiles_else_its_first_language_else_english(
    profile: dict[str, object] | None, locale: str
) -> None:
    row = SimpleNamespace(currency="EUR", profile=profile)
    assert rules(row).locale == locale


def test_times_are_written_in_the_business_time_zone() -> None:
    at = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert when(at, BERLIN) == "Tue 24 Nov, 14:00"
    assert when(at, LONDON) == "Tue 24 Nov, 13:00"


def test_relative_days_are_resolved_in_the_business_time_zone() -> None:
    # Saturday 23:30 in London is already Sunday 00:30 in Berlin.
    now = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert parse_date("today", now=now, tz=LONDON) == date(2026, 11, 21)
    assert parse_date("today", now=now, tz=BERLIN) == date(2026, 11, 22)
    assert parse_date("tomorrow", now=now, tz=LONDON) == date(2026, 11, 22)
    assert parse_date("tomorrow", now=now, tz=BERLIN) == date(2026, 11, 23)
    assert parse_date("next tuesday", now=now, tz=BERLIN) == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "cap", "rest"),
    [
        ("styling products under 16 euros", "16", "styling products"),
        ("under €30 please", "30", "please"),
        ("max 14,50 €", "14.50", ""),
        ("below £50", "50", ""),
        ("gift under 20 quid", "20", "gift"),
        ("speakers up to $100", "100", "speakers"),
        ("shampoo under 250 ml", None, "shampoo under 250 ml"),
    ],
)
def test_a_price_cap_in_any_currency(text: str, cap: str | None, rest: str) -> None:
    assert price_cap(text) == ((Decimal(cap) if cap else None), rest)


@pytest.mark.parametrize(
    ("name", "business", "shown"),
    [
        ("Lumen Smart Bulb E27", "Lumen Home", "Smart Bulb E27"),
        ("Repair Shampoo 250 ml", "Birke Hair Studio", "Repair Shampoo 250 ml"),
        ("Lumen", "Lumen Home", "Lumen"),
        ("Luminous Lamp", "Lumen Home", "Luminous Lamp"),
        ("Smart Bulb", "", "Smart Bulb"),
    ],
)
def test_a_list_row_leaves_out_the_business_own_brand(name: str, business: str, shown: str) -> None:
    assert without_brand(name, business) == shown


def test_opening_hours_are_written_with_days_of_the_same_hours_joined() -> None:
    week = {day: (time(9), time(19)) for day in ("tue", "wed", "thu", "fri")} | {"sat": (time(9), time(16))}
    assert hours_text(week) == "Tue–Fri 9:00–19:00, Sat 9:00–16:00"
    split = {"mon": (time(9), time(18)), "wed": (time(9), time(18)), "sun": (time(10, 30), time(14))}
    assert hours_text(split) == "Mon 9:00–18:00, Wed 9:00–18:00, Sun 10:30–14:00"
    assert hours_text({}) == ""
