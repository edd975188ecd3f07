"""The Frontdesk stack: network, data stores, secrets, the SNS topic, the ECS services and their wiring."""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from frontdesk_aws import app_secrets, entry, permissions, services
from frontdesk_aws.config import StackConfig
from frontdesk_aws.data import (
    DB_NAME,
    DB_PORT,
    DB_USER,
    FILES_PREFIX,
    REDIS_PORT,
    DataStores,
    data_stores,
    network,
)
from frontdesk_aws.services import Runtime, TaskShape
from frontdesk_aws.webhooks import events_topic, subscribe_webhook

TASK_PRINCIPAL = "ecs-tasks.amazonaws.com"


class FrontdeskStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        vpc = network(self, config)
        stores = data_stores(self, vpc, config)
        topic = events_topic(self, config)
        secret = app_secrets.app_secret(self, config)
        task_role = self._app_role(stores, config)
        execution_role = iam.Role(self, "ExecutionRole", assumed_by=iam.ServicePrincipal(TASK_PRINCIPAL))
        runtime = Runtime(
            environment=app_environment(config, stores, topic),
            secrets=app_secrets.container_secrets(
                config, secret, stores.database, app_secrets.redis_url_secret(self, stores.redis, REDIS_PORT)
            ),
            task_role=task_role,
            execution_role=execution_role,
        )
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.ENABLED)
        image = services.image_from(self, "Image", config.image, config.ecr_image)
        api = self._api(vpc, cluster, runtime, image, stores)
        self._worker(vpc, cluster, runtime, image, stores)
        migrate_group = self._migration(vpc, runtime, stores)
        self._dns_and_webhook(api, topic)
        self._outputs(cluster, secret, stores, migrate_group, topic)

    def _app_role(self, stores: DataStores, config: StackConfig) -> iam.Role:
        role = iam.Role(self, "AppRole", assumed_by=iam.ServicePrincipal(TASK_PRINCIPAL))
        permissions.social_messaging(role)
        permissions.received_media(role, stores.bucket)
        permissions.bedrock(role, config.bedrock_model_ids)
        permissions.tracing(role)
        permissions.file_store(role, stores.bucket)
        return role

    def _api(
        self,
        vpc: ec2.IVpc,
        cluster: ecs.ICluster,
        runtime: Runtime,
        image: ecs.ContainerImage,
        stores: DataStores,
    ) -> ecs.FargateService:
        config = self.config
        api = TaskShape(
            "Api", services.API_COMMAND, config.task_cpu, config.task_memory_mib, serves_http=True
        )
        service = self._service(
            api,
            vpc,
            cluster,
            runtime,
            image,
            stores,
            count=config.api_count,
            who="api",
            exec_command=config.exec_command,
        )
        balancer, targets, _ = entry.load_balancer(self, vpc, config)
        service.attach_to_application_target_group(targets)
        self.balancer = balancer
        return service

    def _worker(
        self,
        vpc: ec2.IVpc,
        cluster: ecs.ICluster,
        runtime: Runtime,
        image: ecs.ContainerImage,
        stores: DataStores,
    ) -> ecs.FargateService:
        config = self.config
        worker = TaskShape("Worker", services.WORKER_COMMAND, config.task_cpu, config.task_memory_mib)
        return self._service(
            worker, vpc, cluster, runtime, image, stores, count=config.worker_count, who="workers"
        )

    def _service(
        self,
        shape: TaskShape,
        vpc: ec2.IVpc,
        cluster: ecs.ICluster,
        runtime: Runtime,
        image: ecs.ContainerImage,
        stores: DataStores,
        *,
        count: int,
        who: str,
        exec_command: bool = False,
    ) -> ecs.FargateService:
        """A Fargate service of the app's image (the api and the workers differ only in `shape`): its task
        definition, its security group (`{name}Sg`, let into PostgreSQL and Redis) and `{name}Service`."""
        definition = services.task_definition(self, shape, runtime, self.config, image)
        group = services.task_group(self, f"{shape.name}Sg", vpc)
        self._reach_stores(group, stores, who)
        return services.fargate_service(
            self,
            f"{shape.name}Service",
            cluster=cluster,
            definition=definition,
            group=group,
            count=count,
            exec_command=exec_command,
        )

    def _migration(self, vpc: ec2.IVpc, runtime: Runtime, stores: DataStores) -> ec2.SecurityGroup:
        """`frontdesk db upgrade` as a task definition of its own, run by the operator before the services
        roll out a new image (docs/install/aws.md). Its role may do nothing in AWS: it only needs the DB."""
        config = self.config
        role = iam.Role(self, "MigrationRole", assumed_by=iam.ServicePrincipal(TASK_PRINCIPAL))
        shape = TaskShape("Migrate", services.MIGRATE_COMMAND, cpu=512, memory_mib=1024, traced=False)
        image = services.image_from(
            self, "MigrationImage", config.migration_image, config.ecr_migration_image
        )
        self.migration_task = services.task_definition(
            self, shape, Runtime(**{**runtime.__dict__, "task_role": role}), config, image
        )
        group = services.task_group(self, "MigrateSg", vpc)
        stores.database_sg.add_ingress_rule(
            group, ec2.Port.tcp(DB_PORT), "PostgreSQL from the migration task"
        )
        return group

    def _reach_stores(self, group: ec2.SecurityGroup, stores: DataStores, who: str) -> None:
        stores.database_sg.add_ingress_rule(group, ec2.Port.tcp(DB_PORT), f"PostgreSQL from the {who}")
        stores.redis_sg.add_ingress_rule(group, ec2.Port.tcp(REDIS_PORT), f"Redis from the {who}")

    def _dns_and_webhook(self, api: ecs.FargateService, topic: sns.ITopic) -> None:
        config = self.config
        record = None
        if config.hosted_zone_id and config.hosted_zone_name and config.domain:
            zone = route53.HostedZone.from_hosted_zone_attributes(
                self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=config.hosted_zone_name
            )
            record = route53.ARecord(
                self,
                "Address",
                zone=zone,
                record_name=config.domain + ".",
                target=route53.RecordTarget.from_alias(route53_targets.LoadBalancerTarget(self.balancer)),
            )
        if config.webhook_url is None or config.api_count == 0:
            return  # SNS confirms a subscription once, right away: only when an API can answer it
        subscription = subscribe_webhook(self, topic, config.webhook_url)
        # Subscribe once the API is up (and the name points at it), so the confirmation finds it.
        subscription.node.add_dependency(api)
        if record is not None:
            subscription.node.add_dependency(record)

    def _outputs(
        self,
        cluster: ecs.ICluster,
        secret: secretsmanager.ISecret,
        stores: DataStores,
        migrate_group: ec2.SecurityGroup,
        topic: sns.ITopic,
    ) -> None:
        CfnOutput(self, "LoadBalancerDns", value=self.balancer.load_balancer_dns_name)
        CfnOutput(self, "AppSecretArn", value=secret.secret_arn)
        CfnOutput(self, "EventsTopicArn", value=topic.topic_arn)
        CfnOutput(self, "FilesBucket", value=stores.bucket.bucket_name)
        CfnOutput(self, "ClusterName", value=cluster.cluster_name)
        CfnOutput(self, "MigrationTaskDefinition", value=self.migration_task.task_definition_arn)
        vpc_subnets = cluster.vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS).subnet_ids
        network_configuration = Fn.join(
            "",
            [
                "awsvpcConfiguration={subnets=[",
                Fn.join(",", vpc_subnets),
                "],securityGroups=[",
                migrate_group.security_group_id,
                "],assignPublicIp=DISABLED}",
            ],
        )
        CfnOutput(self, "MigrationNetwork", value=network_configuration)


def app_environment(config: StackConfig, stores: DataStores, topic: sns.ITopic) -> dict[str, str]:
    """The plain environment: addresses and switches only. Anything secret is in `container_secrets`."""
    endpoint = stores.database.db_instance_endpoint_address
    environment = {
        "FRONTDESK_ENV": "prod",
        # No password in the URL: asyncpg reads PGPASSWORD (an ECS secret) when the URL has none.
        "FRONTDESK_DATABASE_URL": f"postgresql://{DB_USER}@{endpoint}:{DB_PORT}/{DB_NAME}",
        # RDS PostgreSQL requires TLS (rds.force_ssl); asyncpg reads the mode from PGSSLMODE.
        "PGSSLMODE": "require",
        "FRONTDESK_AWS_SNS_TOPIC_ARNS": topic.topic_arn,
        "FRONTDESK_AWS_MEDIA_BUCKET": stores.bucket.bucket_name,
        # Frontdesk's files (media, knowledge-base originals) in the bucket, shared by every task.
        "FRONTDESK_S3_BUCKET": stores.bucket.bucket_name,
        "FRONTDESK_S3_PREFIX": FILES_PREFIX,
        # A production server starts empty: businesses come from `frontdesk tenants create`.
        "FRONTDESK_DEMO_SEED": "false",
        "AWS_REGION": Aws.REGION,
        # uvicorn's (not a Frontdesk setting): the client's address, for the per-address login limit and
        # the audit log, comes from X-Forwarded-For when the connection is from the load balancer (private
        # addresses in the VPC; only its security group reaches the api tasks). The ALB appends the client
        # to what it was sent and uvicorn reads from the right, skipping these, so a forged entry is never
        # taken.
        "FORWARDED_ALLOW_IPS": "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16",
    }
    if config.domain:
        environment["FRONTDESK_PUBLIC_URL"] = f"https://{config.domain}"
    if config.bedrock_model_ids:
        # Bedrock in this region, with the task role's credentials: no FRONTDESK_BEDROCK_* keys are set.
        environment["FRONTDESK_BEDROCK_REGION"] = Aws.REGION
    return environment
