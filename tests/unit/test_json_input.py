"""The small readers the channels' webhook parsers share for JSON from outside."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.domain.json_input import json_text, json_type


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "abc"),
        ("", ""),
        (15550001111, "15550001111"),
        (True, None),
        (1.5, None),
        (None, None),
        ({}, None),
    ],
)
def test_json_text_reads_strings_and_integers_only(value: Any, text: str | None) -> None:
    assert json_text(value) == text


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ({"secret": "x"}, "an object"),
        ([1], "a list"),
        ("private", "a string"),
        (False, "a boolean"),
        (None, "null"),
        (3, "a number"),
        (2.5, "a number"),
    ],
)
def test_json_type_names_the_type_never_the_value(value: Any, name: str) -> None:
    assert json_type(value) == name
