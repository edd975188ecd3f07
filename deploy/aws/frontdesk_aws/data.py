"""Where Frontdesk keeps state: PostgreSQL (RDS), Redis (ElastiCache) and the S3 bucket (its files).

Each store lives in the VPC's isolated subnets (no route to or from the internet) behind its own security
group, which admits only the security groups the stack hands it (the services' and the migration task's).
Everything is encrypted at rest; Redis and PostgreSQL also in transit.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from constructs import Construct

from frontdesk_aws.config import StackConfig

DB_NAME = "frontdesk"
DB_USER = "frontdesk"
DB_PORT = 5432
REDIS_PORT = 6379
# AWS End User Messaging copies received media under this prefix (docs/channels/aws-social.md); Frontdesk
# reads each file back and deletes it, so anything older than a day was left behind by a failure.
MEDIA_PREFIX = "frontdesk-media/"
# Frontdesk's file store (FRONTDESK_S3_PREFIX): received media and knowledge-base originals, kept for as
# long as Frontdesk keeps them (no lifecycle rule); apart from MEDIA_PREFIX, where AWS drops files.
FILES_PREFIX = "frontdesk-files"


@dataclass(frozen=True)
class DataStores:
    database: rds.DatabaseInstance
    database_sg: ec2.SecurityGroup
    redis: elasticache.CfnReplicationGroup
    redis_sg: ec2.SecurityGroup
    bucket: s3.Bucket


def network(scope: Construct, config: StackConfig) -> ec2.Vpc:
    """Two AZs: public subnets for the load balancer and NAT, private ones for the tasks (they call Meta,
    AWS APIs and LLM providers out through NAT), isolated ones for the data stores."""
    return ec2.Vpc(
        scope,
        "Vpc",
        max_azs=2,
        nat_gateways=config.nat_gateways,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
            ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
        ],
    )


def data_stores(scope: Construct, vpc: ec2.Vpc, config: StackConfig) -> DataStores:
    database, database_sg = _database(scope, vpc, config)
    redis, redis_sg = _redis(scope, vpc, config)
    return DataStores(
        database=database,
        database_sg=database_sg,
        redis=redis,
        redis_sg=redis_sg,
        bucket=_bucket(scope),
    )


def _closed_group(scope: Construct, name: str, vpc: ec2.Vpc, description: str) -> ec2.SecurityGroup:
    # No egress: a data store answers connections, it never opens one.
    return ec2.SecurityGroup(scope, name, vpc=vpc, description=description, allow_all_outbound=False)


def _database(
    scope: Construct, vpc: ec2.Vpc, config: StackConfig
) -> tuple[rds.DatabaseInstance, ec2.SecurityGroup]:
    group = _closed_group(scope, "DatabaseSg", vpc, "Frontdesk PostgreSQL: only from the Frontdesk tasks")
    instance = rds.DatabaseInstance(
        scope,
        "Database",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17),
        instance_type=ec2.InstanceType(config.db_instance_class),
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        security_groups=[group],
        publicly_accessible=False,
        storage_encrypted=True,
        multi_az=config.db_multi_az,
        allocated_storage=20,
        max_allocated_storage=200,
        database_name=DB_NAME,
        port=DB_PORT,
        # The password is generated into Secrets Manager; the tasks get only its `password` field.
        credentials=rds.Credentials.from_generated_secret(DB_USER),
        backup_retention=Duration.days(7),
        deletion_protection=True,
        removal_policy=RemovalPolicy.SNAPSHOT,
        enable_performance_insights=False,
        auto_minor_version_upgrade=True,
    )
    return instance, group


def _redis(
    scope: Construct, vpc: ec2.Vpc, config: StackConfig
) -> tuple[elasticache.CfnReplicationGroup, ec2.SecurityGroup]:
    group = _closed_group(scope, "RedisSg", vpc, "Frontdesk Redis: only from the Frontdesk tasks")
    subnets = elasticache.CfnSubnetGroup(
        scope,
        "RedisSubnets",
        description="Frontdesk Redis: the isolated subnets",
        subnet_ids=vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).subnet_ids,
    )
    redis = elasticache.CfnReplicationGroup(
        scope,
        "Redis",
        replication_group_description="Frontdesk rate limits (rediss://, TLS in transit)",
        engine="redis",
        cache_node_type=config.redis_node_type,
        num_cache_clusters=1,
        port=REDIS_PORT,
        cache_subnet_group_name=subnets.ref,
        security_group_ids=[group.security_group_id],
        transit_encryption_enabled=True,
        at_rest_encryption_enabled=True,
        automatic_failover_enabled=False,
    )
    return redis, group


def _bucket(scope: Construct) -> s3.Bucket:
    return s3.Bucket(
        scope,
        "Files",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        # No versioning: a deleted customer file must be gone, not kept as a noncurrent version.
        versioned=False,
        lifecycle_rules=[
            s3.LifecycleRule(id="media-left-behind", prefix=MEDIA_PREFIX, expiration=Duration.days(1))
        ],
        removal_policy=RemovalPolicy.RETAIN,
    )
