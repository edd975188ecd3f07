"""Ranking pieces shared by every store: query checks, terms, BM25, cosine top-k, fusion, snippets.

The production full-text ranking is the database's (SQLite FTS5 bm25, PostgreSQL ts_rank); `Bm25Index`
is the same idea in memory, for tests, fakes and the retrieval evaluation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from frontdesk.domain.knowledge import MAX_QUERY_CHARS, InvalidQuery

RRF_K = 60
SNIPPET_CHARS = 240

_T = TypeVar("_T", bound=Hashable)
_WORD = re.compile(r"\w+")
_SUFFIXES = ("ing", "ies", "ed", "s")
# Words that carry no topic in a customer's question; without them an OR query does not match everything.
_STOPWORD_TEXT = """
    a about after all also am an and any are as at be been before but by can could did do does doing
    don dont for from get got had has have hello hey hi how i if im in into is it its ive just me my no
    not of off on once only or our out over please pls so some than thank thanks that the their them then
    there these they this those to too u up ur us very was we were what when where which while who why
    will with would yes you your"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def clean_query(query: str) -> str:
    """The query with surrounding space removed; `InvalidQuery` if empty or over the length limit."""
    query = query.strip()
    if not query:
        raise InvalidQuery("the search query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"the search query is over {MAX_QUERY_CHARS} characters")
    return query


def stem(word: str) -> str:
    """A light suffix-stripping stem, so "bulbs"/"bulb", "pairing"/"paired" and "charge"/"charging" match."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens of a text, in order, stopwords included."""
    return [stem(word) for word in _WORD.findall(text.lower())]


def query_words(query: str) -> list[str]:
    """Distinct lower-cased non-stopword words, unstemmed: OR them in a database's full-text query."""
    return list(dict.fromkeys(w for w in _WORD.findall(query.lower()) if w not in STOPWORDS))


def query_terms(query: str) -> list[str]:
    """Distinct stemmed terms of a query without stopwords (for BM25 here and snippets)."""
    return list(dict.fromkeys(stem(w) for w in query_words(query)))


class Bm25Index:
    """Okapi BM25 over a fixed list of texts, in memory."""

    def __init__(self, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75):
        self._docs = [Counter(terms(text)) for text in texts]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._avg_length = sum(self._lengths) / len(self._lengths) if self._lengths else 0.0
        df = Counter(term for doc in self._docs for term in doc)
        n = len(self._docs)
        self._idf = {term: math.log(1 + (n - count + 0.5) / (count + 0.5)) for term, count in df.items()}
        self._k1, self._b = k1, b

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The `k` best (index, score) pairs for the query's terms, best first; no match, no entry."""
        qterms = query_terms(query)
        scored = [(i, self._score(i, qterms)) for i in range(len(self._docs))]
        ranked = sorted((pair for pair in scored if pair[1] > 0), key=lambda pair: -pair[1])
        return ranked[:k]

    def _score(self, index: int, qterms: Iterable[str]) -> float:
        doc = self._docs[index]
        norm = self._k1 * (1 - self._b + self._b * self._lengths[index] / (self._avg_length or 1.0))
        total = 0.0
        for term in qterms:
            tf = doc.get(term, 0)
            if tf:
                total += self._idf[term] * tf * (self._k1 + 1) / (tf + norm)
        return total


def cosine_top_k(query: NDArray[np.float32], matrix: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    """The `k` rows most similar to `query`, as (row, cosine), best first; rows must be L2-normalised."""
    if k <= 0 or matrix.shape[0] == 0:
        return []
    scores = matrix @ query.reshape(-1)
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(row), float(scores[row])) for row in top]


def reciprocal_rank_fusion(*rankings: Sequence[_T], k: int = RRF_K) -> list[tuple[_T, float]]:
    """Fuse ranked lists of ids: each id scores sum(1 / (k + rank)), rank from 1; best first."""
    scores: dict[_T, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def make_snippet(text: str, query: str, *, max_chars: int = SNIPPET_CHARS) -> str:
    """A window of `text` around where the most distinct query terms meet, cut at words, with ellipses."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    start = _best_window(text, set(query_terms(query)), max_chars)
    end = min(len(text), start + max_chars)
    if end < len(text):
        end = max(text.rfind(" ", start, end + 1), start + max_chars // 2)
    snippet = text[start:end].strip()
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


def _best_window(text: str, wanted: set[str], width: int) -> int:
    """Start of the window that holds the most distinct wanted terms; 0 when none occurs."""
    hits = [(m.start(), m.end(), stem(m.group().lower())) for m in _WORD.finditer(text)]
    hits = [hit for hit in hits if hit[2] in wanted]
    best_start, best_count = 0, 0
    lead = width // 5  # a little context before the first hit
    for first, _, _ in hits:
        window_start = max(0, min(first - lead, len(text) - width))
        count = len({term for s, e, term in hits if s >= window_start and e <= window_start + width})
        if count > best_count:
            best_start, best_count = window_start, count
    if best_start == 0:
        return 0
    space = text.find(" ", best_start)
    return space + 1 if 0 <= space < best_start + lead else best_start
