"""`CachedEmbedder`: same vectors as the wrapped embedder, each distinct text embedded once while cached."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from frontdesk.adapters.embeddings import HashingEmbedder
from frontdesk.adapters.embeddings.cache import CachedEmbedder


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=16)
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.seen.extend(texts)
        return super().embed(texts)


def test_vectors_match_and_repeats_are_not_embedded_again() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner)
    texts = ["boiler error", "E3", "boiler error", "warranty"]
    first = cached.embed(texts)
    np.testing.assert_array_equal(first, HashingEmbedder(dim=16).embed(texts))
    assert inner.seen == ["boiler error", "E3", "warranty"]
    second = cached.embed(["warranty", "E3", "new words"])
    np.testing.assert_array_equal(second[:2], first[[3, 1]])
    assert inner.seen[3:] == ["new words"]
    assert cached.dim == 16 and cached.embed([]).shape == (0, 16)


def test_least_recently_used_texts_are_forgotten_first() -> None:
    inner = Counting()
    cached = CachedEmbedder(inner, max_entries=2)
    cached.embed(["a", "b"])
    cached.embed(["a"])  # "b" is now the oldest
    cached.embed(["c"])
    cached.embed(["a", "b"])
    assert inner.seen == ["a", "b", "c", "b"]


def test_returned_rows_are_copies_the_caller_may_change() -> None:
    cached = CachedEmbedder(Counting())
    cached.embed(["a"])[0] *= 0
    assert np.linalg.norm(cached.embed(["a"])[0]) > 0.99
