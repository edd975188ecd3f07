"""What an operator chooses, read from CDK context (`-c key=value` or cdk.json) and checked before synth.

The stack is environment-agnostic: nothing here is looked up in an AWS account, so `cdk synth` runs with
no credentials. Every value the template needs from the account (region, availability zones, account id)
stays a CloudFormation pseudo-parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

# The secrets every Frontdesk in production needs (settings.py refuses to start without them). They live
# as keys of one Secrets Manager secret and reach the containers as ECS secrets, never as environment.
REQUIRED_SECRETS = (
    "FRONTDESK_SECRET_KEY",
    "FRONTDESK_ENCRYPTION_KEYS",
    "FRONTDESK_WHATSAPP_VERIFY_TOKEN",
    "FRONTDESK_WHATSAPP_APP_SECRET",
    "FRONTDESK_WHATSAPP_ACCESS_TOKEN",
)

_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+)(:(?P<tag>[\w.-]+)|@(?P<digest>sha256:[0-9a-f]{64}))$"
)
_DOMAIN = re.compile(r"^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$")
_SECRET_NAME = re.compile(r"^FRONTDESK_[A-Z0-9_]+$")
_CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$")
_TOPIC = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$")


class Context(Protocol):
    """What `Node.try_get_context` offers (an App's or a Stack's node)."""

    def try_get_context(self, key: str) -> object: ...


class ConfigError(ValueError):
    """A context value the stack cannot be built from; the message names the `-c` key."""


@dataclass(frozen=True, kw_only=True)
class EcrImage:
    """An image in ECR: the execution role gets pull rights on that one repository."""

    account: str
    region: str
    repository: str
    tag_or_digest: str


@dataclass(frozen=True, kw_only=True)
class StackConfig:
    image: str
    """The Frontdesk image (`registry/name:tag`), pulled by ECS; never built here (no Docker needed)."""
    migration_image: str
    """The image the migration task runs: the new one, during an upgrade (docs/install/aws.md)."""
    domain: str | None = None
    certificate_arn: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None
    sns_topic_arn: str | None = None
    bedrock_model_ids: tuple[str, ...] = ()
    extra_secrets: tuple[str, ...] = ()
    api_count: int = 2
    worker_count: int = 2
    task_cpu: int = 1024
    task_memory_mib: int = 2048
    db_instance_class: str = "t4g.micro"
    db_multi_az: bool = False
    exec_command: bool = False
    """ECS Exec into the API tasks (an interactive `frontdesk tenants create`); off unless asked for."""
    redis_node_type: str = "cache.t4g.micro"
    nat_gateways: int = 1
    log_retention_days: int = 30
    collector_image: str = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
    secret_names: tuple[str, ...] = field(default=REQUIRED_SECRETS)

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None

    @property
    def webhook_url(self) -> str | None:
        """Where SNS delivers End User Messaging's events; only over HTTPS on the operator's domain."""
        return f"https://{self.domain}/webhooks/aws" if self.domain and self.https else None

    @property
    def ecr_image(self) -> EcrImage | None:
        return _ecr(self.image)

    @property
    def ecr_migration_image(self) -> EcrImage | None:
        return _ecr(self.migration_image)


def _ecr(image: str) -> EcrImage | None:
    found = _ECR_IMAGE.match(image)
    if found is None:
        return None
    return EcrImage(
        account=found["account"],
        region=found["region"],
        repository=found["repository"],
        tag_or_digest=found["tag"] or found["digest"],
    )


def read_config(context: Context) -> StackConfig:
    """The stack's choices from context, with every mistake reported before anything is synthesised."""
    image = _text(context, "image")
    if not image:
        raise ConfigError("-c image=<registry>/<name>:<tag> is required: the Frontdesk image ECS pulls")
    domain = _text(context, "domain")
    certificate = _text(context, "certificateArn")
    _check(
        domain is None or _DOMAIN.match(domain) is not None, "domain", "a host name such as desk.example.com"
    )
    _check(
        certificate is None or _CERTIFICATE.match(certificate) is not None,
        "certificateArn",
        "an ACM certificate ARN",
    )
    _check(
        (domain is None) == (certificate is None),
        "certificateArn",
        "given together with -c domain (the ALB serves HTTPS for that name; SNS delivers only over HTTPS)",
    )
    zone_id, zone_name = _text(context, "hostedZoneId"), _text(context, "hostedZoneName")
    _check((zone_id is None) == (zone_name is None), "hostedZoneName", "given together with hostedZoneId")
    _check(zone_id is None or domain is not None, "hostedZoneId", "used with -c domain")
    topic = _text(context, "snsTopicArn")
    _check(topic is None or _TOPIC.match(topic) is not None, "snsTopicArn", "an SNS topic ARN")
    extra = _names(context, "extraSecrets")
    for name in extra:
        _check(_SECRET_NAME.match(name) is not None, "extraSecrets", "FRONTDESK_* names, comma-separated")
    defaults = StackConfig(image=image, migration_image=image)
    return StackConfig(
        image=image,
        migration_image=_text(context, "migrationImage") or image,
        domain=domain,
        certificate_arn=certificate,
        hosted_zone_id=zone_id,
        hosted_zone_name=zone_name,
        sns_topic_arn=topic,
        bedrock_model_ids=_names(context, "bedrockModelIds"),
        extra_secrets=extra,
        secret_names=REQUIRED_SECRETS + tuple(n for n in extra if n not in REQUIRED_SECRETS),
        api_count=_int(context, "apiCount", defaults.api_count, least=0),
        worker_count=_int(context, "workerCount", defaults.worker_count, least=0),
        task_cpu=_int(context, "taskCpu", defaults.task_cpu, least=256),
        task_memory_mib=_int(context, "taskMemoryMiB", defaults.task_memory_mib, least=512),
        db_instance_class=_text(context, "dbInstanceClass") or defaults.db_instance_class,
        db_multi_az=_flag(context, "dbMultiAz"),
        exec_command=_flag(context, "execCommand"),
        redis_node_type=_text(context, "redisNodeType") or defaults.redis_node_type,
        nat_gateways=_int(context, "natGateways", defaults.nat_gateways, least=1),
        log_retention_days=_int(context, "logRetentionDays", defaults.log_retention_days, least=1),
        collector_image=_text(context, "collectorImage") or defaults.collector_image,
    )


def _text(context: Context, key: str) -> str | None:
    value = context.try_get_context(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _flag(context: Context, key: str) -> bool:
    return (_text(context, key) or "").lower() in ("true", "1", "yes")


def _names(context: Context, key: str) -> tuple[str, ...]:
    value = context.try_get_context(key)
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = _text(context, key)
    return tuple(part.strip() for part in text.split(",") if part.strip()) if text else ()


def _int(context: Context, key: str, default: int, *, least: int) -> int:
    text = _text(context, key)
    if text is None:
        return default
    _check(text.isdigit() and int(text) >= least, key, f"a whole number of at least {least}")
    return int(text)


def _check(ok: bool, key: str, expected: str) -> None:
    if not ok:
        raise ConfigError(f"-c {key}: must be {expected}")
