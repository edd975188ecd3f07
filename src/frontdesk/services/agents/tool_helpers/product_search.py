"""Finding products by what people write (pure): text ranking, resolving a product, recommending.

Ranking is lexical: each query word scores by where it appears in a product (name 3, tags and
category 2, description 1), stemmed and without stop words as the knowledge base's search has them
(`services.knowledge.ranking`), word prefixes ("light" in "lighting") at half weight, and a close
spelling (`nlu.words.closest_word`: "thermostst", 85% alike) standing in for a word the catalog does
not know.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from frontdesk.domain.business import ContactProfile, Order, OrderStatus, Product
from frontdesk.services.agents.nlu.words import closest_word
from frontdesk.services.knowledge.ranking import STOPWORDS, stem

_WORD = re.compile(r"[a-z0-9]+")
SHOPPING_WORDS = frozenset(
    {"best", "buy", "find", "good", "looking", "need", "show", "something", "want", "yours"}
)
"""Words of a shopping question that name no product ("I'm looking for something good")."""
_STOP = STOPWORDS | SHOPPING_WORDS
_WEIGHTS = (("name", 3.0), ("tags", 2.0), ("category", 2.0), ("description", 1.0))


def _said(text: str) -> dict[str, str]:
    """The words of `text` by their stem, as the customer wrote them (a reason quotes their words)."""
    return {stem(w): w for w in _WORD.findall(text.lower()) if w not in _STOP}


def words(text: str) -> list[str]:
    """Lower-case stemmed words (`bulbs` -> `bulb`), stop words dropped."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


def _fields(p: Product) -> dict[str, set[str]]:
    return {
        "name": set(words(p.name)) | set(words(p.sku.replace("-", " "))),
        "tags": {w for t in p.tags for w in words(t)},
        "category": set(words(p.category)),
        "description": set(words(p.description)),
    }


def _term_score(term: str, fields: Mapping[str, set[str]]) -> float:
    best = 0.0
    for name, weight in _WEIGHTS:
        if term in fields[name]:
            best = max(best, weight)
        elif len(term) >= 4 and any(w.startswith(term) for w in fields[name]):
            best = max(best, weight / 2)
    return best


def _correct(terms: list[str], vocabulary: set[str]) -> list[str]:
    """Replace words the catalog does not know with a close spelling it does, when there is one."""
    fixed = []
    for term in terms:
        if term in vocabulary or len(term) < 5 or term.isdigit():
            fixed.append(term)
            continue
        fixed.append(closest_word(term, tuple(sorted(vocabulary)), cutoff=0.85, min_length=5) or term)
    return fixed


def rank(products: Sequence[Product], query: str) -> list[tuple[Product, float]]:
    """Products matching `query`, best first (ties: better rated, then in stock)."""
    indexed = [(p, _fields(p)) for p in products]
    vocabulary = {w for _, f in indexed for ws in f.values() for w in ws}
    terms = _correct(list(dict.fromkeys(words(query))), vocabulary)
    scored = [(p, sum(_term_score(t, f) for t in terms)) for p, f in indexed]
    hits = [(p, s) for p, s in scored if s > 0]
    hits.sort(key=lambda ps: (-ps[1], -(ps[0].rating or 0), not ps[0].in_stock, ps[0].name))
    return hits


@dataclass(frozen=True)
class Resolved:
    """What a customer's words name: one product, or the candidates to choose from."""

    product: Product | None
    candidates: tuple[Product, ...] = ()


def resolve(products: Sequence[Product], text: str) -> Resolved:
    """The product `text` names: by SKU, by exact name, or the clear best match of a search."""
    wanted = text.strip().casefold()
    for p in products:
        if wanted in (p.sku.casefold(), p.name.casefold()) or p.sku.casefold().endswith("-" + wanted):
            return Resolved(p)
    ranked = rank(products, text)
    if not ranked:
        return Resolved(None)
    if len(ranked) == 1 or ranked[0][1] >= 1.5 * ranked[1][1]:
        return Resolved(ranked[0][0])
    top = ranked[0][1]
    return Resolved(None, tuple(p for p, s in ranked[:5] if s >= top * 0.6))


_CURRENCY_BEFORE = r"(?:[£€$]\s?|(?:gbp|eur|usd|chf)\s*)?"
_CURRENCY_AFTER = r"(?:\s?[£€$]|quid|pounds?|euros?|dollars?|bucks|francs?|gbp|eur|usd|chf)?"
_PRICE_CAP = re.compile(
    r"\b(?:under|below|less than|cheaper than|no more than|not more than|max(?:imum)?|up to|within)\s+"
    + _CURRENCY_BEFORE
    + r"(\d{1,6}(?:[.,]\d{1,2})?)(?![\d.,])\s*"
    + _CURRENCY_AFTER
    + r"(?!\s*(?:%|min|hour|day|week|month|year|m\b|cm|mm|ml|g\b|kg|metre|meter|lumen|w\b|watt|percent))",
    re.IGNORECASE,
)
"""A price cap in any currency: "under 20 quid", "below £50", "up to 16 euros", "max 14,50 €"."""


def price_cap(text: str) -> tuple[Decimal | None, str]:
    """A maximum price a query states ("under 20 quid", "below £50", "up to 16 euros", "max 14,50 €") and
    the query without it; (None, text) when it states none."""
    found = _PRICE_CAP.search(text)
    if found is None:
        return None, text
    rest = (text[: found.start()] + " " + text[found.end() :]).strip()
    return Decimal(found.group(1).replace(",", ".")), " ".join(rest.split())


def match_category(categories: Iterable[str], text: str) -> str | None:
    """The catalog category `text` means (`lights` -> `lighting`), or None."""
    known = sorted(set(categories))
    typed = text.strip().lower()
    wanted = stem(typed)
    for c in known:
        if wanted in (c, stem(c)) or (len(wanted) >= 4 and c.startswith(wanted[:5])):
            return c
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.75)
    return close[0] if close else None


# -- recommendations


@dataclass(frozen=True)
class Pick:
    product: Product
    score: float
    reasons: tuple[str, ...] = field(default=())


def owned_skus(profile: ContactProfile | None, orders: Sequence[Order]) -> set[str]:
    """SKUs the contact bought (orders not cancelled or returned) or says they own."""
    kept = {
        i.sku
        for o in orders
        if o.status not in (OrderStatus.CANCELLED, OrderStatus.RETURNED)
        for i in o.items
    }
    said = re.findall(
        r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+", (profile.preferences.get("owns", "") if profile else "")
    )
    return kept | {s.upper() for s in said}


def budget_cap(products: Sequence[Product], budget: str | None) -> Decimal | None:
    """`low` and `mid`: the catalog's lower third and two thirds of prices; otherwise no cap."""
    prices = sorted(p.price for p in products)
    if not prices or budget not in ("low", "mid"):
        return None
    return prices[(len(prices) - 1) // 3] if budget == "low" else prices[2 * (len(prices) - 1) // 3]


def recommend(
    products: Sequence[Product],
    profile: ContactProfile | None,
    orders: Sequence[Order],
    *,
    need: str | None,
    max_price: Decimal | None = None,
) -> list[Pick]:
    """In-stock products the contact has not bought, scored by their interests, purchases and need.

    Returned products are not offered again; products of cancelled orders may be."""
    owned = owned_skus(profile, orders)
    skip = owned | {i.sku for o in orders if o.status is OrderStatus.RETURNED for i in o.items}
    by_sku = {p.sku: p for p in products}
    likes = _said(profile.preferences.get("likes", "")) if profile else {}
    bought = Counter(by_sku[s].category for s in owned if s in by_sku)
    cap = budget_cap(products, profile.preferences.get("budget") if profile else None)
    links = _link_words([by_sku[s] for s in owned if s in by_sku], products)
    needed = {p.sku: s for p, s in rank(products, need)} if need else None
    picks = []
    for p in products:
        if p.sku in skip or not p.in_stock or (max_price is not None and p.price > max_price):
            continue
        if needed is not None and p.sku not in needed:
            continue
        pick = _score(p, likes, bought, cap, links, needed.get(p.sku, 0.0) if needed else 0.0)
        picks.append(pick)
    picks.sort(key=lambda k: (-k.score, k.product.name))
    return picks


def _link_words(owned: Sequence[Product], products: Sequence[Product]) -> dict[str, set[str]]:
    """For each owned product, its distinctive name words (not shared by most of the catalog)."""
    common = Counter(w for p in products for w in set(words(p.name)))
    threshold = max(2, len(products) // 3)
    return {p.name: {w for w in words(p.name) if common[w] < threshold} for p in owned}


def _score(
    p: Product,
    likes: Mapping[str, str],
    bought: Counter[str],
    cap: Decimal | None,
    links: Mapping[str, set[str]],
    need: float,
) -> Pick:
    fields = _fields(p)
    reasons: list[str] = []
    score = float(p.rating or 0) * 0.3 + need * 2
    described = fields["category"] | fields["tags"] | fields["name"]
    liked = sorted(said for term, said in likes.items() if term in described)
    if liked:
        score += 3
        reasons.append(f"you like {', '.join(liked)}")
    linked = [name for name, ws in links.items() if len(ws & fields["description"]) >= min(2, len(ws)) and ws]
    if linked:
        score += 2.5
        reasons.append(f"works with your {linked[0]}")
    if bought[p.category]:
        score += 1
    if cap is not None:
        score += 1 if p.price <= cap else -2
        if p.price <= cap:
            reasons.append("within your budget")
    return Pick(p, score, tuple(reasons))
