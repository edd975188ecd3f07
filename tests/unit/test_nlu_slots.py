"""Slot extraction: references, e-mails, quantities, yes/no, and names from the demo catalog."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from frontdesk.domain.team import Slot, SlotType
from frontdesk.services.agents.nlu.dates import TimeWindow, When
from frontdesk.services.agents.nlu.names import Mention, Named, NameIndex, canonical
from frontdesk.services.agents.nlu.slots import (
    SlotReader,
    Vocabulary,
    appointment_refs,
    bare_yes,
    emails,
    order_refs,
    quantity,
    yes_no,
)
from frontdesk.services.agents.nlu.words import closest_word

DEMO = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen"
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=LONDON)


def _products() -> list[Named]:
    with (DEMO / "products.csv").open() as f:
        return [Named(row["sku"], row["name"]) for row in csv.DictReader(f)]


def _services_file() -> dict:
    return yaml.safe_load((DEMO / "services.yaml").read_text())


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    data = _services_file()
    services = [Named(s["id"], s["name"], extra=(s["description"],)) for s in data["services"]]
    with (DEMO / "customers.csv").open() as f:
        customer_cities = [row["city"] for row in csv.DictReader(f)]
    cities = [city for tech in data["technicians"] for city in tech["areas"]] + customer_cities
    return Vocabulary.build(products=_products(), services=services, cities=cities, business="Lumen Home")


def keys(mentions: list[Mention]) -> list[list[str]]:
    return [[match.key for match in mention.candidates] for mention in mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LH-100245", ["LH-100245"]),
        ("where's lh100245??", ["LH-100245"]),
        ("Lh 100245", ["LH-100245"]),
        ("LH#100245", ["LH-100245"]),
        ("LH-10O245", ["LH-100245"]),  # a letter O typed for a zero
        # Without its prefix an order number is its digits: the tools match an order by them.
        ("where is order 100245", ["100245"]),
        ("order no. 100245", ["100245"]),
        ("my order number is 100245", ["100245"]),
        ("order #100260 please", ["100260"]),
        ("LH-100245 and lh-100231", ["LH-100245", "LH-100231"]),
        ("LH-100245 ... LH-100245", ["LH-100245"]),
        ("LH-BULB-GU10", []),
        ("tracking 15501234567890", []),
        ("LH-100245512", []),  # 9 digits: no business's order number
        # Another business's format: a short prefix and 5 to 8 digits
        ("where is my order BH-20433?", ["BH-20433"]),
        ("bh 20433 please", ["BH-20433"]),
        ("SO#1234567", ["SO-1234567"]),
        ("BH-SHAM-REP x2", []),
        ("apt 50011", []),
        ("100245", []),
        ("call me on 07700 900101", []),
    ],
)
def test_order_refs(text: str, expected: list[str]) -> None:
    assert order_refs(text) == expected


def test_a_bare_number_is_an_order_ref_only_when_one_was_asked_for() -> None:
    assert order_refs("100245") == []
    assert order_refs("100245", bare=True) == ["100245"]
    assert order_refs("it's #100231", bare=True) == ["100231"]
    assert order_refs("20433", bare=True) == ["20433"]
    assert order_refs("£100245", bare=True) == []


@pytest.mark.parametrize(
    ("text", "bare", "expected"),
    [
        ("APT-5001", False, ["APT-5001"]),
        ("apt 5001", False, ["APT-5001"]),
        ("appointment 5003 please", False, ["APT-5003"]),
        ("booking ref 5002", False, ["APT-5002"]),
        ("5001", False, []),
        ("5001", True, ["APT-5001"]),
        ("my appointment is at 10", True, []),
    ],
)
def test_appointment_refs(text: str, bare: bool, expected: list[str]) -> None:
    assert appointment_refs(text, bare=bare) == expected


def test_emails() -> None:
    assert emails("change it to Sam.B@Example.net please, not sam@x") == ["sam.b@example.net"]
    assert emails("no address here") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two please", 2),
        ("x3", 3),
        ("3x GU10", 3),
        ("4 radiator valves", 4),
        ("3 bulbs", 3),
        ("6 GU10 spots", 6),
        ("a couple of plugs", 2),
        ("a pair", 2),
        ("a dozen bulbs", 12),
        ("qty: 5", 5),
        ("10 smart plugs for 3 rooms", 10),
        ("I want one", None),
        ("in 2 days", None),
        ("at 3", None),
        ("3pm", None),
        ("24/11", None),
        ("the 3rd", None),
        ("£100", None),
        ("under 50 quid", None),
        ("LH-100245", None),
        ("between 2 and 4", None),
        ("the bulb is 806 lumens", None),
    ],
)
def test_quantity(text: str, expected: int | None) -> None:
    assert quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yes please!", True),
        ("yep", True),
        ("yeah go ahead", True),
        ("sure", True),
        ("ok", True),
        ("👍", True),
        ("✅", True),
        ("please do", True),
        ("sounds good", True),
        ("yes, cancel it", True),
        ("no problem", True),
        ("why not", True),
        ("sure, no worries", True),
        ("no", False),
        ("nope", False),
        ("nah", False),
        ("don't", False),
        ("no, don't cancel it", False),
        ("not now", False),
        ("no thanks", False),
        ("absolutely not", False),
        ("of course not", False),
        ("👎", False),
        ("hold on", False),
        ("ok wait", None),
        ("not sure", None),
        ("maybe", None),
        ("I don't know", None),
        ("hmm", None),
        ("what time is it?", None),
    ],
)
def test_yes_no(text: str, expected: bool | None) -> None:
    assert yes_no(text) is expected


# -- names: products, services, cities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is the GU10 in stock", [["LH-BULB-GU10"]]),
        ("lh-bulb-gu10", [["LH-BULB-GU10"]]),
        ("GU10 spots", [["LH-BULB-GU10"]]),
        ("the smart spot", [["LH-BULB-GU10"]]),
        ("the E27", [["LH-BULB-E27"]]),
        ("filament bulbs", [["LH-BULB-FIL"]]),
        ("the speaker one", [["LH-SPK-ONE"]]),
        ("speker one", [["LH-SPK-ONE"]]),  # a typo
        ("thermostst", [["LH-THERMO"]]),
        ("the sound bar", [["LH-SPK-BAR"]]),  # two words for one
        ("subwoofer", [["LH-SUB"]]),  # a synonym
        ("ear buds", [["LH-BUDS"]]),
        ("the light strip", [["LH-STRIP-2M"]]),
        ("light strip extension", [["LH-STRIP-EXT"]]),
        ("radiator valves", [["LH-TRV"]]),
        ("a TRV", [["LH-TRV"]]),
        ("the starter kit", [["LH-BUNDLE-START"]]),
        ("door sensor", [["LH-DOOR"]]),
        ("the speaker", [["LH-SPK-MINI", "LH-SPK-ONE"]]),  # ambiguous
        ("the lamp", [["LH-LAMP-DESK", "LH-LAMP-FLOOR"]]),
        ("compare the speaker one and the speaker mini", [["LH-SPK-ONE"], ["LH-SPK-MINI"]]),
        ("speaker mini vs speaker one", [["LH-SPK-MINI"], ["LH-SPK-ONE"]]),
        ("the floor lamp vs the desk lamp", [["LH-LAMP-FLOOR"], ["LH-LAMP-DESK"]]),
        ("compare the E27, the GU10 and the filament", [["LH-BULB-E27"], ["LH-BULB-GU10"], ["LH-BULB-FIL"]]),
        ("Soundbar 300 and sub 8", [["LH-SPK-BAR"], ["LH-SUB"]]),
        # words on either side of "and" / "vs" belong to different names
        ("the normal E27 bulb and the filament one", [["LH-BULB-E27"], ["LH-BULB-FIL"]]),
        ("and the mini?", [["LH-SPK-MINI"]]),  # "mini" alone names the speaker
        ("which one is cheaper", []),
        ("it was delivered to my door", []),
        ("my lights flicker", []),
        ("I want 8", []),
    ],
)
def test_products(vocabulary: Vocabulary, text: str, expected: list[list[str]]) -> None:
    assert keys(vocabulary.products.find(text)) == expected


def test_mentions_know_where_they_are(vocabulary: Vocabulary) -> None:
    text = "Is the Speaker One waterproof?"
    (mention,) = vocabulary.products.find(text)
    assert text.lower()[mention.start : mention.end] == "speaker one"
    assert vocabulary.products.mask(text, "product") == "is the product waterproof?"
    masked = vocabulary.products.mask("do you sell cameras? is the hub 1080p", "product", plural="products")
    assert masked == "do you sell products? is the product 1080p"
    assert not mention.ambiguous and mention.best.name == "Lumen Speaker One"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can someone fit my thermostat", [["install-thermostat"]]),
        ("thermostat installation", [["install-thermostat"]]),
        ("set up my smart lights", [["install-lighting"]]),
        ("install my soundbar", [["install-audio"]]),
        ("home cinema", [["install-audio"]]),
        ("my speaker is broken, can someone fix it", [["repair-visit"]]),
        ("a video call with an expert", [["video-consult"]]),
        ("a consultation", [["video-consult"]]),
        ("an installation", [["install-thermostat", "install-lighting", "install-audio"]]),
        ("what's the weather", []),
    ],
)
def test_services(vocabulary: Vocabulary, text: str, expected: list[list[str]]) -> None:
    assert keys(vocabulary.services.find(text, limit=1)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live in Manchester", "Manchester"),
        ("manchster", "Manchester"),
        ("LONDON please", "London"),
        ("in leeds", "Leeds"),
        ("Belfast", "Belfast"),
        ("whatever he needs", None),
        ("Paris", None),
    ],
)
def test_cities(vocabulary: Vocabulary, text: str, expected: str | None) -> None:
    mention = vocabulary.cities.best(text)
    assert (mention.best.key if mention else None) == expected


def test_a_name_index_without_items_finds_nothing() -> None:
    assert NameIndex([]).find("anything at all") == []


def test_canonical_words() -> None:
    assert canonical("earbuds") == "bud"
    assert canonical("fitting") == "install"
    assert canonical("lights") == "light"


def test_closest_word() -> None:
    vocabulary = ("cancel", "order", "thermostat")
    assert closest_word("cancle", vocabulary) == "cancel"  # two letters swapped
    assert closest_word("thermostst", vocabulary) == "thermostat"
    assert closest_word("ordr", vocabulary) == "order"
    assert closest_word("xorder", vocabulary) is None  # the first letter must agree
    assert closest_word("ord", vocabulary) is None  # too short to guess


# -- the reader, by slot type


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("order_ref", "where's LH-100245", "LH-100245"),
        ("appointment_ref", "move APT-5001", "APT-5001"),
        ("email", "it's jo@example.org", "jo@example.org"),
        ("quantity", "three of them", 3),
        ("yes_no", "go ahead", True),
        ("text", "  anything at all ", "anything at all"),
        ("date", "next Tuesday", date(2026, 11, 24)),
        ("time", "afternoon", TimeWindow(time(12), time(17))),
        ("datetime", "friday at 3", When(date(2026, 11, 27), TimeWindow(time(15), time(15)))),
    ],
)
def test_slot_reader_scalars(vocabulary: Vocabulary, kind: SlotType, text: str, expected: object) -> None:
    reader = SlotReader(vocabulary, timezone=LONDON)
    assert reader.read(Slot(name="x", type=kind), text, now=NOW) == expected


def test_slot_reader_names(vocabulary: Vocabulary) -> None:
    reader = SlotReader(vocabulary, timezone=LONDON)
    product = reader.read(Slot(name="product", type="product"), "is the GU10 in stock", now=NOW)
    assert isinstance(product, Mention) and product.best.key == "LH-BULB-GU10"
    many = reader.read(Slot(name="p", type="product", many=True), "the E27 or the GU10", now=NOW)
    assert [m.best.key for m in many] == ["LH-BULB-E27", "LH-BULB-GU10"]
    service = reader.read(Slot(name="s", type="service"), "fit my thermostat", now=NOW)
    assert service.best.key == "install-thermostat"
    city = reader.read(Slot(name="c", type="city"), "I'm in Leicester", now=NOW)
    assert city.best.key == "Leicester"
    assert reader.read(Slot(name="c", type="city"), "nowhere known", now=NOW) is None


def test_a_bare_reference_counts_when_expected(vocabulary: Vocabulary) -> None:
    reader = SlotReader(vocabulary, timezone=LONDON)
    slot = Slot(name="order_ref", type="order_ref")
    assert reader.read(slot, "100231", now=NOW) is None
    assert reader.read(slot, "100231", now=NOW, expecting=True) == "100231"


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("yes", True),
        ("Yes please!", True),
        ("👍", True),
        ("yes send me offers", False),
        ("perfect thanks", False),
    ],
)
def test_a_bare_yes(text: str, bare: bool) -> None:
    assert bare_yes(text) is bare
