"""Sentence embedders implementing `frontdesk.domain.knowledge.Embedder`.

`minilm.MiniLMEmbedder` is the real one (all-MiniLM-L6-v2 in numpy). `HashingEmbedder` is a tiny,
deterministic stand-in for tests that should not load a model: texts sharing words get similar vectors.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["HashingEmbedder"]

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Bag of hashed lower-cased words, L2-normalised; a fake for tests, not for retrieval quality."""

    def __init__(self, dim: int = 64):
        self._dim = dim

    @property
    def dim(self) -> int:
        """Length of each vector."""
        return self._dim

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised float32 row per text (all zeros for a text without words)."""
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, zlib.crc32(word.encode()) % self._dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-12))
        return out
