"""deploy/compose.yaml, its .env.example, make-env.sh, the proxy and collector configs: checked without a
Docker engine (none runs here).

The file is validated against the Compose Specification's JSON schema (the copy check-jsonschema vendors);
its `${VAR}`s are resolved the way compose does, with the values make-env.sh writes, and each Frontdesk
service's environment is built into `Settings` as production would (no unknown variable, no missing
secret); the shape (roles, replicas, the one-off migration, health checks, volumes, profiles, the one
published port) is asserted; the Caddyfile goes through `caddy validate`.
"""

from __future__ import annotations

import base64
import copy
import importlib.resources
import json
import re
import stat
import subprocess
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from frontdesk.settings import Environment
from tests.deploy.conftest import DEPLOY, PREFIX, ROOT, settings_from, unknown_settings

COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
MAKE_ENV = DEPLOY / "make-env.sh"
CADDYFILE = DEPLOY / "Caddyfile"
COLLECTOR = DEPLOY / "otel-collector.yaml"

FRONTDESK_SERVICES = ("migrate", "api", "worker")
# Variables a Frontdesk container may carry that are not Frontdesk settings, each with why.
NOT_SETTINGS_ALLOWED = {
    "FORWARDED_ALLOW_IPS": "uvicorn's own: trust X-Forwarded-For from the proxy in front of the API",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "OpenTelemetry's standard variable, read by its SDK: where traces go",
}
LONG_RUNNING = ("api", "worker", "proxy", "postgres", "redis", "zapw", "minio", "otel-collector")
# A worker serves no HTTP: no health check (the image's would always fail), as on Kubernetes.
WITHOUT_HEALTH_CHECK = ("worker",)
OPTIONAL_PROFILES = {"minio": "storage", "otel-collector": "telemetry"}

# Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error};
# `$$` is a literal dollar. Bare `$NAME` is not used in this file (test_only_braced_variables).
_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def compose_file(text: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text() if text is None else text)
    return document


def compose_schema() -> dict[str, Any]:
    vendored = importlib.resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema: dict[str, Any] = json.loads(vendored.read_text())
    return schema


def schema_errors(document: Mapping[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(compose_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def variables(text: str) -> Iterator[re.Match[str]]:
    yield from _VARIABLE.finditer(text.replace("$$", ""))


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """`value` with its variables resolved from `env`, as compose resolves them from deploy/.env."""

    def resolve(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        present = env.get(name)
        if op == ":-" and not present:
            return str(arg)
        if op == "-" and present is None:
            return str(arg)
        if op in (":?", "?") and not present:
            raise ValueError(f"{name}: {arg}")
        return present or ""

    return _VARIABLE.sub(resolve, value).replace("$$", "$")


def env_file(path: Path) -> dict[str, str]:
    """The NAME=value lines of a .env file (comments and blank lines left out)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if re.match(r"^[A-Z_]+=", line))
    return {name: value for name, value in pairs}


def environment_of(service: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """A service's container environment, resolved against `env`."""
    raw = service.get("environment", {})
    assert isinstance(raw, dict), "environment as a mapping, so the anchor can be merged"
    return {name: interpolate(str(value), env) for name, value in raw.items()}


def env_problems(environment: Mapping[str, str]) -> list[str]:
    """What is wrong with a Frontdesk container's variable names: unknown settings, unexplained others."""
    problems = [f"{name}: no Frontdesk setting reads it" for name in unknown_settings(environment)]
    problems += [
        f"{name}: not a Frontdesk setting and not allowed (NOT_SETTINGS_ALLOWED)"
        for name in environment
        if not name.startswith(PREFIX) and name not in NOT_SETTINGS_ALLOWED
    ]
    return problems


@pytest.fixture(scope="module")
def made_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """deploy/.env as make-env.sh writes it (run on a copy of deploy/, never touching the real one)."""
    return env_file(run_make_env(tmp_path_factory.mktemp("deploy")))


def run_make_env(folder: Path) -> Path:
    for source in (MAKE_ENV, ENV_EXAMPLE):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / MAKE_ENV.name).chmod(0o755)
    done = subprocess.run(["sh", str(folder / MAKE_ENV.name)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return folder / ".env"


# --- The Compose Specification ---------------------------------------------------------------------


def test_the_compose_file_matches_the_compose_specification(made_env: dict[str, str]) -> None:
    document = compose_file()
    assert schema_errors(document) == []
    resolved = compose_file(interpolate(COMPOSE.read_text(), made_env))
    assert schema_errors(resolved) == []


def test_the_schema_check_catches_an_invalid_service_key() -> None:
    broken = copy.deepcopy(compose_file())
    broken["services"]["api"]["replica"] = 2  # a typo of deploy.replicas
    broken["services"]["worker"]["healthcheck"]["interval"] = 30  # compose wants a duration string
    errors = schema_errors(broken)
    assert any("services/api" in e and "'replica'" in e for e in errors), errors
    assert any("services/worker/healthcheck/interval" in e for e in errors), errors


# --- Frontdesk's environment -----------------------------------------------------------------------


@pytest.mark.parametrize("name", FRONTDESK_SERVICES)
def test_each_frontdesk_service_sets_only_settings_frontdesk_reads(
    name: str, made_env: dict[str, str]
) -> None:
    environment = environment_of(compose_file()["services"][name], made_env)
    assert env_problems(environment) == []


def test_the_env_check_catches_a_misspelled_setting(made_env: dict[str, str]) -> None:
    environment = environment_of(compose_file()["services"]["api"], made_env)
    environment["FRONTDESK_SECRETKEY"] = environment.pop("FRONTDESK_SECRET_KEY")
    environment["DATABASE_URL"] = "postgresql://elsewhere"
    assert env_problems(environment) == [
        "FRONTDESK_SECRETKEY: no Frontdesk setting reads it",
        "DATABASE_URL: not a Frontdesk setting and not allowed (NOT_SETTINGS_ALLOWED)",
    ]


@pytest.mark.parametrize("name", FRONTDESK_SERVICES)
def test_with_make_env_values_each_service_starts_in_production(name: str, made_env: dict[str, str]) -> None:
    settings = settings_from(environment_of(compose_file()["services"][name], made_env))
    assert settings.env is Environment.PROD
    assert (
        settings.database_url
        == f"postgresql://frontdesk:{made_env['POSTGRES_PASSWORD']}@postgres:5432/frontdesk"
    )
    assert settings.redis_url is not None and settings.redis_url.get_secret_value() == "redis://redis:6379/0"
    assert settings.bridge_url == "http://zapw:3000"
    assert str(settings.files_dir) == "/data/files"
    assert not settings.demo_seed
    assert settings.openai_api_key is not None and not settings.openai_api_key.get_secret_value()


def test_a_missing_secret_stops_production(made_env: dict[str, str]) -> None:
    """The same check fails where Frontdesk would refuse to start: a secret .env leaves empty."""
    for secret in ("FRONTDESK_ENCRYPTION_KEYS", "FRONTDESK_SECRET_KEY", "FRONTDESK_BRIDGE_WEBHOOK_TOKEN"):
        env = {**made_env, secret: ""}
        with pytest.raises(ValidationError, match=secret.removeprefix(PREFIX).lower() + "|" + secret):
            settings_from(environment_of(compose_file()["services"]["api"], env))


def test_zapw_and_frontdesk_share_the_bridge_secrets(made_env: dict[str, str]) -> None:
    services = compose_file()["services"]
    zapw = environment_of(services["zapw"], made_env)
    frontdesk = settings_from(environment_of(services["api"], made_env))
    token = frontdesk.bridge_webhook_token.get_secret_value() if frontdesk.bridge_webhook_token else ""
    assert zapw["WEBHOOK_URL"] == f"http://api:8000/webhooks/bridge?token={token}"
    assert (
        frontdesk.bridge_api_key is not None
        and zapw["API_KEY"] == frontdesk.bridge_api_key.get_secret_value()
    )
    assert zapw["ENABLE_WEBHOOK"] == "true" and zapw["PORT"] == "3000"
    assert f"zapw-sessions:{zapw['SESSIONS_DATA_PATH']}" in services["zapw"]["volumes"]


# --- .env.example and make-env.sh ------------------------------------------------------------------


def test_only_braced_variables() -> None:
    """The resolver above reads ${NAME} forms only; a bare $NAME would slip past every check here."""
    assert re.findall(r"\$[A-Za-z_]", COMPOSE.read_text().replace("$$", "")) == []


def test_every_variable_without_a_default_is_in_env_example_and_every_example_name_is_used() -> None:
    used = list(variables(COMPOSE.read_text()))
    required = {m["name"] for m in used if m["op"] is None}
    with_default = {m["name"] for m in used if m["op"] is not None}
    listed = set(env_file(ENV_EXAMPLE))
    assert required - listed == set(), "interpolated without a default, missing from .env.example"
    assert listed - required - with_default == set(), "in .env.example, used nowhere in compose.yaml"
    # The optional ones are listed too, commented out, with the default compose.yaml gives them.
    commented = dict(re.findall(r"^# ([A-Z_]+)=(.*)$", ENV_EXAMPLE.read_text(), re.M))
    assert set(commented) == with_default
    defaults = {m["name"]: m["arg"] for m in used if m["op"] == ":-"}
    assert {name: defaults[name] for name in commented} == commented


def test_env_example_holds_no_secret() -> None:
    filled = {name: value for name, value in env_file(ENV_EXAMPLE).items() if value}
    assert filled == {"MINIO_ROOT_USER": "frontdesk"}  # a user name, not a secret


def test_make_env_fills_every_secret_with_fresh_values_of_the_right_shape(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = env_file(run_make_env(tmp_path / "one"))
    second = env_file(run_make_env(tmp_path / "two"))
    assert set(first) == set(env_file(ENV_EXAMPLE))
    assert all(first.values()), "every secret filled"
    secrets = [name for name, value in env_file(ENV_EXAMPLE).items() if not value]
    assert len(secrets) == 9
    assert all(first[name] != second[name] for name in secrets), "fresh on every run"
    assert len({first[name] for name in secrets}) == len(secrets), "no secret reused for another"
    assert len(base64.urlsafe_b64decode(first["FRONTDESK_ENCRYPTION_KEYS"])) == 32  # a Fernet key
    for name in secrets:
        if name != "FRONTDESK_ENCRYPTION_KEYS":
            assert re.fullmatch(r"[0-9a-f]{32,64}", first[name]), name  # hex: safe inside URLs
    assert len(first["FRONTDESK_BRIDGE_WEBHOOK_TOKEN"]) >= 32
    assert stat.S_IMODE((tmp_path / "one" / ".env").stat().st_mode) == 0o600


def test_make_env_refuses_to_overwrite_an_existing_env(tmp_path: Path) -> None:
    written = run_make_env(tmp_path)
    before = written.read_text()
    again = subprocess.run(["sh", str(tmp_path / MAKE_ENV.name)], capture_output=True, text=True, check=False)
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert written.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env", ".env.example", "make-env.sh"]


def test_make_env_stops_on_a_secret_it_cannot_make(tmp_path: Path) -> None:
    (tmp_path / MAKE_ENV.name).write_bytes(MAKE_ENV.read_bytes())
    (tmp_path / ENV_EXAMPLE.name).write_text(ENV_EXAMPLE.read_text() + "A_NEW_SECRET=\n")
    done = subprocess.run(["sh", str(tmp_path / MAKE_ENV.name)], capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "A_NEW_SECRET" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.example", "make-env.sh"]  # nothing half-made


def test_deploy_env_is_ignored_by_git() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(DEPLOY / ".env")], cwd=DEPLOY, check=False
    ).returncode
    kept = subprocess.run(["git", "check-ignore", "-q", str(ENV_EXAMPLE)], cwd=DEPLOY, check=False).returncode
    assert (ignored, kept) == (0, 1)


# --- The stack's shape -----------------------------------------------------------------------------


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose_file()["services"]
    return found


def test_the_roles_and_replicas() -> None:
    stack = services()
    assert stack["api"]["command"] == ["serve", "--no-workers", "--host", "0.0.0.0", "--port", "8000"]
    assert stack["worker"]["command"] == ["worker"]
    assert stack["api"]["deploy"]["replicas"] == 2
    assert stack["worker"]["deploy"]["replicas"] == 2
    image = f"${{IMAGE:-ghcr.io/frontdesk/frontdesk:{package_version()}}}"
    assert {name for name, s in stack.items() if s.get("image") == image} == set(FRONTDESK_SERVICES)
    assert all(stack[name]["build"]["context"] == ".." for name in FRONTDESK_SERVICES)
    version = re.fullmatch(r"postgres:(\d+)(-alpine)?", stack["postgres"]["image"])
    assert version is not None and int(version[1]) >= 16


def test_the_migration_runs_once_before_everything_of_frontdesk() -> None:
    stack = services()
    migrations = [name for name, s in stack.items() if s.get("command") == ["db", "upgrade"]]
    assert migrations == ["migrate"]
    assert stack["migrate"]["restart"] == "no" and "deploy" not in stack["migrate"]
    for name in ("api", "worker"):
        assert stack[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert stack[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert stack["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def package_version() -> str:
    """The release pyproject.toml names: the tag the forge CI publishes for it."""
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


def test_every_long_running_service_but_the_worker_has_a_health_check() -> None:
    stack = services()
    assert set(stack) == {"migrate", *LONG_RUNNING}
    for name in set(LONG_RUNNING) - set(WITHOUT_HEALTH_CHECK):
        check = stack[name].get("healthcheck", {})
        assert check.get("test", [""])[0] in ("CMD", "CMD-SHELL") and not check.get("disable"), name
    for name in WITHOUT_HEALTH_CHECK:
        # Explicitly off: left out, the image's HEALTHCHECK (GET /healthz on :8000) would apply.
        assert stack[name]["healthcheck"] == {"disable": True}, name
    assert "healthcheck" not in stack["migrate"]  # it exits when done


def test_every_image_is_pinned_to_a_version() -> None:
    """No `latest` and no bare name: an `up` months later must start what was tested. The forge CI
    publishes Frontdesk's version tags only, so the default is the package's version."""
    for name, service in services().items():
        image = re.sub(
            r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", service["image"]
        )  # the default compose falls back to
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        assert tag not in ("", "latest"), f"{name}: {service['image']}"


def test_compose_variables_are_not_named_like_settings() -> None:
    """A `${FRONTDESK_*}` is only ever a setting handed to Frontdesk: compose-only variables (the image,
    the published port) carry other names, so the docs' settings checks stay true."""
    names = {m["name"] for m in variables(COMPOSE.read_text())}
    assert unknown_settings(names) == []


def test_state_lives_on_named_volumes() -> None:
    document = compose_file()
    declared = set(document["volumes"])
    mounted: dict[str, set[str]] = {}
    for name, service in document["services"].items():
        for mount in service.get("volumes", []):
            source, target = mount.split(":")[:2]
            if not source.startswith("./"):
                mounted.setdefault(source, set()).add(f"{name}:{target}")
            else:
                assert (DEPLOY / source).is_file(), mount  # a bind mount of a file of this folder
    assert set(mounted) == declared, "every named volume declared, every declared one used"
    assert mounted["pg-data"] == {"postgres:/var/lib/postgresql/data"}
    assert mounted["files"] == {"api:/data/files", "worker:/data/files"}  # one store for media
    assert mounted["zapw-sessions"] == {"zapw:/app/sessions_data"}
    assert mounted["minio-data"] == {"minio:/data"}


def test_minio_and_the_collector_are_optional_profiles() -> None:
    stack = services()
    profiled = {name: s["profiles"] for name, s in stack.items() if "profiles" in s}
    assert profiled == {name: [profile] for name, profile in OPTIONAL_PROFILES.items()}


def test_one_published_port_and_no_database_on_the_host() -> None:
    published = {name: s["ports"] for name, s in services().items() if "ports" in s}
    assert published == {"proxy": ["${HTTP_PORT:-8080}:8080"]}
    assert all("network_mode" not in s for s in services().values())  # host networking would publish all


# --- The proxy and the collector ---------------------------------------------------------------------


def test_the_proxy_balances_over_the_api_replicas() -> None:
    text = CADDYFILE.read_text()
    assert re.search(r"dynamic a \{\s*name api\s*port 8000", text), "the api service's replicas, port 8000"
    assert re.search(r"^:8080 \{", text, re.M), "the port compose publishes"
    assert services()["proxy"]["depends_on"] == {"api": {"condition": "service_healthy"}}


def test_the_caddyfile_is_valid(need: Callable[[str], str]) -> None:
    caddy = need("caddy")
    done = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Valid configuration" in done.stdout + done.stderr


def test_the_collector_pipelines_name_only_components_it_defines() -> None:
    config = yaml.safe_load(COLLECTOR.read_text())
    service = config["service"]
    assert set(service["extensions"]) <= set(config["extensions"])
    for pipeline in service["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            assert set(pipeline.get(kind, [])) <= set(config[kind]), (kind, pipeline)
    collector = services()["otel-collector"]
    mounted = {m.split(":")[1] for m in collector["volumes"] if m.startswith("./otel-collector.yaml:")}
    assert {f"--config={path}" for path in mounted} == set(collector["command"])
