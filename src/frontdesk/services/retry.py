"""Retry timing for durable work (jobs, sends): exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Backoff:
    """`delay(n)` after the n-th failed attempt: uniform in [c/2, c] with c = min(cap, base * 2**(n-1)).

    The random half spreads retries of many failed jobs so they do not hit a recovering service together.
    """

    base: float = 2.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(attempt - 1, 0))
        return self.rng.uniform(ceiling / 2, ceiling)
