"""Finding named things (products, services, cities) in a message, typos and partial names included.

A `NameIndex` knows each item's words: from its name, its key (a SKU's parts) and aliases. A message's
words are matched to them (exactly, through `SYNONYMS`, or as a likely typo), and items are picked
greedily: the best-supported item takes the words that support it, then the next one, so "compare the
speaker one and the speaker mini" finds two products while "the speaker one" finds one. Items that
tie for the same words come back together as one ambiguous `Mention` ("the speaker": Mini or One?).

Words that are also everyday words ("one", "desk", "door") are *weak*: they only count next to a
strong word of the same item, so "which one is cheaper" names no product.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from frontdesk.services.agents.nlu.words import closest_word, normalise
from frontdesk.services.knowledge.ranking import STOPWORDS, stem

SYNONYMS = {
    "earbud": "bud",
    "earphone": "bud",
    "headphone": "bud",
    "airpod": "bud",
    "subwoofer": "sub",
    "woofer": "sub",
    "cam": "camera",
    "cctv": "camera",
    "lightstrip": "strip",
    "ledstrip": "strip",
    "lighting": "light",
    "soundbar": "soundbar",
    "spotlight": "spot",
    "downlight": "spot",
    "thermo": "thermostat",
    "installation": "install",
    "fit": "install",
    "fitting": "install",
    "fitted": "install",
    "setup": "install",
    "fix": "repair",
    "fixing": "repair",
    "broken": "repair",
    "faulty": "repair",
    "engineer": "technician",
    "consultation": "consult",
    "advice": "consult",
    "cinema": "audio",
    "trv": "valve",
}
"""Customers' words mapped to the catalog's (applied to stems, on both sides)."""

COMMON_WORDS = frozenset(
    [
        "one",
        "pro",
        "arc",
        "desk",
        "door",
        "floor",
        "light",
        "kit",
        "plus",
        "max",
        "home",
        "smart",
        "set",
        "visit",
        "indoor",
        "tower",
    ]
)
"""Words of names that are also everyday words: weak unless next to a strong word of the same item. The
business's own name is weak too (`brand_words`): "Lumen" names none of Lumen Home's products alone."""

VARIANT_WORDS = frozenset({"mini"})
"""Words that tell variants of a product apart like a model number ("e27", "2m") and, unlike everyday
words, name the product alone: "and the mini?"."""

SERVICE_WORDS = frozenset({"home", "smart", "visit", "set"})
"""The weak words of service names (with the business's own name)."""


def brand_words(business: str) -> frozenset[str]:
    """The words of the business's name, as names are indexed: weak in its products' and services' names."""
    return frozenset(tokens(business))


SEPARATORS = frozenset({"and", "or", "vs", "versus", "than", "with"})
"""Words between two names: the words on either side of one belong to different mentions ("the E27
bulb and the filament one" names two bulbs, not the filament bulb E27)."""

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_REACH = 3
_MIN_SCORE = 1.0
_KEY_BONUS = 1.25


@dataclass(frozen=True, slots=True)
class Named:
    """Something a customer may name: `key` identifies it (SKU, service id, city), `name` shows it."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    """Weaker evidence, e.g. words of a description: each counts half."""


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Mention:
    """One thing the customer named; several candidates when it is ambiguous."""

    candidates: tuple[Match, ...]
    start: int = 0
    end: int = 0
    """Where the mention sits in the normalised message (`words.normalise`)."""

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def best(self) -> Match:
        return self.candidates[0]


def canonical(word: str) -> str:
    """The stem of a word with synonyms applied: "earbuds" -> "bud", "fitting" -> "install"."""
    stemmed = stem(word)
    return SYNONYMS.get(word, SYNONYMS.get(stemmed, stemmed))


def tokens(text: str) -> list[str]:
    """Canonical words of a text (stopwords kept, so positions stay meaningful)."""
    return [word for word, _ in _spans(normalise(text))]


def _spans(normalised: str) -> list[tuple[str, tuple[int, int]]]:
    """Canonical words of a normalised text with where each sits in it."""
    return [(canonical(m.group().replace("'", "")), m.span()) for m in _TOKEN.finditer(normalised)]


@dataclass(slots=True)
class _Entry:
    item: Named
    weights: dict[str, float]
    key_terms: frozenset[str]
    name_terms: frozenset[str] = frozenset()
    coverage_terms: frozenset[str] = frozenset()
    coverage_total: float = 1.0


class NameIndex:
    """Finds mentions of a fixed list of named things in messages."""

    def __init__(self, items: Iterable[Named], *, weak: Collection[str] = COMMON_WORDS):
        self._weak = frozenset(canonical(word) for word in weak)
        items = list(items)
        prefixes = _code_prefixes([item.key for item in items])
        entries = [self._entry(item, prefixes) for item in items]
        df: dict[str, int] = {}
        for entry in entries:
            for term in entry.weights:
                df[term] = df.get(term, 0) + 1
        n = max(len(entries), 1)
        for entry in entries:
            for term in entry.weights:
                entry.weights[term] *= math.log(1 + n / df[term]) + 0.5
            entry.coverage_terms = frozenset(
                t for t in entry.name_terms if not self._is_weak(t) and not _is_model(t)
            )
            entry.coverage_total = sum(entry.weights[t] for t in entry.coverage_terms) or 1.0
        self._entries = entries
        self._vocabulary = tuple(sorted(df))

    @property
    def items(self) -> tuple[Named, ...]:
        return tuple(entry.item for entry in self._entries)

    def _entry(self, item: Named, prefixes: frozenset[str]) -> _Entry:
        weights: dict[str, float] = {}
        for term in _name_terms(item.extra):
            weights[term] = 0.5
        names = _name_terms((item.name, *item.aliases))
        for term in names:
            weights[term] = 1.0
        key_terms = frozenset(_name_terms([item.key.replace("-", " ")])) - prefixes
        for term in key_terms:
            weights.setdefault(term, 1.0)
        return _Entry(item, weights, key_terms, frozenset(names) | key_terms)

    def find(self, text: str, *, limit: int = 3) -> list[Mention]:
        """Up to `limit` things named in `text`, in the order they appear."""
        spans = _spans(normalise(text))
        found = self._occurrences([word for word, _ in spans])
        breaks = [index for index, (word, _) in enumerate(spans) if word in SEPARATORS]
        mentions: list[tuple[int, Mention]] = []
        used: set[int] = set()
        entries = list(self._entries)
        while len(mentions) < limit:
            scored = [(self._score(entry, found, used, breaks), entry) for entry in entries]
            scored = [(s, e) for s, e in scored if s[0] >= _MIN_SCORE]
            if not scored:
                break
            scored.sort(key=lambda pair: -pair[0][0])
            (best, positions), _ = scored[0]
            ties = [(s, e) for s, e in scored if s[0] >= best - 1e-6 and s[1] & positions]
            matches = tuple(Match(e.item.key, e.item.name, s[0]) for s, e in ties)
            start, end = spans[min(positions)][1][0], spans[max(positions)][1][1]
            mentions.append((min(positions), Mention(matches, start, end)))
            used |= positions
            entries = [entry for entry in entries if all(entry is not e for _, e in ties)]
        return [mention for _, mention in sorted(mentions, key=lambda pair: pair[0])]

    def mask(self, text: str, word: str, *, plural: str | None = None) -> str:
        """The normalised text with each thing named in it replaced by `word` ("is the GU10 in stock" ->
        "is the product in stock"), so that similarity looks at what is asked, not at what about.

        With `plural`, a name written in the plural ("do you sell cameras", "colour bulbs?") becomes
        `plural`: a kind of thing asked about, not one item."""
        out = normalise(text)
        for mention in reversed(self.find(text)):
            last = _TOKEN.findall(out[mention.start : mention.end])[-1:]
            many = plural is not None and bool(last) and _is_plural(last[0])
            out = out[: mention.start] + (plural if many and plural else word) + out[mention.end :]
        return out

    def best(self, text: str) -> Mention | None:
        """The first thing named in `text`, if any."""
        mentions = self.find(text, limit=1)
        return mentions[0] if mentions else None

    def _occurrences(self, words: Sequence[str]) -> dict[str, list[tuple[int, ...]]]:
        """Where each vocabulary term occurs among `words`: one word, two joined ("sound bar"), or a typo."""
        found: dict[str, list[tuple[int, ...]]] = {}
        for index, word in enumerate(words):
            if index + 1 < len(words):
                joined = canonical(word + words[index + 1])
                if joined in self._vocabulary:
                    found.setdefault(joined, []).append((index, index + 1))
            term = word if word in self._vocabulary else closest_word(word, self._vocabulary)
            if term is not None and word not in STOPWORDS:
                found.setdefault(term, []).append((index,))
        return found

    def _score(
        self,
        entry: _Entry,
        found: dict[str, list[tuple[int, ...]]],
        used: set[int],
        breaks: Sequence[int] = (),
    ) -> tuple[float, set[int]]:
        """The entry's best support among unused words that sit close together, with no separator
        (`SEPARATORS`) between them: (score, positions).

        Weak words count only near a strong one; a small bonus for covering more of the name breaks ties
        ("the light strip" is the strip, not the strip's extension).
        """
        hits = [
            (span, weight * (_KEY_BONUS if term in entry.key_terms and _is_model(term) else 1.0), term)
            for term, weight in entry.weights.items()
            for span in found.get(term, ())
            if used.isdisjoint(span)
        ]
        best: tuple[float, set[int]] = (0.0, set())
        for anchor, _, anchor_term in hits:
            if self._is_weak(anchor_term):
                continue
            chosen: dict[str, tuple[tuple[int, ...], float]] = {}
            for span, weight, term in sorted(hits, key=lambda hit: abs(hit[0][0] - anchor[0])):
                low, high = sorted((span[0], anchor[0]))
                apart = any(low < b < high for b in breaks)
                if abs(span[0] - anchor[0]) <= _REACH and term not in chosen and not apart:
                    chosen[term] = (span, weight)
            strong = sum(w for t, (_, w) in chosen.items() if not self._is_weak(t))
            score = strong + sum(w for t, (_, w) in chosen.items() if self._is_weak(t)) * 0.5
            score += sum(entry.weights[t] for t in chosen if t in entry.coverage_terms) / entry.coverage_total
            positions = {p for span, _ in chosen.values() for p in span}
            if _rank(round(score, 3), positions) > _rank(*best):
                best = (round(score, 3), positions)
        return best

    def _is_weak(self, term: str) -> bool:
        return term in self._weak or term.isdigit()


def _rank(score: float, positions: set[int]) -> tuple[float, int, int]:
    """Better support first, then more words, then words closer together."""
    return score, len(positions), -(max(positions) - min(positions)) if positions else 0


def _is_plural(word: str) -> bool:
    """Whether a word reads as a plural: "bulbs", "batteries" (not "glass", "bus", "gu10s" aside)."""
    return (
        len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) and stem(word) != word
    )


def _is_model(term: str) -> bool:
    """A model token such as "e27", "gu10", "2m" or "mini": it tells variants apart."""
    return term in VARIANT_WORDS or any(ch.isdigit() for ch in term)


def _name_terms(texts: Iterable[str]) -> list[str]:
    """Canonical words of names, without stopwords."""
    out: list[str] = []
    for text in texts:
        out += [t for t in tokens(text) if t not in STOPWORDS]
    return out


def _code_prefixes(keys: Sequence[str]) -> frozenset[str]:
    """The catalogue's code prefix (`lh` of `LH-BULB-E27`, `bh` of `BH-SHAM-REP`): a short first part of
    most keys, which names nothing. Short: a service code's first word (`install-audio`) is a name."""
    firsts = [parts[0] for key in keys if len(parts := tokens(key.replace("-", " "))) > 1]
    counts = Counter(first for first in firsts if len(first) <= 3 and first.isalpha())
    return frozenset(p for p, n in counts.items() if n >= 3 and n * 2 > len(keys))
