"""deploy/compose.s3.yaml, the override that keeps Frontdesk's files in the stack's MinIO: a valid Compose
file, merged over compose.yaml as Compose merges (environment by name, depends_on by service), giving
every Frontdesk service settings that start in production with the bucket, boto3's variables pointing at
MinIO, and the bucket made before the API and workers start."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from frontdesk.settings import Environment
from frontdesk.wiring.inbox import build_files
from tests.deploy.conftest import DEPLOY, settings_from
from tests.deploy.test_compose import (
    FRONTDESK_SERVICES,
    NOT_SETTINGS_ALLOWED,
    compose_file,
    env_file,
    env_problems,
    environment_of,
    made_env,
    schema_errors,
    variables,
)

OVERRIDE = DEPLOY / "compose.s3.yaml"
# boto3's standard variables, read by it (not by Frontdesk's settings): where MinIO is and who we are.
BOTO3_VARIABLES = {"AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}

__all__ = ["made_env"]  # the fixture, shared with test_compose


def override() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(OVERRIDE.read_text())
    return document


def merged_service(name: str) -> dict[str, Any]:
    """compose.yaml's service with the override's on top, as `docker compose -f … -f …` merges them."""
    base, extra = compose_file()["services"][name], override()["services"].get(name, {})
    return {
        **base,
        **extra,
        "environment": {**base.get("environment", {}), **extra.get("environment", {})},
        "depends_on": {**base.get("depends_on", {}), **extra.get("depends_on", {})},
    }


def test_the_override_matches_the_compose_specification() -> None:
    assert schema_errors(override()) == []


@pytest.mark.parametrize("name", FRONTDESK_SERVICES)
def test_each_frontdesk_service_keeps_its_files_in_minio(name: str, made_env: dict[str, str]) -> None:
    environment = environment_of(merged_service(name), made_env)
    problems = env_problems({k: v for k, v in environment.items() if k not in BOTO3_VARIABLES})
    assert problems == []
    assert not BOTO3_VARIABLES & set(NOT_SETTINGS_ALLOWED)  # allowed here only, by this override
    settings = settings_from(environment)
    assert settings.env is Environment.PROD
    assert settings.s3_bucket == "frontdesk"
    assert type(build_files(settings)).__name__ == "S3Files"
    assert environment["AWS_ENDPOINT_URL_S3"] == "http://minio:9000"
    assert environment["AWS_ACCESS_KEY_ID"] == made_env["MINIO_ROOT_USER"]
    assert environment["AWS_SECRET_ACCESS_KEY"] == made_env["MINIO_ROOT_PASSWORD"] != ""


def test_the_bucket_is_made_before_the_api_and_workers_start() -> None:
    for name in ("api", "worker"):
        needs = merged_service(name)["depends_on"]
        assert needs["minio-bucket"] == {"condition": "service_completed_successfully"}
        assert needs["migrate"] == {"condition": "service_completed_successfully"}  # still there
    bucket = override()["services"]["minio-bucket"]
    assert bucket["profiles"] == ["storage"]  # with MinIO, in its profile
    assert bucket["image"] == compose_file()["services"]["minio"]["image"]  # its `mc`, same version
    assert bucket["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert bucket["command"] == ["mc mb --ignore-existing local/frontdesk"]  # no credentials in argv
    assert bucket["environment"] == {
        "MC_HOST_local": "http://${MINIO_ROOT_USER}:${MINIO_ROOT_PASSWORD}@minio:9000"
    }


def test_every_variable_it_needs_is_in_env_example() -> None:
    listed = set(env_file(DEPLOY / ".env.example"))
    needed = {m["name"] for m in variables(OVERRIDE.read_text()) if m["op"] is None}
    assert needed and needed <= listed
