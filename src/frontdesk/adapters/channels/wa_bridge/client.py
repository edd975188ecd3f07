"""The zapw bridge's REST API: sessions, sends, the number's probe and received media.

`BridgeClient` is the `ChannelAdapter` of `wa_bridge` numbers and the `BridgeSessions` port of the
channel service. Every call goes through `_request` (a media download through `media`, with the same
key), and every failure becomes a `ChannelError` in one place (`_refused`, `_unreachable`): zapw's 4xx
are permanent (but a session that is not connected right now is transient: the phone may come back),
its 5xx, timeouts and network failures transient, and a failure after the request went out
`maybe_delivered`. The API key goes as `Authorization: Bearer` and never into an error or a log line.

Message ids are namespaced by the session (`"{sessionId}:{messageId}"`, see `namespaced`): zapw's ids
are WhatsApp's, and two of a tenant's numbers linked through the bridge can see the same message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import structlog

from frontdesk.adapters.channels.http_failures import json_object, maybe_delivered
from frontdesk.adapters.channels.media_download import content_type, read_bounded
from frontdesk.adapters.channels.wa_bridge.pacing import Pacer
from frontdesk.domain import events
from frontdesk.domain.admin import BridgeLink, PhoneNumberInfo
from frontdesk.domain.channel_kinds import ChannelStatus
from frontdesk.domain.errors import UNSUPPORTED, ChannelError
from frontdesk.domain.files import MediaFile
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import (
    Buttons,
    ListMessage,
    Media,
    OutboundMessage,
    Reaction,
    Template,
    Text,
    numbered_text,
)

log = structlog.get_logger(__name__)

SESSION_CREATE_TIMEOUT = 40.0
"""zapw's `POST /sessions` answers once it has a QR, which takes up to ~30 s."""
NOT_CONNECTED = "session_not_connected"
_SEND_MEDIA = frozenset({"image", "video", "audio", "document"})
_NOT_CONNECTED = re.compile(r"not connected|not ready", re.IGNORECASE)


def namespaced(session_id: str, message_id: str) -> str:
    """The id Frontdesk stores for a bridge message: unique across sessions, as `channel_message_id` is."""
    return f"{session_id}:{message_id}"


def send_payload(*, to: str, message: OutboundMessage) -> dict[str, Any]:
    """zapw's `POST /sessions/{id}/messages` body sending `message` to `to` (digits or a JID).

    Buttons and lists go as numbered text. Raises a permanent `ChannelError` (`unsupported`) for what
    zapw cannot send: templates, reactions, stickers, media by uploaded id (zapw takes links).
    """
    match message:
        case Text():
            return {"type": "text", "to": to, "text": message.body}
        case Buttons() | ListMessage():
            return send_payload(to=to, message=numbered_text(message))
        case Media():
            return _media_payload(to, message)
        case Template() | Reaction():
            raise _unsupported(f"the bridge cannot send {message.kind} messages")


def _media_payload(to: str, message: Media) -> dict[str, Any]:
    kind = message.media_type
    if kind not in _SEND_MEDIA:
        raise _unsupported(f"the bridge cannot send {kind} messages")
    if message.link is None:
        raise _unsupported("the bridge sends media by link only, not by an uploaded media id")
    body: dict[str, Any] = {"type": kind, "to": to, kind: message.link}
    if message.caption and kind in ("image", "video", "document"):
        body["caption"] = message.caption
    if kind == "document":
        body["filename"] = message.filename or message.link.rsplit("/", 1)[-1].split("?")[0] or "document"
    return body


def _unsupported(text: str) -> ChannelError:
    return ChannelError(text, code=UNSUPPORTED, transient=False)


class BridgeClient:
    """A zapw server, for the bridge's numbers: `ChannelAdapter` (send, probe, media) and `BridgeSessions`."""

    def __init__(
        self, *, http: httpx.AsyncClient, base_url: str, api_key: str | None, send_interval: float
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._pacer = Pacer(send_interval)

    # --- ChannelAdapter ------------------------------------------------------------------------------

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        """Send one message from the channel's session; its namespaced id. Paced per recipient."""
        session = channel.phone_number_id
        body = send_payload(to=to, message=message)
        async with self._pacer.paced((channel.id, to)):
            data = await self._request("POST", _session_path(session, "/messages"), session, json=body)
        message_id = data.get("messageId") or data.get("id")
        if not isinstance(message_id, str) or not message_id:
            # zapw accepted the request, so the message may have gone out: do not retry it blindly.
            raise ChannelError(
                "the bridge accepted the message but returned no id", code="bad_response", transient=False
            )
        return namespaced(session, message_id)

    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo:
        """The linked phone (`GET /sessions/{id}`): proves zapw answers, takes the key, has the phone."""
        session = channel.phone_number_id
        link = await self.session(session)
        if link is None:
            raise ChannelError(
                "the bridge has no such session: reconnect the number", code="404", transient=False
            )
        if link.status is not ChannelStatus.CONNECTED:
            raise ChannelError(
                f"the number is not linked (the bridge says {link.status.value}): scan its QR code",
                code=NOT_CONNECTED,
                transient=True,
            )
        number = link.phone_number
        return PhoneNumberInfo(
            display_phone_number=f"+{number}" if number and number.isdigit() else number,
            verified_name=link.profile_name,
        )

    async def media(self, *, channel: Channel, media: events.Media, max_bytes: int) -> MediaFile:
        """A received file: GET zapw's `mediaUrl` (`/sessions/{id}/media/{messageId}`) with the API key.

        Only a path of this channel's own session is fetched: the link came in a webhook, and the key
        must never go anywhere else.
        """
        session = channel.phone_number_id
        path = self._media_path(session, media.link)
        log.debug("bridge.request", session_id=session, type="media")
        try:
            async with self._http.stream("GET", self._base_url + path, headers=self._headers) as response:
                if not response.is_success:
                    await response.aread()
                    raise _refused(session, response.status_code, json_object(response))
                data = await read_bounded(response, max_bytes)
                return MediaFile(data=data, mime_type=content_type(response) or media.mime_type)
        except httpx.TransportError as exc:
            raise _unreachable(exc, session) from exc

    def _media_path(self, session: str, link: str | None) -> str:
        path = link or ""
        if path.startswith(self._base_url + "/"):
            path = path[len(self._base_url) :]
        prefix = _session_path(session, "/media/")
        name = path[len(prefix) :]
        if not path.startswith(prefix) or not re.fullmatch(r"[^/?#%\s]+", name) or name in (".", ".."):
            raise ChannelError(
                "the media link is not one of this number's files on the bridge",
                code="bad_media_link",
                transient=False,
            )
        return path

    # --- BridgeSessions --------------------------------------------------------------------------------

    async def create_session(self, session_id: str) -> BridgeLink:
        """`POST /sessions` with our id; answers once zapw has the first QR."""
        body = {"sessionId": session_id}
        data = await self._request("POST", "/sessions", session_id, json=body, seconds=SESSION_CREATE_TIMEOUT)
        return bridge_link(data)

    async def session(self, session_id: str) -> BridgeLink | None:
        """`GET /sessions/{id}` (a fresh QR when the last one expired); None when zapw does not know it."""
        try:
            data = await self._request("GET", _session_path(session_id), session_id)
        except ChannelError as exc:
            if exc.code == "404":
                return None
            raise
        return bridge_link(data)

    async def end_session(self, session_id: str) -> None:
        """`DELETE /sessions/{id}`; a session zapw does not know counts as ended."""
        try:
            await self._request("DELETE", _session_path(session_id), session_id)
        except ChannelError as exc:
            if exc.code != "404":
                raise

    # --- one request ---------------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        session: str,
        *,
        json: dict[str, Any] | None = None,
        seconds: float | None = None,
    ) -> dict[str, Any]:
        """One call to zapw; its JSON answer (unwrapped from `{"status", "data"}`), or a `ChannelError`."""
        log.debug("bridge.request", session_id=session, method=method, type=(json or {}).get("type"))
        extra: dict[str, Any] = {} if seconds is None else {"timeout": seconds}
        try:
            response = await self._http.request(
                method, self._base_url + path, json=json, headers=self._headers, **extra
            )
        except httpx.TransportError as exc:
            raise _unreachable(exc, session) from exc
        if response.status_code == 204:
            return {}
        data = json_object(response)
        if response.is_success and data is not None:
            inner = data.get("data")
            return inner if isinstance(inner, dict) else data
        raise _refused(session, response.status_code, data)


def bridge_link(data: dict[str, Any]) -> BridgeLink:
    """zapw's session object as a `BridgeLink` (an unknown status reads as `connecting`)."""
    raw_status = str(data.get("status"))
    try:
        status = ChannelStatus(raw_status)
    except ValueError:
        log.warning("bridge.unknown_status", status=raw_status[:40])
        status = ChannelStatus.CONNECTING
    qr = data.get("qrCode")
    phone = data.get("phoneNumber")
    name = data.get("name")
    return BridgeLink(
        status=status,
        qr=qr if isinstance(qr, str) and qr else None,
        qr_expires_at=parse_time(data.get("qrExpiresAt")),
        phone_number=digits_of(phone) if isinstance(phone, str) else None,
        profile_name=name if isinstance(name, str) and name else None,
    )


def parse_time(value: Any) -> datetime | None:
    """A zapw time: ISO 8601 text, or Unix milliseconds (seconds when the number is that small)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def digits_of(value: str) -> str:
    """The number part of a phone number or a JID (`5511…@s.whatsapp.net`, `5511…:3@…`)."""
    user = value.split("@", 1)[0].split(":", 1)[0]
    return "".join(ch for ch in user if ch.isdigit())


def _session_path(session_id: str, rest: str = "") -> str:
    return f"/sessions/{quote(session_id, safe='')}{rest}"


def _refused(session: str, http_status: int, data: dict[str, Any] | None) -> ChannelError:
    """zapw's answer other than a success (or a success that is not JSON) as a logged `ChannelError`."""
    error = _bridge_error(http_status, data)
    code, transient = error.code, error.transient
    log.info("bridge.error", session_id=session, http_status=http_status, code=code, transient=transient)
    return error


def _bridge_error(http_status: int, data: dict[str, Any] | None) -> ChannelError:
    body = data or {}
    short, detail, vendor_code = (str(body.get(k) or "") for k in ("error", "message", "code"))
    if 200 <= http_status < 300:
        # The request was accepted, so a message may have gone out: retrying could send it twice.
        text = "the bridge answered with a body that is not JSON"
        return ChannelError(text, code="bad_response", transient=False)
    text = detail or short or f"the bridge answered HTTP {http_status}"
    if http_status == 400 and (vendor_code == "SESSION_NOT_CONNECTED" or _NOT_CONNECTED.search(text + short)):
        # The phone is offline or relinking: a later try may find it back.
        return ChannelError(text, code=NOT_CONNECTED, transient=True, details=short or None)
    transient = http_status >= 500 or http_status in (408, 429)
    details = vendor_code or short or None
    return ChannelError(text, code=str(http_status), transient=transient, details=details)


def _unreachable(exc: httpx.TransportError, session: str) -> ChannelError:
    """A network failure or timeout as a transient `ChannelError`, `maybe_delivered` unless it came before
    the request was sent."""
    maybe = maybe_delivered(exc)
    timed_out = isinstance(exc, httpx.TimeoutException)
    log.info("bridge.unreachable", session_id=session, error=type(exc).__name__, maybe_delivered=maybe)
    text = "did not answer in time" if timed_out else f"could not be reached ({type(exc).__name__})"
    return ChannelError(
        f"the bridge {text}",
        code="timeout" if timed_out else "network",
        transient=True,
        maybe_delivered=maybe,
    )
