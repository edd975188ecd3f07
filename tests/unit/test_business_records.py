"""The business data's value rules (domain/business_records.py), which the API's bodies follow: amounts
to the cent from text or a JSON number, ratings, whole numbers, working hours, dates as text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from frontdesk.domain.business_records import Amount, Day, Hours, Quantity, Rating


class Row(BaseModel):
    amount: Amount = Decimal(0)
    rating: Rating | None = None
    qty: Quantity = 1
    hours: Hours = {}
    day: Day | None = None


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("14.99", "14.99"),
        (14.99, "14.99"),
        (0.07, "0.07"),
        (615230923.82, "615230923.82"),  # a float this large is ~1e-5 of a cent off (schemathesis found it)
        (9999999999.99, "9999999999.99"),
        (3, "3"),
        (3.0, "3"),
        ("0", "0"),
        (Decimal("2.5"), "2.5"),
    ],
)
def test_amounts_are_read_to_the_cent(given: Any, read: str) -> None:
    assert Row(amount=given).amount == Decimal(read)


@pytest.mark.parametrize(
    "given",
    ["abc", "1,50", "1e5", "-1", -0.01, 1.234, "1.234", float("nan"), float("inf"), True, None, "", 1e10],
)
def test_bad_amounts_are_refused(given: Any) -> None:
    with pytest.raises(ValidationError, match="must be an amount"):
        Row(amount=given)


def test_amounts_are_answered_as_text_with_two_decimals() -> None:
    assert Row(amount=3).model_dump(mode="json")["amount"] == "3.00"
    assert Row(amount="1.5", rating=4).model_dump(mode="json")["rating"] == "4.0"


@pytest.mark.parametrize("given", [5.5, "5.1", "9", 4.55, -1])
def test_ratings_are_zero_to_five_with_one_decimal(given: Any) -> None:
    with pytest.raises(ValidationError, match="rating"):
        Row(rating=given)


@pytest.mark.parametrize(
    ("given", "ok"), [(2, True), (2.0, True), ("2", False), (True, False), (2.5, False), (0, False)]
)
def test_quantities_are_whole_numbers(given: Any, ok: bool) -> None:
    if ok:
        assert Row(qty=given).qty == 2
    else:
        with pytest.raises(ValidationError):
            Row(qty=given)


def test_hours_and_days() -> None:
    assert Row(hours={"mon": ["08:00", "17:00"]}).hours == {"mon": ["08:00", "17:00"]}
    for bad in (
        {"monday": ["08:00", "17:00"]},
        {"mon": ["17:00", "08:00"]},
        {"mon": ["8:00", "17:00"]},
        {"mon": ["08:00"]},
    ):
        with pytest.raises(ValidationError):
            Row(hours=bad)
    assert Row(day="2026-12-09").day == date(2026, 12, 9)
    for bad_day in (0, "09/12/2026", "2026-02-30"):
        with pytest.raises(ValidationError):
            Row(day=bad_day)
