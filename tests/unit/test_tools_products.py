"""Product tools over the demo catalog: search, details, compare, recommend, stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import update

from frontdesk.adapters.db.tables import products
from frontdesk.domain.business import ContactProfile, Product
from frontdesk.services.agents.tool_helpers.product_search import (
    budget_cap,
    match_category,
    price_cap,
    rank,
    resolve,
    words,
)
from frontdesk.services.agents.tools import ToolError
from tests.support.agents import AMELIA, JACK, LUCAS, OLIVER, PRIYA, Agents

pytest_plugins = ["tests.unit.agents_fixtures"]


def _skus(result: object) -> list[str]:
    return [p["sku"] for p in result.facts["products"]]  # type: ignore[attr-defined]


# -- search_products


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("spotlight for my kitchen", "LH-BULB-GU10"),
        ("vintage filament bulb", "LH-BULB-FIL"),
        ("waterproof speaker", "LH-SPK-MINI"),
        ("thermostst", "LH-THERMO"),  # a typo
        ("noise cancelling earbuds", "LH-BUDS"),
        ("radiator valves", "LH-TRV"),
    ],
)
async def test_search_by_need(agents: Agents, query: str, first: str) -> None:
    result = await agents.run(AMELIA, "search_products", {"query": query})
    assert result.ok and _skus(result)[0] == first
    assert result.choices[0].id == f"product:{first}"


async def test_search_by_category_price_and_stock(agents: Agents) -> None:
    lighting = await agents.run(AMELIA, "search_products", {"category": "lights", "max_price": "20"})
    assert set(_skus(lighting)) == {"LH-BULB-E27", "LH-BULB-GU10", "LH-BULB-FIL", "LH-STRIP-EXT"}
    assert all(Decimal(p["price"].lstrip("£")) <= 20 for p in lighting.facts["products"])
    audio = await agents.run(
        AMELIA, "search_products", {"category": "audio", "in_stock_only": True, "limit": 10}
    )
    assert "LH-SUB" not in _skus(audio) and "LH-SPK-BAR" in _skus(audio)
    everything = await agents.run(AMELIA, "search_products", {"category": "audio", "limit": 10})
    assert "LH-SUB" in _skus(everything)


async def test_search_reads_a_price_cap_from_the_query(agents: Agents) -> None:
    result = await agents.run(AMELIA, "search_products", {"query": "any lights under 20 quid?"})
    assert result.ok and _skus(result)
    assert all(Decimal(p["price"].lstrip("£")) <= 20 for p in result.facts["products"])
    assert "LH-BULB-E27" in _skus(result) and "LH-LAMP-DESK" not in _skus(result)
    stated = await agents.run(AMELIA, "search_products", {"query": "speakers under £20", "max_price": "100"})
    assert "LH-SPK-MINI" in _skus(stated)  # an explicit max_price wins over the words


@pytest.mark.parametrize(
    ("text", "cap", "rest"),
    [
        ("any lights under 20 quid?", Decimal("20"), "any lights ?"),
        ("speakers under £100", Decimal("100"), "speakers"),
        ("a gift below 49.99 pounds", Decimal("49.99"), "a gift"),
        ("less than £30 please", Decimal("30"), "please"),
        ("under 5m of strip", None, "under 5m of strip"),
        ("up to 30 minutes", None, "up to 30 minutes"),
        ("less than 100 lumens", None, "less than 100 lumens"),
        ("cheap bulbs", None, "cheap bulbs"),
    ],
)
def test_price_cap(text: str, cap: Decimal | None, rest: str) -> None:
    assert price_cap(text) == (cap, rest)


async def test_search_with_nothing_to_go_on_asks(agents: Agents) -> None:
    result = await agents.run(AMELIA, "search_products", {})
    assert result.error is ToolError.MISSING_INFO


async def test_search_that_matches_nothing(agents: Agents) -> None:
    result = await agents.run(AMELIA, "search_products", {"query": "lawn mower"})
    assert result.ok and result.facts["products"] == [] and result.choices == ()
    cheap = await agents.run(AMELIA, "search_products", {"query": "soundbar", "max_price": "10"})
    assert cheap.facts["products"] == []


async def test_search_rejects_a_negative_price(agents: Agents) -> None:
    result = await agents.run(AMELIA, "search_products", {"query": "bulb", "max_price": -5})
    assert result.error is ToolError.INVALID_ARGUMENTS


# -- product_details


@pytest.mark.parametrize("named", ["LH-SPK-BAR", "lh-spk-bar", "Lumen Soundbar 300", "soundbar", "SPK-BAR"])
async def test_details_by_sku_or_name(agents: Agents, named: str) -> None:
    result = await agents.run(AMELIA, "product_details", {"product": named})
    assert result.ok and result.facts["product"]["sku"] == "LH-SPK-BAR"
    assert "Dolby Atmos" in result.summary and "8 in stock" in result.summary


async def test_details_of_an_ambiguous_name_offers_the_candidates(agents: Agents) -> None:
    result = await agents.run(AMELIA, "product_details", {"product": "speaker"})
    assert result.error is ToolError.MISSING_INFO
    assert {"LH-SPK-MINI", "LH-SPK-ONE"} <= set(result.facts["candidates"])
    assert all(r.id.startswith("product:") for r in result.choices)


async def test_details_of_an_unknown_product(agents: Agents) -> None:
    result = await agents.run(AMELIA, "product_details", {"product": "toaster"})
    assert result.error is ToolError.NOT_FOUND


# -- compare_products


async def test_compare_two_or_three(agents: Agents) -> None:
    result = await agents.run(
        AMELIA, "compare_products", {"products": ["LH-BULB-E27", "filament bulb", "GU10"]}
    )
    assert result.ok and _skus(result) == ["LH-BULB-E27", "LH-BULB-FIL", "LH-BULB-GU10"]
    assert result.facts["cheapest"] == "LH-BULB-GU10" and result.facts["best_rated"] == "LH-BULB-FIL"
    assert "|" not in result.summary  # no Markdown tables on WhatsApp


async def test_compare_mentions_what_is_out_of_stock(agents: Agents) -> None:
    result = await agents.run(AMELIA, "compare_products", {"products": ["soundbar 300", "sub 8"]})
    assert "Out of stock: Lumen Sub 8" in result.summary


async def test_compare_needs_two_different_known_products(agents: Agents) -> None:
    same = await agents.run(AMELIA, "compare_products", {"products": ["LH-HUB", "lumen hub"]})
    assert same.error is ToolError.INVALID_ARGUMENTS
    unknown = await agents.run(AMELIA, "compare_products", {"products": ["LH-HUB", "toaster"]})
    assert unknown.error is ToolError.NOT_FOUND
    one = await agents.run(AMELIA, "compare_products", {"products": ["LH-HUB"]})
    assert one.error is ToolError.INVALID_ARGUMENTS


# -- recommend_products


async def test_recommend_from_likes_and_budget(agents: Agents) -> None:
    result = await agents.run(AMELIA, "recommend_products")
    picks = result.facts["products"]
    assert all(p["category"] == "lighting" for p in picks)
    assert "LH-BULB-E27" not in _skus(result) and "LH-SWITCH" not in _skus(result)  # she bought those
    assert all(p["in_stock"] for p in picks)
    assert "you like lighting" in picks[0]["reasons"]


async def test_recommend_what_works_with_what_they_own(agents: Agents) -> None:
    await agents.run(LUCAS, "update_preferences", {"preferences": {"owns": "LH-STRIP-2M"}})
    lucas = await agents.run(LUCAS, "recommend_products", {"limit": 5})
    first = lucas.facts["products"][0]
    assert first["sku"] == "LH-STRIP-EXT" and "works with your Lumen Light Strip 2m" in first["reasons"]
    assert "LH-STRIP-2M" not in _skus(lucas)
    jack = await agents.run(JACK, "recommend_products", {"limit": 5})
    assert not {"LH-STRIP-2M", "LH-STRIP-EXT", "LH-BUDS"} & set(_skus(jack))  # bought, or returned (buds)


async def test_recommend_for_a_need_and_a_price(agents: Agents) -> None:
    result = await agents.run(PRIYA, "recommend_products", {"need": "sensor", "max_price": 60})
    assert _skus(result) == ["LH-SENSOR-T"]  # the door sensor is out of stock; her sensor order was cancelled
    heating = await agents.run(PRIYA, "recommend_products", {"need": "heating"})
    assert not {"LH-THERMO", "LH-TRV"} & set(_skus(heating))  # she owns a thermostat, valves are on order
    assert all(Decimal(p["price"].lstrip("£")) <= 60 for p in result.facts["products"])


async def test_recommend_for_someone_without_preferences(agents: Agents) -> None:
    result = await agents.run(LUCAS, "recommend_products")
    assert result.ok and len(result.facts["products"]) == 3


async def test_recommend_nothing_when_nothing_fits(agents: Agents) -> None:
    result = await agents.run(OLIVER, "recommend_products", {"need": "lawn mower"})
    assert result.ok and result.facts["products"] == []


# -- check_stock


async def test_in_stock(agents: Agents) -> None:
    result = await agents.run(AMELIA, "check_stock", {"product": "GU10"})
    assert result.facts == {"sku": "LH-BULB-GU10", "in_stock": True, "stock": 180}


async def test_back_in_stock_from_a_backorder(agents: Agents) -> None:
    result = await agents.run(OLIVER, "check_stock", {"product": "Sub 8"})
    assert not result.facts["in_stock"]
    assert result.facts["restock_eta"] == "2026-12-02" and "Wed 2 Dec" in result.summary
    assert result.facts["alternatives"] and "LH-SUB" not in result.facts["alternatives"]


async def test_back_in_stock_from_the_catalog_and_no_date(agents: Agents) -> None:
    lamp = await agents.run(AMELIA, "check_stock", {"product": "desk lamp"})
    assert lamp.facts["restock_eta"] is None and "no restock date" in lamp.summary
    async with agents.store.begin() as conn:
        await conn.execute(
            update(products).where(products.c.sku == "LH-LAMP-DESK").values(restock_eta="2026-12-10")
        )
    again = await agents.run(AMELIA, "check_stock", {"product": "desk lamp"})
    assert again.facts["restock_eta"] == "2026-12-10"


async def test_a_restock_date_in_the_past_is_not_promised(agents: Agents) -> None:
    agents.clock.advance(days=30)
    result = await agents.run(OLIVER, "check_stock", {"product": "LH-SUB"})
    assert result.facts["restock_eta"] is None


# -- the catalog helpers, pure


def _p(sku: str, name: str, price: str = "10", **kw: object) -> Product:
    return Product(
        sku=sku, name=name, category=str(kw.pop("category", "x")), price=Decimal(price), stock=1, **kw
    )  # type: ignore[arg-type]


def test_words_fold_plurals_and_drop_filler() -> None:
    assert words("I need some Bulbs and batteries for my lamps") == ["bulb", "battery", "lamp"]


def test_rank_prefers_names_then_rating() -> None:
    a = _p("A", "Desk lamp", rating=Decimal("4.0"))
    b = _p("B", "Bulb", description="fits any lamp", rating=Decimal("4.9"))
    assert [p.sku for p, _ in rank([b, a], "lamp")] == ["A", "B"]


def test_resolve_exact_clear_and_ambiguous() -> None:
    catalog = [_p("LH-A", "Lumen Alpha Speaker"), _p("LH-B", "Lumen Beta Speaker")]
    assert resolve(catalog, "lh-a").product == catalog[0]
    assert resolve(catalog, "alpha").product == catalog[0]
    ambiguous = resolve(catalog, "speaker")
    assert ambiguous.product is None and len(ambiguous.candidates) == 2
    assert resolve(catalog, "zzz") == resolve([], "zzz")


def test_match_category() -> None:
    known = ["lighting", "audio", "climate", "accessories"]
    assert match_category(known, "lights") == "lighting"
    assert match_category(known, "Audio") == "audio"
    assert match_category(known, "acessories") == "accessories"
    assert match_category(known, "garden") is None


def test_budget_bands_follow_the_catalog() -> None:
    catalog = [_p(str(i), str(i), price=str(p)) for i, p in enumerate([10, 20, 30, 40, 50, 60, 70])]
    assert budget_cap(catalog, "low") == Decimal(30)
    assert budget_cap(catalog, "mid") == Decimal(50)
    assert budget_cap(catalog, "high") is None and budget_cap(catalog, None) is None
    assert ContactProfile(contact_id=1, wa_id="1").preferences == {}
