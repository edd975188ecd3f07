"""Shared by the shipping checks (deploy/, the Dockerfile, the workflow, the docs site): commands they need
and the settings Frontdesk reads, to hold a deploy file's environment against.

No container engine runs here, so nothing is started from an image: each shape is checked against its
format's schema and against `Settings`, and the image's install steps are rehearsed in a virtualenv.
A missing command (kubectl, node, npm) skips with the reason, except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from frontdesk.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PREFIX = "FRONTDESK_"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is marked `deploy` (`make test-fast` leaves them out: they build and synthesise)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.deploy)


@pytest.fixture
def need() -> Callable[[str], str]:
    """`need("kubectl")`: the command's path; skips (fails in CI) when it is not installed."""

    def find(command: str) -> str:
        path = shutil.which(command)
        if path is None:
            reason = f"{command} is not installed"
            if IN_CI:
                pytest.fail(reason)
            pytest.skip(reason)
        return path

    return find


def setting_names() -> set[str]:
    """Every variable Frontdesk reads: `FRONTDESK_` + each `Settings` field, upper-case."""
    return {PREFIX + name.upper() for name in Settings.model_fields}


def unknown_settings(names: Iterable[str]) -> list[str]:
    """The `FRONTDESK_*` names among `names` that no setting reads (a typo, or a setting that went away)."""
    known = setting_names()
    return sorted(n for n in names if n.startswith(PREFIX) and n not in known)


class _OnlyGiven(Settings):
    """`Settings` from the values given and nothing else: not this process's environment, not `.env`."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        *_: object,
        **__: object,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def settings_from(env: Mapping[str, str]) -> Settings:
    """The settings a process with exactly this environment would run with; `ValidationError` (naming the
    variable) where Frontdesk would refuse to start, e.g. a production secret left out."""
    given = {
        name.removeprefix(PREFIX).lower(): value for name, value in env.items() if name.startswith(PREFIX)
    }
    return _OnlyGiven.model_validate(given)


def client_seen_behind(forwarded_allow_ips: str, peer: str, x_forwarded_for: str) -> str:
    """The client address the rate limits and the audit log get for a request from `peer` carrying that
    X-Forwarded-For, through uvicorn's proxy-headers middleware as `frontdesk serve` runs it with
    FORWARDED_ALLOW_IPS set to `forwarded_allow_ips`."""
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", x_forwarded_for.encode())],
    }
    middleware = ProxyHeadersMiddleware(app, trusted_hosts=forwarded_allow_ips)
    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    (client,) = seen
    return client
