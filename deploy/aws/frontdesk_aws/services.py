"""Frontdesk on ECS Fargate: the API behind the load balancer, the workers, and the migration task.

All three run the same image with different commands (`serve --no-workers`, `worker`, `db upgrade`), the
same plain environment and the same secrets. Each API and worker task has an OpenTelemetry collector
beside it that exports traces to X-Ray: Frontdesk sends it its spans over OTLP/HTTP on localhost, with
X-Ray's trace ids (docs/observability.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from frontdesk_aws.config import EcrImage, StackConfig

API_PORT = 8000
COLLECTOR_CONFIG = "/etc/ecs/ecs-xray.yaml"  # in the ADOT image: OTLP in (4317/4318), X-Ray out
OTLP_HTTP = "http://localhost:4318"

API_COMMAND = ["serve", "--no-workers", "--host", "0.0.0.0", "--port", str(API_PORT)]
WORKER_COMMAND = ["worker"]
MIGRATE_COMMAND = ["db", "upgrade"]
# The retention periods CloudWatch Logs accepts, in days.
_RETENTIONS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


@dataclass(frozen=True)
class TaskShape:
    """What one kind of task runs: its command, whether it serves HTTP, whether it has a collector."""

    name: str
    command: list[str]
    cpu: int
    memory_mib: int
    serves_http: bool = False
    traced: bool = True


@dataclass(frozen=True)
class Runtime:
    """What every Frontdesk container gets."""

    environment: dict[str, str]
    secrets: dict[str, ecs.Secret]
    task_role: iam.IRole
    execution_role: iam.Role


def image_from(
    scope: Construct, construct_id: str, image: str, ecr_image: EcrImage | None
) -> ecs.ContainerImage:
    """From ECR (the execution role may pull that one repository) or any registry ECS can pull anonymously.

    Never `from_asset`: synthesising must not need a container engine, and the image is built by CI.
    """
    if ecr_image is None:
        return ecs.ContainerImage.from_registry(image)
    repository = ecr.Repository.from_repository_attributes(
        scope,
        construct_id,
        repository_arn=f"arn:{Aws.PARTITION}:ecr:{ecr_image.region}:{ecr_image.account}:repository/{ecr_image.repository}",
        repository_name=ecr_image.repository,
    )
    return ecs.ContainerImage.from_ecr_repository(repository, ecr_image.tag_or_digest)


def task_definition(
    scope: Construct,
    shape: TaskShape,
    runtime: Runtime,
    config: StackConfig,
    container_image: ecs.ContainerImage,
) -> ecs.FargateTaskDefinition:
    """One task: the Frontdesk container, its log group, and the collector if traced."""
    definition = ecs.FargateTaskDefinition(
        scope,
        f"{shape.name}Task",
        cpu=shape.cpu,
        memory_limit_mib=shape.memory_mib,
        task_role=runtime.task_role,
        execution_role=runtime.execution_role,
        runtime_platform=ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        ),
    )
    log_group = logs.LogGroup(scope, f"{shape.name}Logs", removal_policy=RemovalPolicy.RETAIN)
    # Set on the CloudFormation resource: RetentionDays is an enum of names, the operator gives days.
    cfn_log_group = log_group.node.default_child
    assert isinstance(cfn_log_group, logs.CfnLogGroup)
    cfn_log_group.retention_in_days = _retention(config.log_retention_days)
    environment = dict(runtime.environment)
    if shape.traced:
        # Read by the OpenTelemetry SDK; X-Ray refuses trace ids that do not start with their time.
        environment.update(
            OTEL_EXPORTER_OTLP_ENDPOINT=OTLP_HTTP,
            OTEL_SERVICE_NAME=f"frontdesk-{shape.name.lower()}",
            FRONTDESK_TRACE_ID_FORMAT="xray",
        )
    definition.add_container(
        "frontdesk",
        image=container_image,
        # Both entry point and command: whatever the image's own defaults, this runs `frontdesk <command>`.
        entry_point=["frontdesk"],
        command=shape.command,
        environment=environment,
        secrets=runtime.secrets,
        logging=ecs.LogDrivers.aws_logs(stream_prefix=shape.name.lower(), log_group=log_group),
        port_mappings=[ecs.PortMapping(container_port=API_PORT)] if shape.serves_http else None,
        # After SIGTERM, time to finish the turn or send in hand (ECS's default is 30 s).
        stop_timeout=Duration.seconds(60),
        essential=True,
    )
    if shape.traced:
        _collector(definition, config, log_group)
    return definition


def _collector(definition: ecs.FargateTaskDefinition, config: StackConfig, log_group: logs.ILogGroup) -> None:
    definition.add_container(
        "otel-collector",
        image=ecs.ContainerImage.from_registry(config.collector_image),
        command=[f"--config={COLLECTOR_CONFIG}"],
        # Not essential: tracing that fails must not stop the task that answers customers.
        essential=False,
        memory_reservation_mib=64,
        logging=ecs.LogDrivers.aws_logs(stream_prefix="otel", log_group=log_group),
    )


def _retention(days: int) -> int:
    """The smallest retention CloudWatch offers that keeps logs at least `days`."""
    return next((offered for offered in _RETENTIONS if offered >= days), _RETENTIONS[-1])


def task_group(scope: Construct, name: str, vpc: ec2.IVpc) -> ec2.SecurityGroup:
    """A task's security group: out to anything (Meta, AWS APIs, model providers), in only as allowed."""
    return ec2.SecurityGroup(scope, name, vpc=vpc, description=f"Frontdesk {name}", allow_all_outbound=True)


def fargate_service(
    scope: Construct,
    name: str,
    *,
    cluster: ecs.ICluster,
    definition: ecs.FargateTaskDefinition,
    group: ec2.ISecurityGroup,
    count: int,
    exec_command: bool = False,
) -> ecs.FargateService:
    """A rolling service in the private subnets; a deployment that cannot get healthy rolls back."""
    return ecs.FargateService(
        scope,
        name,
        cluster=cluster,
        task_definition=definition,
        desired_count=count,
        security_groups=[group],
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
        assign_public_ip=False,
        min_healthy_percent=100,
        max_healthy_percent=200,
        circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
        platform_version=ecs.FargatePlatformVersion.LATEST,
        # ECS Exec adds ssmmessages:* on "*" to the task role: only while an operator needs a shell.
        enable_execute_command=exec_command,
    )
