"""Prometheus metrics (`prometheus_client`): one registry per app, so several apps can share a process."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from frontdesk.domain.ops import QueueCounts
from frontdesk.domain.turns import Usage

CONTENT_TYPE = CONTENT_TYPE_LATEST

_TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


def provider_of(model: str) -> str:
    """`openai:gpt-4o` -> `openai`; a model name without a provider prefix is its own provider."""
    return model.partition(":")[0] or "unknown"


class PrometheusMetrics:
    """Implements the `Metrics` port, and renders everything in the Prometheus text format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.webhooks = Counter(
            "frontdesk_webhooks", "Webhook requests answered, by result.", ["result"], registry=r
        )
        self.turn_seconds = Histogram(
            "frontdesk_turn_duration_seconds",
            "Time the responder took to answer one inbound message.",
            buckets=_TURN_BUCKETS,
            registry=r,
        )
        self.sends = Counter(
            "frontdesk_sends",
            "Send attempts to the channel, by result (sent, retry, failed, uncertain) and Graph error code.",
            ["result", "code"],
            registry=r,
        )
        self.tokens = Counter(
            "frontdesk_llm_tokens",
            "Model tokens used, by provider and direction.",
            ["provider", "direction"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "frontdesk_queue_depth",
            "Work waiting: turn jobs queued or running, replies pending.",
            ["queue"],
            registry=r,
        )
        self.dead_letters = Gauge(
            "frontdesk_dead_letters",
            "Dead-lettered turn jobs, and failed or held (uncertain) sends, awaiting staff.",
            ["kind"],
            registry=r,
        )

    def webhook(self, result: str) -> None:
        self.webhooks.labels(result=result).inc()

    def turn(self, *, seconds: float, usage: Sequence[Usage]) -> None:
        self.turn_seconds.observe(seconds)
        for u in usage:
            provider = provider_of(u.model)
            self.tokens.labels(provider=provider, direction="in").inc(u.input_tokens)
            self.tokens.labels(provider=provider, direction="out").inc(u.output_tokens)

    def send(self, *, result: str, code: str | None) -> None:
        self.sends.labels(result=result, code=code or "").inc()

    def render(self, counts: QueueCounts) -> bytes:
        """The text exposition, with the queue gauges set from `counts` (read from the database now)."""
        self.queue_depth.labels(queue="turns").set(counts.turns_waiting)
        self.queue_depth.labels(queue="sends").set(counts.sends_waiting)
        self.dead_letters.labels(kind="turn").set(counts.dead_turns)
        self.dead_letters.labels(kind="send").set(counts.failed_sends)
        return generate_latest(self.registry)
