"""The channel adapters this server has, by kind, from settings.

The Cloud API is always there. The bridge and AWS End User Messaging are added when their settings are
(`FRONTDESK_BRIDGE_URL`; AWS's region and credentials come from boto3's usual chain).
"""

from __future__ import annotations

import httpx

from frontdesk.adapters.channels.aws_social.client import SocialMessagingClient
from frontdesk.adapters.channels.aws_social.sns import SnsVerifier
from frontdesk.adapters.channels.by_kind import ChannelAdapter, ChannelsByKind
from frontdesk.adapters.channels.wa_bridge.client import BridgeClient
from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.settings import Settings


def build_channels(
    settings: Settings, *, graph: GraphClient, bridge: BridgeClient | None = None
) -> ChannelsByKind:
    """One adapter per kind this server is configured for."""
    adapters: dict[ChannelKind, ChannelAdapter] = {ChannelKind.WHATSAPP_CLOUD: graph}
    if bridge is not None:
        adapters[ChannelKind.WA_BRIDGE] = bridge
    adapters[ChannelKind.AWS_SOCIAL] = build_aws(settings)
    return ChannelsByKind(adapters)


def build_bridge(settings: Settings, *, http: httpx.AsyncClient) -> BridgeClient | None:
    """The zapw bridge's client when `FRONTDESK_BRIDGE_URL` is set: the `wa_bridge` numbers' adapter
    and the channel service's `BridgeSessions`; None without a bridge."""
    if settings.bridge_url is None:
        return None
    key = settings.bridge_api_key
    return BridgeClient(
        http=http,
        base_url=settings.bridge_url,
        api_key=key.get_secret_value() if key else None,
        send_interval=settings.bridge_send_interval_seconds,
    )


def build_aws(settings: Settings) -> SocialMessagingClient:
    """AWS End User Messaging Social, always there: boto3 is installed, and a server without AWS
    credentials fails each send for good, naming what is missing, rather than at start-up."""
    return SocialMessagingClient(
        api_version=settings.whatsapp_api_version,
        timeout_seconds=settings.whatsapp_timeout_seconds,
        media_bucket=settings.aws_media_bucket,
    )


def build_sns(settings: Settings, *, http: httpx.AsyncClient) -> SnsVerifier:
    """The checks `POST /webhooks/aws` makes of SNS deliveries, with its certificate cache."""
    return SnsVerifier(
        http=http,
        topic_arns=settings.aws_sns_topic_arns,
        cert_url_pattern=settings.aws_sns_cert_url_regex,
        subscribe_url_pattern=settings.aws_sns_subscribe_url_regex,
    )
