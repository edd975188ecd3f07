"""The way in from the internet: an Application Load Balancer in the public subnets.

With `-c domain` and `-c certificateArn` it answers HTTPS on 443 (TLS 1.2+, the certificate from ACM) and
redirects plain HTTP there; without them it serves plain HTTP on 80, for a first look only: Meta and SNS
deliver webhooks only over HTTPS. `/metrics` is not served to the internet (Prometheus scrapes tasks from
inside the VPC), and targets are checked on `/healthz`.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from frontdesk_aws.config import StackConfig
from frontdesk_aws.services import API_PORT

# Liveness, not readiness: /readyz turns false for every task at once when the shared database is down,
# a migration is pending or the workers stall (?exclude=workers still fails on the first two); the load
# balancer would then have ECS replace healthy processes in a loop, which fixes none of those and drops
# webhooks in flight. /readyz is for alarms.
HEALTH_PATH = "/healthz"


def load_balancer(
    scope: Construct, vpc: ec2.IVpc, config: StackConfig
) -> tuple[elbv2.ApplicationLoadBalancer, elbv2.ApplicationTargetGroup, ec2.SecurityGroup]:
    group = ec2.SecurityGroup(
        scope, "LoadBalancerSg", vpc=vpc, description="Frontdesk load balancer", allow_all_outbound=False
    )
    balancer = elbv2.ApplicationLoadBalancer(
        scope,
        "LoadBalancer",
        vpc=vpc,
        internet_facing=True,
        security_group=group,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        drop_invalid_header_fields=True,
        # Live events (WS /api/v1/ws) stay open; the web app reconnects after this much silence.
        idle_timeout=Duration.seconds(120),
    )
    targets = elbv2.ApplicationTargetGroup(
        scope,
        "ApiTargets",
        vpc=vpc,
        port=API_PORT,
        protocol=elbv2.ApplicationProtocol.HTTP,
        target_type=elbv2.TargetType.IP,
        deregistration_delay=Duration.seconds(30),
        health_check=elbv2.HealthCheck(
            path=HEALTH_PATH,
            healthy_http_codes="200",
            interval=Duration.seconds(15),
            timeout=Duration.seconds(5),
            healthy_threshold_count=2,
            unhealthy_threshold_count=3,
        ),
    )
    listener = _listeners(balancer, config)
    listener.add_target_groups("Api", target_groups=[targets])
    listener.add_action(
        "HideMetrics",
        priority=1,
        conditions=[elbv2.ListenerCondition.path_patterns(["/metrics", "/metrics/*"])],
        action=elbv2.ListenerAction.fixed_response(404, content_type="text/plain", message_body="Not Found"),
    )
    return balancer, targets, group


def _listeners(balancer: elbv2.ApplicationLoadBalancer, config: StackConfig) -> elbv2.ApplicationListener:
    if config.certificate_arn is None:
        return balancer.add_listener("Http", port=80, protocol=elbv2.ApplicationProtocol.HTTP, open=True)
    balancer.add_redirect(source_port=80, target_port=443)
    return balancer.add_listener(
        "Https",
        port=443,
        protocol=elbv2.ApplicationProtocol.HTTPS,
        certificates=[elbv2.ListenerCertificate.from_arn(config.certificate_arn)],
        ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
        open=True,
    )
