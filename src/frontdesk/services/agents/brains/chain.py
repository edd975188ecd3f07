"""An agent's fallback chain: ask each brain in turn until one answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from frontdesk.services.agents.brains.contract import AgentReply, AgentRequest, Brain, BrainUnavailableError

log = logging.getLogger(__name__)


async def run_chain(
    brains: Sequence[Brain], request: AgentRequest, *, per_brain_seconds: float | None = None
) -> AgentReply:
    """The first answer of `brains`, in order, each given at most `per_brain_seconds`;
    `BrainUnavailableError` when every one fails."""
    failures: list[str] = []
    for brain in brains:
        try:
            async with asyncio.timeout(per_brain_seconds):
                return await brain.reply(request)
        except (BrainUnavailableError, TimeoutError) as exc:
            log.warning(
                "brain %s unavailable, trying the next: %s", brain.name, exc, extra={"brain": brain.name}
            )
            failures.append(f"{brain.name}: {exc}")
    raise BrainUnavailableError("no brain could answer: " + "; ".join(failures) if failures else "no brains")
