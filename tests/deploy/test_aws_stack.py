"""The AWS stack (deploy/aws): synthesised once in-process and once by the real `cdk` CLI (npm's aws-cdk,
`make deploy-deps`), and its template held to what the stack promises: least-privilege IAM, a database
no one outside the tasks can reach, encryption at rest, secrets only through Secrets Manager, every
FRONTDESK_* variable one Frontdesk reads, and End User Messaging's topic subscribed to the webhook.

No AWS account is involved: the stack is environment-agnostic and looks nothing up.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import SecretStr

from frontdesk.settings import Environment, Settings
from tests.deploy.conftest import DEPLOY, client_seen_behind, settings_from, unknown_settings

AWS = DEPLOY / "aws"
CDK = AWS / "node_modules" / ".bin" / "cdk"
DOMAIN = "desk.example.com"
CONTEXT = {
    "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frontdesk:1.4.0",
    "domain": DOMAIN,
    "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f6c7a2e-1111-2222-3333-444455556666",
    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
    "hostedZoneName": "example.com",
    "bedrockModelIds": "anthropic.claude-3-haiku-20240307-v1:0,eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
    "extraSecrets": "FRONTDESK_OPENAI_API_KEY",
}
# Actions granted on Resource "*", each because AWS offers no narrower resource for it.
RESOURCE_STAR_ALLOWED = {
    "xray:PutTraceSegments": "X-Ray has no resource-level permissions (the collector sidecar)",
    "xray:PutTelemetryRecords": "X-Ray has no resource-level permissions (the collector sidecar)",
    "xray:GetSamplingRules": "X-Ray has no resource-level permissions (the collector sidecar)",
    "xray:GetSamplingTargets": "X-Ray has no resource-level permissions (the collector sidecar)",
    "ecr:GetAuthorizationToken": "ECR's login is account-wide; the pull itself is scoped to the repository",
}


def _holds_secret(annotation: Any) -> bool:
    """`SecretStr`, `SecretStr | None`, `list[SecretStr]`: the types Frontdesk keeps secrets in."""
    return annotation is SecretStr or any(_holds_secret(arg) for arg in getattr(annotation, "__args__", ()))


# The settings that hold secrets (typed SecretStr), and anything else whose name says it is one.
SECRET_SETTINGS = {
    "FRONTDESK_" + name.upper()
    for name, field in Settings.model_fields.items()
    if _holds_secret(field.annotation)
}
SECRET_LOOKING = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|PRIVATE")


def _stack_modules() -> tuple[ModuleType, ModuleType]:
    if str(AWS) not in sys.path:
        sys.path.insert(0, str(AWS))  # the CDK app's own package, as `python app.py` sees it
    return importlib.import_module("frontdesk_aws.config"), importlib.import_module("frontdesk_aws.stack")


def _synthesised() -> dict[str, Any]:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    config, stack = _stack_modules()
    app = cdk.App(context=CONTEXT)
    built = stack.FrontdeskStack(app, "Frontdesk", config=config.read_config(app.node))
    return dict(Template.from_stack(built).to_json())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, Any]:
    """The stack synthesised in-process, once per test session: jsii takes ~15 s a synth here, and under
    pytest-xdist the tests of this module land on several workers, which share this session's template
    (the first to take the lock writes it; the folder is this session's own)."""
    if worker_id == "master":
        return _synthesised()
    shared = tmp_path_factory.getbasetemp().parent / "aws-stack-template.json"
    with shared.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            shared.write_text(json.dumps(_synthesised()))
    return dict(json.loads(shared.read_text()))


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r["Type"] == kind}


def containers(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for task, props in resources(template, "AWS::ECS::TaskDefinition").items():
        for container in props["ContainerDefinitions"]:
            yield f"{task}/{container['Name']}", container


def frontdesk_containers(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: c for name, c in containers(template) if name.endswith("/frontdesk")}


def logical_id(prefix: str, template: dict[str, Any], kind: str) -> str:
    (found,) = [name for name in resources(template, kind) if name.startswith(prefix)]
    return found


def listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- IAM ---------------------------------------------------------------------------------------------


def statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, props in resources(template, "AWS::IAM::Policy").items():
        for statement in props["PolicyDocument"]["Statement"]:
            yield name, statement
    for name, props in resources(template, "AWS::IAM::Role").items():
        for policy in props.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield name, statement


def test_no_action_is_a_wildcard(template: dict[str, Any]) -> None:
    wide = [
        (policy, action)
        for policy, statement in statements(template)
        for action in listify(statement["Action"])
        if action == "*" or action.endswith(":*")
    ]
    assert wide == []
    assert not resources(template, "AWS::IAM::ManagedPolicy")


def test_resource_star_only_for_actions_that_need_it(template: dict[str, Any]) -> None:
    on_star = {
        action
        for _, statement in statements(template)
        if "*" in listify(statement["Resource"])
        for action in listify(statement["Action"])
    }
    assert on_star <= set(RESOURCE_STAR_ALLOWED), on_star - set(RESOURCE_STAR_ALLOWED)
    assert "xray:PutTraceSegments" in on_star  # the collector can export (the list is not vacuous)


def test_task_role_reaches_named_resources_only(template: dict[str, Any]) -> None:
    app_policy = logical_id("AppRoleDefaultPolicy", template, "AWS::IAM::Policy")
    granted: dict[str, str] = {}  # each action's resources, over every statement granting it
    for policy, statement in statements(template):
        for action in listify(statement["Action"]) if policy == app_policy else []:
            granted[action] = granted.get(action, "") + json.dumps(statement["Resource"])
    assert ":social-messaging:" in granted["social-messaging:SendWhatsAppMessage"]
    assert ":phone-number-id/*" in granted["social-messaging:SendWhatsAppMessage"]
    assert "/frontdesk-media/*" in granted["s3:GetObject"]
    models = granted["bedrock:InvokeModel"]
    assert "foundation-model/anthropic.claude-3-haiku-20240307-v1:0" in models
    assert "inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0" in models
    assert "foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0" in models
    assert "bedrock:*" not in granted and "s3:ListAllMyBuckets" not in granted


def test_files_live_in_the_bucket_under_their_prefix(template: dict[str, Any]) -> None:
    """FRONTDESK_S3_BUCKET is the stack's bucket and the task role reaches only the store's prefix
    there (objects, and a listing narrowed to it); no shared file system is left."""
    (bucket,) = resources(template, "AWS::S3::Bucket")
    app_policy = logical_id("AppRoleDefaultPolicy", template, "AWS::IAM::Policy")
    mine = {s.get("Sid"): s for policy, s in statements(template) if policy == app_policy}
    objects = mine["FileStore"]
    assert sorted(listify(objects["Action"])) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert json.dumps(objects["Resource"]).count(bucket) == 1
    assert json.dumps(objects["Resource"]).endswith('"/frontdesk-files/*"]]}')
    listing = mine["FileStoreListing"]
    assert listify(listing["Action"]) == ["s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["frontdesk-files/*"]}}
    apps = frontdesk_containers(template)
    assert len(apps) == 3  # api, worker, migration
    for container in apps.values():
        plain = {e["Name"]: e["Value"] for e in container.get("Environment", [])}
        assert plain["FRONTDESK_S3_BUCKET"] == {"Ref": bucket}
        assert plain["FRONTDESK_S3_PREFIX"] == "frontdesk-files"
        assert "FRONTDESK_FILES_DIR" not in plain and "MountPoints" not in container
    assert not resources(template, "AWS::EFS::FileSystem")


def test_migration_task_role_grants_nothing(template: dict[str, Any]) -> None:
    role = logical_id("MigrationRole", template, "AWS::IAM::Role")
    attached = [
        p for p in resources(template, "AWS::IAM::Policy").values() if {"Ref": role} in p.get("Roles", [])
    ]
    assert attached == []
    assert "Policies" not in resources(template, "AWS::IAM::Role")[role]


# --- Network and data --------------------------------------------------------------------------------


def ingress_sources(template: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """Every rule letting traffic into `group`, standalone or inline."""
    rules = [r for r in resources(template, "AWS::EC2::SecurityGroupIngress").values() if _targets(r, group)]
    rules += resources(template, "AWS::EC2::SecurityGroup")[group].get("SecurityGroupIngress", [])
    return rules


def _targets(rule: dict[str, Any], group: str) -> bool:
    return rule.get("GroupId") == {"Fn::GetAtt": [group, "GroupId"]}


def source_groups(rules: list[dict[str, Any]]) -> set[str]:
    return {rule["SourceSecurityGroupId"]["Fn::GetAtt"][0] for rule in rules}


def test_database_is_private_and_encrypted(template: dict[str, Any]) -> None:
    (db,) = resources(template, "AWS::RDS::DBInstance").values()
    assert db["PubliclyAccessible"] is False
    assert db["StorageEncrypted"] is True
    assert db["DeletionProtection"] is True
    (subnet_group,) = resources(template, "AWS::RDS::DBSubnetGroup").values()
    subnets = resources(template, "AWS::EC2::Subnet")
    for ref in subnet_group["SubnetIds"]:
        tags = {t["Key"]: t["Value"] for t in subnets[ref["Ref"]]["Tags"]}
        assert tags["aws-cdk:subnet-type"] == "Isolated", ref
        assert subnets[ref["Ref"]]["MapPublicIpOnLaunch"] is False


def test_data_stores_reachable_only_from_the_tasks(template: dict[str, Any]) -> None:
    groups = resources(template, "AWS::EC2::SecurityGroup")
    tasks = {g for g in groups if g.startswith(("ApiSg", "WorkerSg", "MigrateSg"))}
    expected = {
        "DatabaseSg": {"ApiSg", "WorkerSg", "MigrateSg"},
        "RedisSg": {"ApiSg", "WorkerSg"},
    }
    for prefix, who in expected.items():
        group = logical_id(prefix, template, "AWS::EC2::SecurityGroup")
        rules = ingress_sources(template, group)
        assert all("CidrIp" not in r and "CidrIpv6" not in r for r in rules), (prefix, rules)
        sources = source_groups(rules)
        assert sources <= tasks, (prefix, sources)
        assert {s.rstrip("0123456789ABCDEF") for s in sources} == who, (prefix, sources)


def test_redis_and_bucket_are_encrypted(template: dict[str, Any]) -> None:
    (redis,) = resources(template, "AWS::ElastiCache::ReplicationGroup").values()
    assert redis["TransitEncryptionEnabled"] is True and redis["AtRestEncryptionEnabled"] is True
    (bucket,) = resources(template, "AWS::S3::Bucket").values()
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_bucket_blocks_public_access_and_plain_http(template: dict[str, Any]) -> None:
    (bucket,) = resources(template, "AWS::S3::Bucket").values()
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (policy,) = resources(template, "AWS::S3::BucketPolicy").values()
    denies = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
    assert "VersioningConfiguration" not in bucket  # deleted customer files must not linger as versions


# --- Containers --------------------------------------------------------------------------------------


def test_secrets_only_through_secrets_manager(template: dict[str, Any]) -> None:
    assert "FRONTDESK_SECRET_KEY" in SECRET_SETTINGS and "FRONTDESK_REDIS_URL" in SECRET_SETTINGS
    for name, container in containers(template):
        plain = {e["Name"]: e["Value"] for e in container.get("Environment", [])}
        leaked = [n for n in plain if n in SECRET_SETTINGS or SECRET_LOOKING.search(n)]
        assert leaked == [], name
    for name, container in frontdesk_containers(template).items():
        secrets = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
        assert {"FRONTDESK_SECRET_KEY", "FRONTDESK_ENCRYPTION_KEYS", "PGPASSWORD"} <= set(secrets), name
        assert "FRONTDESK_OPENAI_API_KEY" in secrets, name  # -c extraSecrets
        assert json.dumps(secrets["PGPASSWORD"]).endswith(':password::"]]}'), name
        url = json.dumps({e["Name"]: e["Value"] for e in container["Environment"]}["FRONTDESK_DATABASE_URL"])
        assert '"postgresql://frontdesk@"' in url, url  # a user, no password: asyncpg takes PGPASSWORD


def test_every_frontdesk_variable_is_a_setting(template: dict[str, Any]) -> None:
    names = {
        item["Name"]
        for _, container in containers(template)
        for item in container.get("Environment", []) + container.get("Secrets", [])
    }
    assert "FRONTDESK_AWS_SNS_TOPIC_ARNS" in names
    assert unknown_settings(names) == []


def rendered(value: Any) -> str:
    """A template value as the string it becomes at deploy, with each reference given a plausible name."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return {"AWS::Region": "eu-west-1", "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}.get(
            value["Ref"], value["Ref"].lower()
        )
    if "Fn::GetAtt" in value:
        return "-".join(value["Fn::GetAtt"]).lower().replace(".", "-")
    separator, parts = value["Fn::Join"]
    return str(separator).join(rendered(p) for p in parts)


def test_each_task_would_start_in_production(template: dict[str, Any]) -> None:
    """Its environment and secrets (given real-looking values) make Settings a production server accepts."""
    filled = {
        "FRONTDESK_ENCRYPTION_KEYS": "ZmFrZS1mZXJuZXQta2V5LWZvci10aGUtdGVzdHMtMzI=",
        "FRONTDESK_REDIS_URL": "rediss://redis.internal:6379",
    }
    for name, container in frontdesk_containers(template).items():
        env = {e["Name"]: rendered(e["Value"]) for e in container["Environment"]}
        env |= {
            s["Name"]: filled.get(s["Name"], "a-real-secret-filled-by-the-operator")
            for s in container["Secrets"]
        }
        settings = settings_from(env)
        assert settings.env is Environment.PROD, name
        assert settings.database_url.startswith("postgresql://frontdesk@") and not settings.is_sqlite
        assert settings.aws_sns_topic_arns and settings.aws_media_bucket, name
        assert settings.demo_seed is False
        assert settings.bedrock_access_key_id is None  # Bedrock through the task role, boto3's chain


def test_the_api_takes_the_clients_address_from_the_load_balancer(template: dict[str, Any]) -> None:
    # Every connection comes from the ALB: without FORWARDED_ALLOW_IPS the per-address login limit would
    # count the whole install as one address, and the audit log the balancer's.
    (api,) = [c for name, c in frontdesk_containers(template).items() if name.startswith("Api")]
    trusted = {e["Name"]: e["Value"] for e in api["Environment"]}["FORWARDED_ALLOW_IPS"]
    balancer = "10.0.1.23"  # a node of the ALB in a public subnet of the VPC (CDK's 10.0.0.0/16)
    assert client_seen_behind(trusted, balancer, "6.6.6.6, 203.0.113.9") == "203.0.113.9"
    assert client_seen_behind(trusted, balancer, "203.0.113.9") == "203.0.113.9"
    assert client_seen_behind(trusted, "198.51.100.1", "6.6.6.6") == "198.51.100.1"


def test_commands_and_health_check(template: dict[str, Any]) -> None:
    commands = {
        name.split("Task")[0]: c["EntryPoint"] + c["Command"]
        for name, c in frontdesk_containers(template).items()
    }
    assert commands == {
        "Api": ["frontdesk", "serve", "--no-workers", "--host", "0.0.0.0", "--port", "8000"],
        "Worker": ["frontdesk", "worker"],
        "Migrate": ["frontdesk", "db", "upgrade"],
    }
    (targets,) = resources(template, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert targets["HealthCheckPath"] == "/healthz" and targets["Port"] == 8000
    services = resources(template, "AWS::ECS::Service")
    assert len(services) == 2  # api and workers; the migration task is run on demand, not as a service
    for service in services.values():
        assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {
            "Enable": True,
            "Rollback": True,
        }
        assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"


def test_https_only_and_metrics_hidden(template: dict[str, Any]) -> None:
    listeners = {p["Port"]: p for p in resources(template, "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["Certificates"] == [{"CertificateArn": CONTEXT["certificateArn"]}]
    assert listeners[80]["DefaultActions"][0]["Type"] == "redirect"
    (rule,) = resources(template, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    assert rule["Conditions"][0]["PathPatternConfig"]["Values"][0] == "/metrics"
    assert rule["Actions"][0]["FixedResponseConfig"]["StatusCode"] == "404"


def test_sns_subscription_points_at_the_webhook(template: dict[str, Any]) -> None:
    (subscription,) = resources(template, "AWS::SNS::Subscription").values()
    assert subscription["Protocol"] == "https"
    assert subscription["Endpoint"] == f"https://{DOMAIN}/webhooks/aws"
    assert subscription.get("RawMessageDelivery", False) is False  # Frontdesk verifies SNS's envelope
    topic = subscription["TopicArn"]
    for name, container in frontdesk_containers(template).items():
        plain = {e["Name"]: e["Value"] for e in container["Environment"]}
        assert plain["FRONTDESK_AWS_SNS_TOPIC_ARNS"] == topic, name
    (topic_policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    publish = [
        s for s in topic_policy["PolicyDocument"]["Statement"] if s.get("Sid") == "EndUserMessagingPublishes"
    ]
    assert publish[0]["Principal"] == {"Service": "social-messaging.amazonaws.com"}


def test_collector_beside_long_running_tasks_and_logs_expire(template: dict[str, Any]) -> None:
    collectors = [name for name, _ in containers(template) if name.endswith("/otel-collector")]
    assert sorted(n.split("Task")[0] for n in collectors) == ["Api", "Worker"]
    for _, container in containers(template):
        assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    assert all(g["RetentionInDays"] == 30 for g in resources(template, "AWS::Logs::LogGroup").values())


# --- Configuration, and the real CLI -----------------------------------------------------------------


class _Context:
    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def try_get_context(self, key: str) -> object:
        return self._values.get(key)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, "-c image"),
        ({"image": "x", "domain": DOMAIN}, "-c certificateArn"),
        ({"image": "x", "extraSecrets": "OPENAI_API_KEY"}, "-c extraSecrets"),
        ({"image": "x", "apiCount": "two"}, "-c apiCount"),
    ],
)
def test_bad_context_is_refused_naming_the_key(values: dict[str, str], named: str) -> None:
    config, _ = _stack_modules()
    with pytest.raises(config.ConfigError, match=named):
        config.read_config(_Context(values))


def test_first_deployment_may_run_no_tasks_and_exec_is_opt_in() -> None:
    config, _ = _stack_modules()
    first = config.read_config(_Context({"image": "x", "apiCount": "0", "workerCount": "0"}))
    assert (first.api_count, first.worker_count, first.exec_command) == (0, 0, False)
    assert config.read_config(_Context({"image": "x", "execCommand": "true"})).exec_command is True


def test_cdk_cli_synthesises_without_aws_credentials(need: Callable[[str], str], tmp_path: Path) -> None:
    need("node")
    if not CDK.exists():
        pytest.fail("deploy/aws/node_modules is missing: run make deploy-deps")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {"CDK_DISABLE_CLI_TELEMETRY": "true", "AWS_EC2_METADATA_DISABLED": "true", "CI": "true"}
    # Plain `cdk synth` (no --app: cdk.json's) in deploy/aws as docs/install/aws.md sets it up, with its own
    # .venv: here a copy whose .venv/bin/python is this interpreter, which has aws-cdk-lib.
    app = tmp_path / "aws"
    shutil.copytree(
        AWS, app, ignore=shutil.ignore_patterns("node_modules", "cdk.out", ".venv", "__pycache__")
    )
    python = app / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    out = tmp_path / "cdk.out"
    command = [str(CDK), "synth", "--output", str(out)]
    command += ["--no-notices", "--quiet", "-c", "image=ghcr.io/example/frontdesk:1.4.0"]
    done = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    template = json.loads((out / "Frontdesk.template.json").read_text())
    kinds = {r["Type"] for r in template["Resources"].values()}
    assert {"AWS::ECS::Service", "AWS::RDS::DBInstance", "AWS::SNS::Topic"} <= kinds
    # No domain, no certificate: plain HTTP for a first look, and no subscription SNS could not deliver to.
    assert "AWS::SNS::Subscription" not in kinds
    manifest = json.loads((out / "Frontdesk.assets.json").read_text())
    assert manifest.get("dockerImages", {}) == {}  # nothing to build: the image comes from a registry
