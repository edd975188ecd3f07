"""What the Frontdesk tasks may do in AWS, statement by statement, each on named resources.

One task role for the API and the workers: both run the same product code (the API tests a number's
connection, the workers send and fetch media and call the models), and splitting the calls between them
is the product's business, not the stack's. The migration task gets a role with nothing on it.
"""

from __future__ import annotations

import re

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from frontdesk_aws.data import FILES_PREFIX, MEDIA_PREFIX

# Meta numbers linked to AWS End User Messaging in this account and region (docs/channels/aws-social.md).
SOCIAL_MESSAGING_ACTIONS = [
    "social-messaging:SendWhatsAppMessage",
    "social-messaging:GetWhatsAppMessageMedia",
    "social-messaging:GetLinkedWhatsAppBusinessAccountPhoneNumber",
]
# GetWhatsAppMessageMedia writes the file with the caller's permissions; Frontdesk reads it, then deletes it.
MEDIA_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
# Frontdesk's file store (FRONTDESK_S3_PREFIX): write, read and delete its files, and list them to delete a
# tenant's or a document's files by prefix (ListBucket is granted on the bucket, narrowed to the prefix).
FILE_STORE_ACTIONS = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
# Converse and ConverseStream are authorised as InvokeModel and InvokeModelWithResponseStream.
BEDROCK_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
# X-Ray's write and sampling calls have no resource-level permissions: "*" is the only resource they take.
XRAY_ACTIONS = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
]
# A cross-region inference profile's id is its model's id with a geography in front.
_PROFILE_PREFIX = re.compile(r"^(us|eu|apac|us-gov|ca|jp|au|global)\.")


def social_messaging(role: iam.IRole) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="WhatsAppThroughAws",
            actions=SOCIAL_MESSAGING_ACTIONS,
            resources=[
                f"arn:{Aws.PARTITION}:social-messaging:{Aws.REGION}:{Aws.ACCOUNT_ID}:phone-number-id/*"
            ],
        )
    )


def received_media(role: iam.IRole, bucket: s3.IBucket) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="ReceivedMedia", actions=MEDIA_ACTIONS, resources=[bucket.arn_for_objects(MEDIA_PREFIX + "*")]
        )
    )


def file_store(role: iam.IRole, bucket: s3.IBucket) -> None:
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="FileStore",
            actions=FILE_STORE_ACTIONS,
            resources=[bucket.arn_for_objects(f"{FILES_PREFIX}/*")],
        )
    )
    role.add_to_principal_policy(
        iam.PolicyStatement(
            sid="FileStoreListing",
            actions=["s3:ListBucket"],
            resources=[bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{FILES_PREFIX}/*"]}},
        )
    )


def bedrock(role: iam.IRole, model_ids: tuple[str, ...]) -> None:
    """Invoke these models only: a foundation model in this region, or an inference profile of this
    account and the foundation model in each region the profile routes to."""
    if not model_ids:
        return
    resources: list[str] = []
    for model_id in model_ids:
        base = _PROFILE_PREFIX.sub("", model_id)
        if base == model_id:
            resources.append(f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}::foundation-model/{model_id}")
        else:
            resources.append(
                f"arn:{Aws.PARTITION}:bedrock:{Aws.REGION}:{Aws.ACCOUNT_ID}:inference-profile/{model_id}"
            )
            resources.append(f"arn:{Aws.PARTITION}:bedrock:*::foundation-model/{base}")
    role.add_to_principal_policy(
        iam.PolicyStatement(sid="Models", actions=BEDROCK_ACTIONS, resources=resources)
    )


def tracing(role: iam.IRole) -> None:
    """For the OpenTelemetry collector beside each task, which exports to X-Ray."""
    role.add_to_principal_policy(iam.PolicyStatement(sid="Traces", actions=XRAY_ACTIONS, resources=["*"]))
