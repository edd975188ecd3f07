"""A pytest plugin so no test can reach a real language model (loaded by the root conftest).

Every test runs with pydantic-ai's `ALLOW_MODEL_REQUESTS` off (provider models refuse to send) and without
the providers' credentials in the environment. Tests against the local fake servers (`tests.support.fake_llm`)
ask for the `fake_models_allowed` fixture, which turns requests back on for loopback base URLs only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic_ai import models

PROVIDER_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "AWS_BEARER_TOKEN_BEDROCK",
    "FRONTDESK_OPENAI_API_KEY",
    "FRONTDESK_ANTHROPIC_API_KEY",
    "FRONTDESK_GEMINI_API_KEY",
    "FRONTDESK_BEDROCK_REGION",
)
LOOPBACK = ("http://127.0.0.1:", "http://localhost:")


@pytest.fixture(autouse=True)
def _no_real_models(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(models, "ALLOW_MODEL_REQUESTS", False)


@pytest.fixture
def fake_models_allowed() -> Iterator[None]:
    """Allow model requests in this test; only use it with base URLs of the local fake servers."""
    with models.override_allow_model_requests(True):
        yield


def require_loopback(url: str) -> str:
    """`url` itself, when it is a local fake server's; fails the test otherwise."""
    if not url.startswith(LOOPBACK):
        pytest.fail(f"tests may only talk to local fake model servers, not {url}")
    return url
