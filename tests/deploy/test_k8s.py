"""deploy/k8s: the manifests `kubectl kustomize` renders, held against the Kubernetes schemas and Frontdesk.

No cluster runs here. Each kustomization (the base and the example overlay) is rendered with the real
`kubectl kustomize`, every document is validated in strict mode (an unknown field fails) against the
oldest and a recent Kubernetes version we support, and then the things a schema cannot know are checked:
the probes point at the api's real routes and port, every pod is non-root, every container has requests
and limits, every FRONTDESK_* name is a setting, secrets arrive only by reference (and are all that
FRONTDESK_ENV=prod needs to start), and the HPAs, PDBs, Service, Ingress and Job point at what exists.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import typing
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from frontdesk.domain.ops import READINESS_CHECKS
from frontdesk.settings import Settings
from tests.deploy.conftest import DEPLOY, PREFIX, ROOT, client_seen_behind, settings_from, unknown_settings

K8S = DEPLOY / "k8s"
KUSTOMIZATIONS = ["base", "overlays/example"]
# preStop `sleep` (no binary needed in the image) is on by default from 1.30; 1.35 is a recent release.
KUBERNETES_VERSIONS = ["1.30.0", "1.35.0"]
UID = 10001
API_PORT = 8000
# Variables a Frontdesk container may carry that are not Frontdesk settings, each with why.
NOT_SETTINGS_ALLOWED = {
    "FORWARDED_ALLOW_IPS": "uvicorn's own: trust X-Forwarded-For from the ingress controller's pods",
}
# The secrets FRONTDESK_ENV=prod refuses to start without, plus the database URL (it holds a password).
REQUIRED_SECRETS = {
    "FRONTDESK_DATABASE_URL",
    "FRONTDESK_SECRET_KEY",
    "FRONTDESK_ENCRYPTION_KEYS",
    "FRONTDESK_WHATSAPP_VERIFY_TOKEN",
    "FRONTDESK_WHATSAPP_APP_SECRET",
    "FRONTDESK_WHATSAPP_ACCESS_TOKEN",
}

Manifest = dict[str, Any]


def secret_settings() -> set[str]:
    """The variables that hold secrets: every `SecretStr` setting, and the database URL (its password)."""
    names = {"FRONTDESK_DATABASE_URL"}
    for name, field in Settings.model_fields.items():
        if SecretStr in _types_in(field.annotation):
            names.add(PREFIX + name.upper())
    return names


def _types_in(annotation: object) -> set[object]:
    found = {annotation}
    for arg in typing.get_args(annotation):
        found |= _types_in(arg)
    return found


def render(kubectl: str, folder: Path) -> list[Manifest]:
    """The documents `kubectl kustomize <folder>` prints, parsed anew for each caller (tests edit them)."""
    return [doc for doc in yaml.safe_load_all(_kustomize(kubectl, folder)) if doc]


@functools.cache
def _kustomize(kubectl: str, folder: Path) -> str:
    # Once per folder and process: the files do not change during a run, and kubectl takes a while.
    out = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(params=KUSTOMIZATIONS)
def manifests(request: pytest.FixtureRequest, need: Callable[[str], str]) -> list[Manifest]:
    return render(need("kubectl"), K8S / request.param)


def of_kind(docs: list[Manifest], kind: str) -> list[Manifest]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[Manifest], kind: str, name: str) -> Manifest:
    found = [d for d in of_kind(docs, kind) if d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads(docs: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    """(kind/name, pod spec) of every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def the_container(pod: Manifest) -> Manifest:
    (container,) = pod["containers"]
    return typing.cast(Manifest, container)


def config_map(docs: list[Manifest], name: str) -> Manifest:
    """A ConfigMap by the name the manifests refer to (kustomize's generated name, hash and all)."""
    return named(docs, "ConfigMap", name)


def environment(docs: list[Manifest], container: Manifest) -> dict[str, str]:
    """The container's FRONTDESK_* names and where each comes from: `config`, `literal`, `secret`."""
    sources: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            data = config_map(docs, source["configMapRef"]["name"]).get("data", {})
            sources.update(dict.fromkeys(data, "config"))
    for var in container.get("env", []):
        value_from = var.get("valueFrom", {})
        sources[var["name"]] = "secret" if "secretKeyRef" in value_from else "literal"
    return sources


def setting_problems(docs: list[Manifest]) -> list[str]:
    """Every FRONTDESK_* name the manifests set that Frontdesk does not read, with where it is set."""
    problems = []
    for where, pod in workloads(docs):
        for name in unknown_settings(environment(docs, the_container(pod))):
            problems.append(f"{where}: {name}")
    for cm in of_kind(docs, "ConfigMap"):
        problems += [f"ConfigMap/{cm['metadata']['name']}: {n}" for n in unknown_settings(cm.get("data", {}))]
    return problems


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector["matchLabels"].items())


def pod_labels(docs: list[Manifest], kind: str, name: str) -> dict[str, str]:
    return typing.cast(dict[str, str], named(docs, kind, name)["spec"]["template"]["metadata"]["labels"])


def quantity(value: str | int) -> float:
    """A Kubernetes quantity ("250m", "1", "512Mi", "1Gi") as a plain number, to compare two of them."""
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda unit: -len(unit[0])):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    return float(text)


# -- the schemas ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_document_matches_the_kubernetes_schema(manifests: list[Manifest], version: str) -> None:
    kinds = {doc["kind"] for doc in manifests}
    assert {
        "Deployment",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Job",
    } <= kinds
    assert {"ConfigMap", "PersistentVolumeClaim", "ServiceAccount"} <= kinds
    for doc in manifests:
        kubernetes_validate.validate(doc, version, strict=True)


def test_a_field_the_schema_does_not_know_fails_it(need: Callable[[str], str]) -> None:
    docs = render(need("kubectl"), K8S / "base")
    api = named(docs, "Deployment", "frontdesk-api")
    the_container(api["spec"]["template"]["spec"])["livenessProbes"] = {"httpGet": {"path": "/healthz"}}
    with pytest.raises(kubernetes_validate.ValidationError, match="livenessProbes"):
        kubernetes_validate.validate(api, KUBERNETES_VERSIONS[-1], strict=True)


# -- what runs, and how its health is seen ----------------------------------------------------------------


def test_the_api_serves_http_only_with_its_probes_on_the_real_routes(manifests: list[Manifest]) -> None:
    api = the_container(named(manifests, "Deployment", "frontdesk-api")["spec"]["template"]["spec"])
    assert api["args"][:2] == ["serve", "--no-workers"]
    assert api["args"][api["args"].index("--host") + 1] == "0.0.0.0"
    ports = {port["name"]: port["containerPort"] for port in api["ports"]}
    assert ports == {"http": API_PORT}
    probes = {kind: api[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"]["path"] == "/healthz"  # no database call: an outage restarts nothing
    assert probes["startupProbe"]["path"] == "/healthz"
    # Readiness leaves out `workers` (a stalled queue would empty the Service of every api pod at once),
    # by a name /readyz knows: an unknown one is answered 400, a probe that never passes.
    path, _, query = probes["readinessProbe"]["path"].partition("?")
    assert (path, urllib.parse.parse_qs(query)) == ("/readyz", {"exclude": ["workers"]})
    assert {"workers"} <= set(READINESS_CHECKS)
    for probe in probes.values():
        assert ports.get(probe["port"], probe["port"]) == API_PORT
    # Start-up migrates and loads the embeddings: the startup probe waits minutes, not liveness's 30 s.
    startup = api["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 120


def test_the_routes_exist_in_the_app() -> None:
    from frontdesk.http import create_app

    paths = set(create_app(Settings()).openapi()["paths"])
    assert {"/healthz", "/readyz", "/webhooks/whatsapp", "/webhooks/aws", "/webhooks/bridge"} <= paths


def test_the_worker_runs_workers_and_the_job_migrates(manifests: list[Manifest]) -> None:
    worker = the_container(named(manifests, "Deployment", "frontdesk-worker")["spec"]["template"]["spec"])
    assert worker["args"] == ["worker"]
    assert not {"livenessProbe", "readinessProbe", "startupProbe", "ports"} & set(worker)  # no HTTP server
    job = named(manifests, "Job", "frontdesk-migrate")
    pod = job["spec"]["template"]["spec"]
    assert the_container(pod)["args"] == ["db", "upgrade"]
    assert pod["restartPolicy"] == "Never"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0  # a finished Job goes, so the next release can apply
    images = {the_container(pod)["image"] for _, pod in workloads(manifests)}
    assert len(images) == 1, images  # the Job migrates to exactly the schema the pods expect


def test_images_are_pinned_to_a_tag(manifests: list[Manifest]) -> None:
    for where, pod in workloads(manifests):
        image = the_container(pod)["image"]
        name, _, tag = image.rpartition(":")
        assert "/" in name and tag not in ("", "latest"), f"{where}: {image}"


def test_graceful_termination(manifests: list[Manifest]) -> None:
    api = named(manifests, "Deployment", "frontdesk-api")["spec"]["template"]["spec"]
    assert the_container(api)["lifecycle"]["preStop"]["sleep"]["seconds"] > 0
    assert (
        api["terminationGracePeriodSeconds"] > the_container(api)["lifecycle"]["preStop"]["sleep"]["seconds"]
    )
    worker = named(manifests, "Deployment", "frontdesk-worker")["spec"]["template"]["spec"]
    # A turn in flight: an LLM call and a send, each at its default time limit.
    defaults = Settings()
    assert worker["terminationGracePeriodSeconds"] >= (
        defaults.llm_timeout_seconds + defaults.whatsapp_timeout_seconds
    )


# -- security and resources -------------------------------------------------------------------------------


def test_every_container_is_non_root_and_locked_down(manifests: list[Manifest]) -> None:
    for where, pod in workloads(manifests):
        assert pod["automountServiceAccountToken"] is False, where
        pod_security = pod["securityContext"]
        assert pod_security["runAsNonRoot"] is True, where
        assert pod_security["runAsUser"] == UID, where
        assert pod_security["seccompProfile"]["type"] == "RuntimeDefault", where
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True and security.get("runAsUser", UID) != 0, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in security["capabilities"], where
            assert security.get("privileged", False) is False, where


def test_the_read_only_root_has_a_writable_tmp_and_every_mount_a_volume(manifests: list[Manifest]) -> None:
    claims = {pvc["metadata"]["name"] for pvc in of_kind(manifests, "PersistentVolumeClaim")}
    for where, pod in workloads(manifests):
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        mounts = {mount["mountPath"]: mount["name"] for mount in the_container(pod)["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], where
        assert set(mounts.values()) <= set(volumes), where
        for volume in volumes.values():
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, where


def test_api_and_workers_share_the_files_folder_the_setting_names(manifests: list[Manifest]) -> None:
    for name in ("frontdesk-api", "frontdesk-worker"):
        pod = named(manifests, "Deployment", name)["spec"]["template"]["spec"]
        container = the_container(pod)
        data = config_map(manifests, container["envFrom"][0]["configMapRef"]["name"])["data"]
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        volume = next(v for v in pod["volumes"] if v["name"] == mounts[data["FRONTDESK_FILES_DIR"]])
        assert volume["persistentVolumeClaim"]["claimName"] == "frontdesk-files", name


def test_every_container_has_requests_and_limits(manifests: list[Manifest]) -> None:
    for where, pod in workloads(manifests):
        resources = the_container(pod)["resources"]
        for resource in ("cpu", "memory"):
            request, limit = resources["requests"][resource], resources["limits"][resource]
            assert 0 < quantity(request) <= quantity(limit), f"{where} {resource}: {request} > {limit}"


# -- settings and secrets ---------------------------------------------------------------------------------


def test_every_frontdesk_name_is_a_setting(manifests: list[Manifest]) -> None:
    assert setting_problems(manifests) == []


def test_a_misspelled_setting_is_caught(need: Callable[[str], str], tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                # kustomize takes another kustomization only by a relative path
                "resources": [os.path.relpath(K8S / "base", tmp_path)],
                "configMapGenerator": [
                    {
                        "name": "frontdesk-config",
                        "behavior": "merge",
                        "literals": ["FRONTDESK_LOG_LEVLE=DEBUG"],
                    }
                ],
            }
        )
    )
    problems = setting_problems(render(need("kubectl"), tmp_path))
    assert "Deployment/frontdesk-api: FRONTDESK_LOG_LEVLE" in problems
    assert any(p.startswith("ConfigMap/") and p.endswith("FRONTDESK_LOG_LEVLE") for p in problems)


def test_secrets_come_only_by_reference(manifests: list[Manifest]) -> None:
    secrets = secret_settings()
    assert secrets >= REQUIRED_SECRETS
    assert not of_kind(manifests, "Secret")  # the operator creates it; a literal one would be in git
    for cm in of_kind(manifests, "ConfigMap"):
        assert not secrets & set(cm.get("data", {})), cm["metadata"]["name"]
    for where, pod in workloads(manifests):
        container = the_container(pod)
        sources = environment(manifests, container)
        leaked = {name: source for name, source in sources.items() if name in secrets and source != "secret"}
        assert leaked == {}, where
        referenced = {name for name, source in sources.items() if source == "secret"}
        # The example overlay also requires the api's metrics token (see the test of that overlay below).
        assert referenced - {"FRONTDESK_METRICS_TOKEN"} == REQUIRED_SECRETS, where
        # Literal values only for what is not a setting (uvicorn's FORWARDED_ALLOW_IPS): never a secret.
        literals = {var["name"] for var in container.get("env", []) if "value" in var}
        assert literals <= set(NOT_SETTINGS_ALLOWED), where
        refs = [s["secretRef"] for s in container["envFrom"] if "secretRef" in s]
        assert refs == [{"name": "frontdesk-extra-secrets", "optional": True}], where


def prod_environment(docs: list[Manifest], container: Manifest, leave_out: str = "") -> dict[str, str]:
    """The container's environment with each secret reference filled as the operator's Secret would."""
    data = config_map(docs, container["envFrom"][0]["configMapRef"]["name"])["data"]
    filled = {
        "FRONTDESK_DATABASE_URL": "postgresql://frontdesk:pw@db.internal/frontdesk",
        "FRONTDESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    env = dict(data)
    for name, source in environment(docs, container).items():
        if source == "secret" and name != leave_out:
            env[name] = filled.get(name, "a-real-secret-from-the-operators-secret")
    return env


def test_prod_starts_with_the_secrets_referenced_and_not_without_one(manifests: list[Manifest]) -> None:
    for where, pod in workloads(manifests):
        container = the_container(pod)
        settings = settings_from(prod_environment(manifests, container))
        assert settings.env.value == "prod", where
        assert not settings.demo_seed, where
        for secret in sorted(REQUIRED_SECRETS - {"FRONTDESK_DATABASE_URL"}):
            with pytest.raises(ValidationError, match=secret):
                settings_from(prod_environment(manifests, container, leave_out=secret))


# -- what points at what ----------------------------------------------------------------------------------


def test_autoscalers_target_deployments_that_exist_and_leave_them_the_count(
    manifests: list[Manifest],
) -> None:
    hpas = of_kind(manifests, "HorizontalPodAutoscaler")
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas}
    assert targets == {"frontdesk-api", "frontdesk-worker"}
    for hpa in hpas:
        ref = hpa["spec"]["scaleTargetRef"]
        deployment = named(manifests, ref["kind"], ref["name"])
        assert "replicas" not in deployment["spec"], ref["name"]  # a fixed count would fight the HPA
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        # Utilization is a share of the request: without a CPU request the HPA cannot scale.
        pod = deployment["spec"]["template"]["spec"]
        assert "cpu" in the_container(pod)["resources"]["requests"]


def test_disruption_budgets_select_their_pods_only(manifests: list[Manifest]) -> None:
    api_pods = pod_labels(manifests, "Deployment", "frontdesk-api")
    worker_pods = pod_labels(manifests, "Deployment", "frontdesk-worker")
    api_pdb = named(manifests, "PodDisruptionBudget", "frontdesk-api")["spec"]
    assert selects(api_pdb["selector"], api_pods) and not selects(api_pdb["selector"], worker_pods)
    assert api_pdb["minAvailable"] >= 1
    worker_pdb = named(manifests, "PodDisruptionBudget", "frontdesk-worker")["spec"]
    assert selects(worker_pdb["selector"], worker_pods) and not selects(worker_pdb["selector"], api_pods)
    # A budget protects little if every pod sits on the node being drained: each spreads over nodes.
    for name, labels in (("frontdesk-api", api_pods), ("frontdesk-worker", worker_pods)):
        pod = named(manifests, "Deployment", name)["spec"]["template"]["spec"]
        (spread,) = pod["topologySpreadConstraints"]
        assert spread["topologyKey"] == "kubernetes.io/hostname" and selects(spread["labelSelector"], labels)


def test_the_service_and_ingress_reach_the_api_pods(manifests: list[Manifest]) -> None:
    service = named(manifests, "Service", "frontdesk-api")["spec"]
    selector = {"matchLabels": service["selector"]}
    assert selects(selector, pod_labels(manifests, "Deployment", "frontdesk-api"))
    assert not selects(selector, pod_labels(manifests, "Deployment", "frontdesk-worker"))
    service_ports = {port["name"] for port in service["ports"]}
    api = the_container(named(manifests, "Deployment", "frontdesk-api")["spec"]["template"]["spec"])
    assert {port["targetPort"] for port in service["ports"]} <= {port["name"] for port in api["ports"]}
    (rule,) = named(manifests, "Ingress", "frontdesk")["spec"]["rules"]
    paths = {path["path"]: path["backend"]["service"] for path in rule["http"]["paths"]}
    assert {"/webhooks", "/"} <= set(paths)
    for backend in paths.values():
        assert backend["name"] == "frontdesk-api" and backend["port"]["name"] in service_ports


def test_the_api_takes_the_clients_address_from_the_ingress(manifests: list[Manifest]) -> None:
    # Behind the Ingress every connection comes from the controller's pod: without FORWARDED_ALLOW_IPS the
    # per-address login limit would count the whole install as one address, and the audit log the proxy's.
    api = the_container(named(manifests, "Deployment", "frontdesk-api")["spec"]["template"]["spec"])
    trusted = {var["name"]: var.get("value") for var in api["env"]}["FORWARDED_ALLOW_IPS"]
    # The controller appended the real client to what the client sent: the real one is taken.
    assert client_seen_behind(trusted, "10.42.0.7", "6.6.6.6, 203.0.113.9") == "203.0.113.9"
    assert client_seen_behind(trusted, "fd00::7", "203.0.113.9") == "203.0.113.9"
    # A connection from outside the cluster's ranges is not believed.
    assert client_seen_behind(trusted, "198.51.100.1", "6.6.6.6") == "198.51.100.1"
    others = {
        var["name"]
        for _, pod in workloads(manifests)
        for var in the_container(pod).get("env", [])
        if not var["name"].startswith(PREFIX)
    }
    assert others <= set(NOT_SETTINGS_ALLOWED)


def test_the_example_overlay_pins_what_an_operator_sets(need: Callable[[str], str]) -> None:
    docs = render(need("kubectl"), K8S / "overlays/example")
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {"frontdesk"}
    assert {the_container(pod)["image"] for _, pod in workloads(docs)} == {"ghcr.io/your-org/frontdesk:0.1.0"}
    (rule,) = named(docs, "Ingress", "frontdesk")["spec"]["rules"]
    assert rule["host"] == "frontdesk.your-company.com"
    api = the_container(named(docs, "Deployment", "frontdesk-api")["spec"]["template"]["spec"])
    data = config_map(docs, api["envFrom"][0]["configMapRef"]["name"])["data"]
    assert data["FRONTDESK_PUBLIC_URL"] == f"https://{rule['host']}"
    assert data["FRONTDESK_ENV"] == "prod"  # merged over the base's settings, not instead of them


def test_the_example_overlay_requires_a_metrics_token(need: Callable[[str], str]) -> None:
    # The Ingress sends `/`, and so /metrics, to the api pods: the example's pods need the token to start.
    docs = render(need("kubectl"), K8S / "overlays/example")
    (rule,) = named(docs, "Ingress", "frontdesk")["spec"]["rules"]
    assert "/" in {path["path"] for path in rule["http"]["paths"]}
    api = the_container(named(docs, "Deployment", "frontdesk-api")["spec"]["template"]["spec"])
    (token,) = [var for var in api["env"] if var["name"] == "FRONTDESK_METRICS_TOKEN"]
    # From the required Secret, not optional: without the key the pod does not start.
    assert token["valueFrom"] == {
        "secretKeyRef": {"name": "frontdesk-secrets", "key": "FRONTDESK_METRICS_TOKEN"}
    }


def test_every_frontdesk_name_in_the_files_and_the_page_is_a_setting() -> None:
    # Comments and docs too: a commented-out example an operator uncomments must be a real setting.
    files = [*sorted(K8S.rglob("*.yaml")), *sorted(K8S.rglob("*.env")), ROOT / "docs/install/kubernetes.md"]
    named_anywhere = {
        name for path in files for name in re.findall(r"FRONTDESK_[A-Z0-9_]*[A-Z0-9]", path.read_text())
    }
    assert len(named_anywhere) > 10
    assert unknown_settings(named_anywhere) == []
