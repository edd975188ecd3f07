"""Fixtures for the agents' tool tests: the demo business behind `BusinessData`, contexts per customer.

Test modules load them with `pytest_plugins = ["tests.unit.agents_fixtures"]`; helpers and the demo's
customers are in `tests.support.agents`.
"""

from __future__ import annotations

import pytest

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.store import SqlStore
from tests.support.agents import Agents, FakeKnowledge
from tests.unit.conftest import FakeClock


@pytest.fixture
def knowledge() -> FakeKnowledge:
    return FakeKnowledge()


@pytest.fixture
def agents(store: SqlStore, clock: FakeClock, knowledge: FakeKnowledge) -> Agents:
    return Agents(store, clock, SqlBusinessData(store), SqlMessageSearch(store), knowledge)
