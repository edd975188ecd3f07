"""The SNS topic AWS End User Messaging publishes WhatsApp events to, subscribed to `/webhooks/aws`.

A new topic (its policy lets only the service, on behalf of this account, publish) or an existing one
(`-c snsTopicArn=`, e.g. a WABA's event destination already in use). Frontdesk takes messages only from
topics in FRONTDESK_AWS_SNS_TOPIC_ARNS, which the stack sets to this one. The subscription is HTTPS to the
operator's domain, with raw delivery off: Frontdesk verifies SNS's signed envelope, which raw delivery drops.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from frontdesk_aws.config import StackConfig

PUBLISHER = "social-messaging.amazonaws.com"


def events_topic(scope: Construct, config: StackConfig) -> sns.ITopic:
    if config.sns_topic_arn is not None:
        return sns.Topic.from_topic_arn(scope, "WhatsAppEvents", config.sns_topic_arn)
    topic = sns.Topic(scope, "WhatsAppEvents", display_name="Frontdesk WhatsApp events", enforce_ssl=True)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="EndUserMessagingPublishes",
            principals=[iam.ServicePrincipal(PUBLISHER)],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            # Only on behalf of this account's WABAs (the confused-deputy guard).
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
    return topic


def subscribe_webhook(scope: Construct, topic: sns.ITopic, webhook_url: str) -> sns.Subscription:
    return sns.Subscription(
        scope,
        "WebhookSubscription",
        topic=topic,
        endpoint=webhook_url,
        protocol=sns.SubscriptionProtocol.HTTPS,
        raw_message_delivery=False,
    )
