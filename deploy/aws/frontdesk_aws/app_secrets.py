"""The secrets the containers get: Frontdesk's own (one Secrets Manager secret, a key per variable) and the
database password (the `password` field of the secret RDS generated).

Only `FRONTDESK_SECRET_KEY` is generated: the rest are Fernet keys (`frontdesk secrets new-key`) and
tokens Meta issues, which the operator fills in (docs/install/aws.md). Left empty, Frontdesk refuses to
start in production and names the variable, so an unfilled secret never runs.
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from frontdesk_aws.config import StackConfig

GENERATED = "FRONTDESK_SECRET_KEY"


def app_secret(scope: Construct, config: StackConfig) -> secretsmanager.Secret:
    to_fill = {name: "" for name in config.secret_names if name != GENERATED}
    return secretsmanager.Secret(
        scope,
        "AppSecrets",
        description="Frontdesk's secrets, one key per FRONTDESK_ variable (fill the empty ones)",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps(to_fill),
            generate_string_key=GENERATED,
            password_length=64,
            exclude_punctuation=True,
        ),
        removal_policy=RemovalPolicy.RETAIN,
    )


def redis_url_secret(
    scope: Construct, redis: elasticache.CfnReplicationGroup, port: int
) -> secretsmanager.Secret:
    """FRONTDESK_REDIS_URL, a secret setting (a Redis URL may carry a password). This one carries none:
    Redis is reached over TLS and only from the tasks' security groups. An operator who turns on Redis
    AUTH writes the password into this secret's URL (`rediss://:<password>@host:6379`)."""
    url = f"rediss://{redis.attr_primary_end_point_address}:{port}"
    return secretsmanager.Secret(
        scope,
        "RedisUrl",
        description="FRONTDESK_REDIS_URL: the rate limits' Redis (TLS)",
        # Not a secret value today (an address), so it may sit in the template; see the docstring.
        secret_string_value=SecretValue.unsafe_plain_text(url),
    )


def container_secrets(
    config: StackConfig,
    secret: secretsmanager.ISecret,
    database: rds.DatabaseInstance,
    redis_url: secretsmanager.ISecret,
) -> dict[str, ecs.Secret]:
    """Injected by ECS at start from Secrets Manager: never in the task definition's plain environment.

    FRONTDESK_DATABASE_URL carries no password: asyncpg takes it from PGPASSWORD when the URL has none
    (asyncpg/connect_utils.py, `_parse_connect_dsn_and_args`), so the URL stays plain and only the
    password is a secret, the one RDS generated and can rotate.
    """
    assert database.secret is not None, "the database's credentials are generated into Secrets Manager"
    secrets = {name: ecs.Secret.from_secrets_manager(secret, name) for name in config.secret_names}
    secrets["FRONTDESK_REDIS_URL"] = ecs.Secret.from_secrets_manager(redis_url)
    secrets["PGPASSWORD"] = ecs.Secret.from_secrets_manager(database.secret, "password")
    return secrets
