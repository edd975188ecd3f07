"""Fixtures of the agent-team tests: the demo store with the clock at Saturday 2026-11-21 10:00 London."""

from __future__ import annotations

import importlib.util

import pytest

from frontdesk.adapters.embeddings import minilm
from tests.support.team import LONDON_NOW
from tests.unit.conftest import FakeClock

pytest_plugins = ["tests.unit.agents_fixtures"]

needs_minilm = pytest.mark.skipif(
    importlib.util.find_spec(minilm.MODEL_PACKAGE) is None, reason="embedding model not installed"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(LONDON_NOW)
