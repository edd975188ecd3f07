"""Text helpers shared by the language-understanding pieces: normalising, words, numbers, fuzzy words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import get_close_matches
from functools import lru_cache

from frontdesk.services.knowledge.ranking import STOPWORDS, stem

_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACES = re.compile(r"\s+")

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "pair": 2,
    "couple": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "fifteen": 15,
    "twenty": 20,
}
"""Words customers use for small numbers ("a" and "an" only count next to a noun)."""


def normalise(text: str) -> str:
    """Lower-case, NFKC, straight quotes and dashes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The words of a text, normalised; apostrophes kept inside words ("don't")."""
    return _WORD.findall(normalise(text))


INTENT_STOPWORDS = STOPWORDS - {
    "hello", "hey", "hi", "thank", "thanks", "yes", "no", "not", "dont", "don", "what", "when", "where",
    "which", "who", "why", "how", "my", "me", "your", "you", "before", "after", "off", "out", "over",
}  # fmt: skip
"""Words that tell nothing about what a customer wants (greetings, thanks, negation and "my" do)."""


def content_terms(text: str, *, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Stemmed words without stopwords and without the apostrophe ("won't" -> "wont")."""
    out = []
    for word in words(text):
        word = word.replace("'", "")
        if word not in stopwords:
            out.append(stem(word))
    return out


@lru_cache(maxsize=8192)
def _closest(word: str, vocabulary: tuple[str, ...], cutoff: float) -> str | None:
    swapped = next((known for known in vocabulary if _one_swap(word, known)), None)
    if swapped is not None:
        return swapped
    found = get_close_matches(word, vocabulary, n=1, cutoff=cutoff)
    return found[0] if found else None


def _one_swap(a: str, b: str) -> bool:
    """True when `b` is `a` with two neighbouring letters swapped ("cancle" / "cancel")."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def closest_word(
    word: str, vocabulary: Sequence[str], *, cutoff: float = 0.84, min_length: int = 4
) -> str | None:
    """The word of `vocabulary` that `word` is a likely typo of, or None; short words must match exactly.

    A swap of two neighbouring letters always counts; otherwise difflib's ratio must reach `cutoff`, and
    the first letter must agree. `vocabulary` should be a tuple (results are cached by it).
    """
    if len(word) < min_length or not word.isalpha():
        return None
    vocab = vocabulary if isinstance(vocabulary, tuple) else tuple(vocabulary)
    found = _closest(word, vocab, cutoff)
    return found if found is not None and found[0] == word[0] else None
