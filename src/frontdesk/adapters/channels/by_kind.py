"""The channel adapters picked by each channel's kind: one `ChannelSender`, `ChannelProbe` and media
fetcher for all.

The dispatcher, "test connection" and the media job see one object; each call goes to the adapter of
the channel's kind. A kind this server has no adapter for (the bridge without `FRONTDESK_BRIDGE_URL`)
fails for good, naming what to configure, rather than being sent somewhere it cannot arrive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from frontdesk.domain import events
from frontdesk.domain.admin import PhoneNumberInfo
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.files import MediaFile
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import OutboundMessage


class ChannelAdapter(Protocol):
    """What a kind's adapter does: send (`ChannelSender`), describe its number (`ChannelProbe`) and fetch
    a received message's file (`media`)."""

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str: ...
    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo: ...

    async def media(self, *, channel: Channel, media: events.Media, max_bytes: int) -> MediaFile:
        """The file of a message `channel` received, as its webhook referenced it (`media.id` or
        `media.link`), at most `max_bytes` long.

        Raises `ChannelError`: `transient` when a retry may succeed (network, 5xx, throttling);
        permanent otherwise, and `media_too_large` (`media_download.media_too_large`) for a file over
        `max_bytes`, refused before or while reading it, never after holding it all.
        """
        ...


@runtime_checkable
class Closeable(Protocol):
    """An adapter holding something besides the shared HTTP client (AWS's threads), handed back by
    `close`."""

    def close(self) -> None: ...


NOT_CONFIGURED = "not_configured"


class ChannelsByKind:
    def __init__(self, adapters: Mapping[ChannelKind, ChannelAdapter]):
        self._adapters = dict(adapters)

    def close(self) -> None:
        """Close every adapter that holds something of its own (`Closeable`), when the server stops."""
        for adapter in self._adapters.values():
            if isinstance(adapter, Closeable):
                adapter.close()

    def supports(self, kind: ChannelKind) -> bool:
        """Whether this server can serve numbers of `kind` (its adapter is configured)."""
        return kind in self._adapters

    def _for(self, channel: Channel) -> ChannelAdapter:
        adapter = self._adapters.get(channel.kind)
        if adapter is None:
            raise ChannelError(
                f"this server is not configured for {channel.kind} numbers",
                code=NOT_CONFIGURED,
                transient=False,
            )
        return adapter

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        return await self._for(channel).send(channel=channel, to=to, message=message)

    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo:
        return await self._for(channel).phone_number(channel=channel)

    async def media(self, *, channel: Channel, media: events.Media, max_bytes: int) -> MediaFile:
        return await self._for(channel).media(channel=channel, media=media, max_bytes=max_bytes)
