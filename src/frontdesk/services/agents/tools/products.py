"""Product tools: search, details, compare, recommend, stock (with when it is back, from the data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from frontdesk.domain.business import Product
from frontdesk.services.agents.tool_helpers.formatting import (
    Prices,
    clip,
    join,
    row,
    short_day,
    without_brand,
)
from frontdesk.services.agents.tool_helpers.product_search import (
    Resolved,
    match_category,
    price_cap,
    rank,
    recommend,
    resolve,
)
from frontdesk.services.agents.tools.base import (
    Text,
    Tool,
    ToolArgs,
    ToolContext,
    ToolError,
    ToolResult,
    done,
    failed,
)

Price = Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=2)]


def product_facts(p: Product, prices: Prices) -> dict[str, Any]:
    return {
        "sku": p.sku,
        "name": p.name,
        "category": p.category,
        "price": prices(p.price),
        "in_stock": p.in_stock,
        "stock": p.stock,
        "rating": str(p.rating) if p.rating is not None else None,
        "tags": list(p.tags),
        "description": p.description,
    }


def product_row(p: Product, prices: Prices, business: str) -> Any:
    """A list row: the name without the business's own brand (a row's title holds 24 characters)."""
    stock = "in stock" if p.in_stock else "out of stock"
    return row(f"product:{p.sku}", without_brand(p.name, business), f"{prices(p.price)} · {stock}")


def line(p: Product, prices: Prices) -> str:
    stock = "" if p.in_stock else " (out of stock)"
    rating = f", ★ {p.rating}" if p.rating is not None else ""
    return f"• *{p.name}* ({p.sku}) — {prices(p.price)}{rating}{stock}"


async def _resolve(ctx: ToolContext, text: str) -> tuple[Resolved, list[Product], Prices]:
    products = await ctx.data.search_products(ctx.tenant.id)
    rules = await ctx.data.rules(ctx.tenant.id)
    return resolve(products, text), products, Prices.of(rules)


def _unresolved(text: str, found: Resolved, prices: Prices, business: str) -> ToolResult:
    if found.candidates:
        names = join((p.name for p in found.candidates), last="or")
        return failed(
            ToolError.MISSING_INFO,
            f"Which one do you mean: {names}?",
            choices=tuple(product_row(p, prices, business) for p in found.candidates),
            missing="product",
            candidates=[p.sku for p in found.candidates],
        )
    return failed(ToolError.NOT_FOUND, f"No product matches “{clip(text, 60)}”.", query=text)


# -- search_products


class SearchProductsArgs(ToolArgs):
    query: Text | None = Field(None, description="What the customer needs, in their words.")
    category: Text | None = Field(
        None, description="lighting, audio, climate, security, accessories, bundles…"
    )
    max_price: Price | None = None
    in_stock_only: bool = False
    limit: Annotated[int, Field(ge=1, le=10)] = 5


async def search_products(ctx: ToolContext, args: SearchProductsArgs) -> ToolResult:
    if not (args.query or args.category or args.max_price):
        return failed(ToolError.MISSING_INFO, "What are you looking for?", missing="query")
    query, max_price = args.query, args.max_price
    if query and max_price is None:  # "lights under 20 quid": the cap, and the words left to match
        max_price, query = price_cap(query)
    rules = await ctx.data.rules(ctx.tenant.id)
    products = await ctx.data.search_products(
        ctx.tenant.id, max_price=max_price, in_stock_only=args.in_stock_only
    )
    if args.category:
        category = match_category((p.category for p in products), args.category)
        products = [p for p in products if p.category == category]
    found = [p for p, _ in rank(products, query)] if query else sorted(products, key=_best)
    found = found[: args.limit]
    if not found:
        return done("No products match that.", products=[])
    return done(
        "\n".join(line(p, Prices.of(rules)) for p in found),
        choices=tuple(product_row(p, Prices.of(rules), ctx.tenant.name) for p in found),
        products=[product_facts(p, Prices.of(rules)) for p in found],
    )


def _best(p: Product) -> tuple[float, str]:
    return (-float(p.rating or 0), p.name)


# -- product_details


class ProductArgs(ToolArgs):
    product: Text = Field(description="A SKU (e.g. LH-BULB-E27) or the product's name.")


async def product_details(ctx: ToolContext, args: ProductArgs) -> ToolResult:
    found, _, prices = await _resolve(ctx, args.product)
    if found.product is None:
        return _unresolved(args.product, found, prices, ctx.tenant.name)
    p = found.product
    stock = f"{p.stock} in stock" if p.in_stock else "out of stock"
    return done(f"{line(p, prices)}\n{p.description} ({stock}).", product=product_facts(p, prices))


# -- compare_products


class CompareArgs(ToolArgs):
    products: list[Text] = Field(min_length=2, max_length=3, description="2 or 3 SKUs or product names.")


async def compare_products(ctx: ToolContext, args: CompareArgs) -> ToolResult:
    catalog = await ctx.data.search_products(ctx.tenant.id)
    rules = await ctx.data.rules(ctx.tenant.id)
    chosen: list[Product] = []
    for text in args.products:
        found = resolve(catalog, text)
        if found.product is None:
            return _unresolved(text, found, Prices.of(rules), ctx.tenant.name)
        if found.product not in chosen:
            chosen.append(found.product)
    if len(chosen) < 2:
        return failed(ToolError.INVALID_ARGUMENTS, "Name two or three different products to compare.")
    blocks = [f"{line(p, Prices.of(rules))}\n  {p.description}" for p in chosen]
    return done(
        "\n".join(blocks) + "\n" + _verdict(chosen, Prices.of(rules)),
        products=[product_facts(p, Prices.of(rules)) for p in chosen],
        cheapest=min(chosen, key=lambda p: p.price).sku,
        best_rated=max(chosen, key=lambda p: p.rating or 0).sku,
    )


def _verdict(chosen: list[Product], prices: Prices) -> str:
    cheap = min(chosen, key=lambda p: p.price)
    rated = max(chosen, key=lambda p: p.rating or 0)
    text = f"Cheapest: {cheap.name} ({prices(cheap.price)}). Best rated: {rated.name}."
    missing = [p.name for p in chosen if not p.in_stock]
    return text + (f" Out of stock: {join(missing)}." if missing else "")


# -- recommend_products


class RecommendArgs(ToolArgs):
    need: Text | None = Field(None, description="What it is for, if the customer said.")
    max_price: Price | None = None
    limit: Annotated[int, Field(ge=1, le=5)] = 3


async def recommend_products(ctx: ToolContext, args: RecommendArgs) -> ToolResult:
    rules = await ctx.data.rules(ctx.tenant.id)
    products = await ctx.data.search_products(ctx.tenant.id)
    profile = await ctx.data.profile(ctx.tenant.id, ctx.contact.id)
    orders = await ctx.data.orders_of(ctx.tenant.id, ctx.contact.id, limit=50)
    picks = recommend(products, profile, orders, need=args.need, max_price=args.max_price)[: args.limit]
    if not picks:
        return done("Nothing to recommend for that right now.", products=[])
    prices = Prices.of(rules)
    lines = [line(k.product, prices) + (f" — {join(k.reasons)}" if k.reasons else "") for k in picks]
    return done(
        "\n".join(lines),
        choices=tuple(product_row(k.product, Prices.of(rules), ctx.tenant.name) for k in picks),
        products=[{**product_facts(k.product, Prices.of(rules)), "reasons": list(k.reasons)} for k in picks],
    )


# -- check_stock


async def check_stock(ctx: ToolContext, args: ProductArgs) -> ToolResult:
    found, catalog, prices = await _resolve(ctx, args.product)
    if found.product is None:
        return _unresolved(args.product, found, prices, ctx.tenant.name)
    p = found.product
    if p.in_stock:
        return done(f"{p.name} is in stock ({p.stock} available).", sku=p.sku, in_stock=True, stock=p.stock)
    eta = p.restock_eta or await ctx.data.backorder_eta(ctx.tenant.id, p.sku)
    eta = eta if eta and eta >= ctx.today() else None
    back = (
        f" It should be back in stock around {short_day(eta)}." if eta else " There is no restock date yet."
    )
    others = sorted((o for o in catalog if o.category == p.category and o.in_stock), key=_best)[:2]
    also = f" In stock instead: {join(o.name for o in others)}." if others else ""
    return done(
        f"{p.name} is out of stock.{back}{also}",
        choices=tuple(product_row(o, prices, ctx.tenant.name) for o in others),
        sku=p.sku,
        in_stock=False,
        stock=0,
        restock_eta=eta.isoformat() if eta else None,
        alternatives=[o.sku for o in others],
    )


TOOLS: tuple[Tool[Any], ...] = (
    Tool(
        "search_products",
        "Search the catalog by need or words, category, maximum price, and stock.",
        SearchProductsArgs,
        search_products,
    ),
    Tool("product_details", "Full details of one product (by SKU or name).", ProductArgs, product_details),
    Tool("compare_products", "Compare two or three products side by side.", CompareArgs, compare_products),
    Tool(
        "recommend_products",
        "Recommend products for this customer from their preferences and past orders.",
        RecommendArgs,
        recommend_products,
    ),
    Tool(
        "check_stock",
        "Whether a product is in stock, and if not when it is expected back and what is in stock instead.",
        ProductArgs,
        check_stock,
    ),
)
