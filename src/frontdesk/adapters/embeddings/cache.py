"""An `Embedder` that remembers the vectors of recent texts.

Customers ask the same things ("where is my order", "E3"), and a process that starts several apps (the
test suite) or re-seeds the demo embeds the same chunks again; both then cost a dictionary lookup
instead of a forward pass. Thread-safe: embedding runs in worker threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from frontdesk.domain.knowledge import Embedder


class CachedEmbedder:
    """Wraps an embedder with a least-recently-used cache of `max_entries` texts."""

    def __init__(self, inner: Embedder, *, max_entries: int = 4096):
        self.inner = inner
        self._max_entries = max_entries
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Length of each vector."""
        return self.inner.dim

    def load(self) -> None:
        """Load the wrapped model now, if it is one that loads on first use."""
        load = getattr(self.inner, "load", None)
        if callable(load):
            load()

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised float32 row per text; only texts not seen recently reach the model."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._vectors.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._vectors.move_to_end(text)
                    out[row] = vector
        if missing:
            fresh = self.inner.embed(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                    out[rows] = vector
                    self._remember(text, vector)
        return out

    def _remember(self, text: str, vector: NDArray[np.float32]) -> None:
        self._vectors[text] = vector.copy()
        while len(self._vectors) > self._max_entries:
            self._vectors.popitem(last=False)
