"""What a language model's tokens cost: a price table for the well-known models."""

from __future__ import annotations

PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "claude-3-5-haiku-latest": (0.80, 4.00),
    "claude-haiku-4-5": (1.00, 5.00),
    "claude-sonnet-4-0": (3.00, 15.00),
    "anthropic.claude-3-haiku-20240307-v1:0": (0.25, 1.25),
    "gemini-2.0-flash": (0.10, 0.40),
    "gemini-2.5-flash": (0.30, 2.50),
}
"""US dollars per million input and output tokens; models not listed (e.g. self-hosted) cost 0."""


def cost(model: str, input_tokens: int, output_tokens: int) -> float:
    """The price of a call to `model` (a spec like `openai:gpt-4o-mini`, or a bare name), 0 when unknown."""
    name = model if model in PRICES else model.partition(":")[2]
    price_in, price_out = PRICES.get(name, (0.0, 0.0))
    return round((input_tokens * price_in + output_tokens * price_out) / 1_000_000, 8)
