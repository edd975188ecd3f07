"""The Frontdesk AWS stack's CDK app: `npx cdk synth -c image=<registry>/frontdesk:<tag>`.

See docs/install/aws.md. Environment-agnostic (no account or region here, nothing looked up):
`cdk deploy` takes both from the credentials it runs with, and `cdk synth` needs none.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
from frontdesk_aws.config import ConfigError, read_config
from frontdesk_aws.stack import FrontdeskStack


def main() -> None:
    app = cdk.App()
    try:
        config = read_config(app.node)
    except ConfigError as exc:
        sys.exit(f"frontdesk-aws: {exc}")
    name = str(app.node.try_get_context("stackName") or "Frontdesk")
    FrontdeskStack(app, name, config=config, description="Frontdesk on ECS Fargate (deploy/aws)")
    app.synth()


if __name__ == "__main__":
    main()
