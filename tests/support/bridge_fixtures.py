"""Fixtures for the bridge's integration tests: the fake zapw as a real server (one per test module) and
Frontdesk wired to it on the test's database.

Test modules load them with `pytest_plugins = ["tests.support.bridge_fixtures"]`; the helpers they drive
are in `tests.support.bridge`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.bridge import BridgeFrontdesk, FakeZapw, bridge_frontdesk, fake_zapw_server


@pytest.fixture(scope="module")
def zapw() -> Iterator[FakeZapw]:
    with fake_zapw_server() as fake:
        yield fake


@pytest.fixture
def bridge(database_url: str, graph_url: str, zapw: FakeZapw) -> Iterator[BridgeFrontdesk]:
    with bridge_frontdesk(database_url, graph_url, zapw) as running:
        yield running
