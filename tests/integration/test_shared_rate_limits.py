"""Rate limits shared through Redis (FRONTDESK_REDIS_URL): two API processes, here two `RateLimits` and two
apps, count against one limit; without Redis each counts on its own; an unreachable Redis falls back to
each process's memory instead of failing every request.

They run against the Redis server at FRONTDESK_TEST_REDIS_URL (default: the local one). Where none answers
they are skipped with the reason, except under CI (CI=true), where they fail.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from pydantic import ValidationError
from structlog.testing import capture_logs

from frontdesk.api.security import RateLimits, install_http_security, rate_limits_of
from frontdesk.domain.errors import ConfigurationError
from frontdesk.settings import Settings, load_settings
from tests.support.redis_server import need_redis


@pytest.fixture(scope="module")
def redis_url() -> str:
    return need_redis()


def unique_prefix() -> str:
    """Each test counts under its own keys: the server outlives the test, and other runs share it."""
    return f"frontdesk-test-{uuid.uuid4().hex}"


async def statuses(limits: list[RateLimits], *, email: str) -> list[int]:
    """Signs in once through each of `limits` in turn: 200 where allowed, the 429 where refused."""
    answers = []
    for rate_limits in limits:
        try:
            await rate_limits.login(ip="198.51.100.7", email=email)
            answers.append(200)
        except HTTPException as exc:
            answers.append(exc.status_code)
            assert exc.headers is not None and int(exc.headers["Retry-After"]) >= 1
    return answers


async def test_two_processes_share_one_count_in_redis(redis_url: str) -> None:
    prefix = unique_prefix()
    first, second = (
        RateLimits(login="3/minute", api="600/minute", redis_url=redis_url, key_prefix=prefix) for _ in "ab"
    )
    # Alternating between the two: the fourth attempt is refused, whichever process it reaches.
    assert await statuses([first, second, first, second, first], email="Owner@Lumen.test") == [
        200,
        200,
        200,
        429,
        429,
    ]
    # Another e-mail from the same IP meets the shared per-IP count; the admin API has its own.
    assert await statuses([second], email="someone-else@lumen.test") == [429]
    await first.api(user="u1")


async def test_without_redis_each_process_counts_on_its_own() -> None:
    first, second = (RateLimits(login="3/minute", api="600/minute") for _ in "ab")
    assert await statuses([first, second] * 3, email="owner@lumen.test") == [200] * 6
    assert await statuses([first, second], email="owner@lumen.test") == [429, 429]


async def test_an_unreachable_redis_falls_back_to_counting_in_memory() -> None:
    with socket.socket() as closed:  # a port nothing listens on: bound, never listening
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        limits = RateLimits(login="2/minute", api="600/minute", redis_url=f"redis://127.0.0.1:{port}/0")
        assert await statuses([limits] * 3, email="owner@lumen.test") == [200, 200, 429]


@pytest.fixture
async def silent_redis() -> AsyncIterator[str]:
    """A Redis URL whose server accepts connections and reads commands but never answers (a Redis behind a
    network that drops packets): every call waits for the client's time-out."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        while await reader.read(4096):
            pass

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    server.close()
    for writer in held:
        writer.close()  # the client's side closes too: each `swallow` reads the end and returns
    await server.wait_closed()


async def timed_statuses(limits: RateLimits, attempts: int) -> list[tuple[int, float]]:
    """Each sign-in's status and how long it took, in seconds."""
    answers = []
    for _ in range(attempts):
        started = time.monotonic()
        (answer,) = await statuses([limits], email="owner@lumen.test")
        answers.append((answer, time.monotonic() - started))
    return answers


async def test_a_silent_redis_costs_one_time_out_per_period_and_one_warning(silent_redis: str) -> None:
    timeout = 0.5
    limits = RateLimits(
        login="3/minute",
        api="600/minute",
        redis_url=silent_redis,
        redis_timeout=timeout,
        redis_retry_seconds=30,
    )
    with capture_logs() as logs:
        answers = await timed_statuses(limits, 4)
    # The first sign-in waits once, the time-out (its second limit already counts in memory); the next
    # ones do not wait at all.
    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert timeout <= answers[0][1] < 2 * timeout
    assert all(took < timeout / 2 for _, took in answers[1:]), answers
    warnings = [entry for entry in logs if entry["event"] == "rate_limit.redis_unreachable"]
    assert len(warnings) == 1 and warnings[0]["retry_in_seconds"] == 30


async def test_after_the_period_redis_is_tried_again(silent_redis: str) -> None:
    timeout, period = 0.3, 0.6
    limits = RateLimits(
        login="5/minute",
        api="600/minute",
        redis_url=silent_redis,
        redis_timeout=timeout,
        redis_retry_seconds=period,
    )
    with capture_logs() as logs:
        first = await timed_statuses(limits, 2)
        await asyncio.sleep(period)
        again = await timed_statuses(limits, 1)
    assert first[0][1] >= timeout and first[1][1] < timeout / 2
    assert again[0][1] >= timeout  # tried Redis again, and waited for it
    assert [status for status, _ in first + again] == [200, 200, 200]  # counted in memory meanwhile
    assert sum(entry["event"] == "rate_limit.redis_unreachable" for entry in logs) == 2


def app_with(settings: Settings) -> FastAPI:
    """An app with Frontdesk's HTTP security as `create_app` installs it, and one rate-limited route."""
    app = FastAPI()
    install_http_security(app, settings)

    @app.get("/limited")
    async def limited(request: Request) -> dict[str, bool]:
        await rate_limits_of(request).api(user="staff-" + request.headers["x-user"])
        return {"ok": True}

    return app


async def test_two_apps_configured_by_frontdesk_redis_url_share_the_api_limit(redis_url: str) -> None:
    settings = Settings(redis_url=redis_url, api_rate_limit="2/minute")  # type: ignore[arg-type]
    user = uuid.uuid4().hex  # the apps use the real key prefix: a fresh user keeps this count apart
    answers = []
    for app in (app_with(settings), app_with(settings), app_with(settings)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            answers.append((await client.get("/limited", headers={"x-user": user})).status_code)
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("url", ["redis://redis:6379/0", "rediss://:s3cret@cache.internal:6380", "redis://r"])
def test_redis_url_takes_redis_and_rediss(url: str) -> None:
    settings = Settings(redis_url=url)  # type: ignore[arg-type]
    assert settings.redis_url is not None and settings.redis_url.get_secret_value() == url


@pytest.mark.parametrize(
    "url", ["http://redis:6379", "redis:6379", "redis:///0", "redis://:pw@host:6379/zero", "memcached://m"]
)
def test_redis_url_refuses_other_shapes_without_echoing_them(url: str) -> None:
    with pytest.raises(ValidationError, match="not a Redis URL"):
        Settings(redis_url=url)  # type: ignore[arg-type]
    # What an operator reads at start-up names the variable, never its value (it may hold a password).
    with pytest.raises(
        ConfigurationError, match=r"^invalid setting: FRONTDESK_REDIS_URL: not a Redis URL"
    ) as e:
        load_settings(redis_url=url)
    assert url not in str(e.value)


def test_an_empty_redis_url_means_memory() -> None:
    assert Settings(redis_url="").redis_url is None  # type: ignore[arg-type]
