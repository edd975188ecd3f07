"""The three ways a WhatsApp number reaches Frontdesk, and what each can do.

A channel's `kind` picks its webhook (the door its events come in by), its sender and its prober. What a
kind supports decides how a reply is sent: buttons and lists go as numbered text where a kind has no
interactive messages, and the 24-hour window and templates apply only where Meta enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChannelKind(StrEnum):
    WHATSAPP_CLOUD = "whatsapp_cloud"
    """Meta's Cloud API: webhooks at `/webhooks/whatsapp`, sends through the Graph API."""
    WA_BRIDGE = "wa_bridge"
    """A QR-linked number driven through a zapw (WhatsApp-Web) bridge: `/webhooks/bridge`."""
    AWS_SOCIAL = "aws_social"
    """AWS End User Messaging Social: events from an SNS topic at `/webhooks/aws`, sends via boto3."""


@dataclass(frozen=True)
class Capabilities:
    interactive: bool
    """Reply buttons and lists are sent as such; without it they go as numbered text."""
    templates: bool
    """Pre-approved templates can be sent."""
    service_window: bool
    """Meta's 24-hour customer-service window applies: outside it only templates may be sent."""


CAPABILITIES: dict[ChannelKind, Capabilities] = {
    ChannelKind.WHATSAPP_CLOUD: Capabilities(interactive=True, templates=True, service_window=True),
    ChannelKind.AWS_SOCIAL: Capabilities(interactive=True, templates=True, service_window=True),
    ChannelKind.WA_BRIDGE: Capabilities(interactive=False, templates=False, service_window=False),
}


class ChannelStatus(StrEnum):
    """A bridge number's link to WhatsApp, as zapw reports it (Meta's kinds have none: null)."""

    INITIALIZING = "initializing"
    CONNECTING = "connecting"
    QR_WAITING = "qr_waiting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"


BRIDGE_SESSION_PREFIX = "fd-"
"""Frontdesk names each zapw session `fd-<random>`; a bridge channel's key (`phone_number_id` column)
is that id, which can never equal one of Meta's numeric phone number ids."""
