"""Sending on the WhatsApp Cloud API: outbound messages become Graph API JSON, failures become `ChannelError`.

`GraphClient` implements the `ChannelSender` port and fetches received media. Every Graph call goes
through `GraphClient._request` (a media file's download through `_download`, with the same token), and
both turn Graph's error envelope, HTTP statuses and network failures into a `ChannelError` in one way
(`_refused`, `_transport_error`), whose `transient` flag tells the outbox or the media job whether a
retry can succeed.
"""

from __future__ import annotations

from typing import Any, assert_never
from urllib.parse import quote

import httpx
import structlog

from frontdesk.adapters.channels.http_failures import json_object as _json_object
from frontdesk.adapters.channels.http_failures import maybe_delivered as sent_maybe
from frontdesk.adapters.channels.media_download import (
    content_type,
    media_too_large,
    read_bounded,
    whole_number,
)
from frontdesk.domain import events
from frontdesk.domain.admin import PhoneNumberInfo
from frontdesk.domain.errors import ChannelError
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
)

log = structlog.get_logger(__name__)

# Throughput (130429), pair rate limit (131056), app (4) and WABA (80007) rate limits, and Graph's
# "temporary / unknown" API errors (1, 2): waiting and retrying can succeed.
_TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131056})
# Retrying the same request cannot succeed: outside the 24h window (131047), undeliverable (131026),
# unsupported type (131051), invalid parameter (100), bad or expired token (190), recipient not in the
# test number's allowed list (131030). Template errors (132xxx) are matched by range below.
_PERMANENT_CODES = frozenset({100, 190, 131026, 131030, 131047, 131051})
_TEMPLATE_CODES = range(132000, 133000)
_PHONE_FIELDS = "display_phone_number,verified_name,quality_rating"


def is_transient(*, http_status: int, code: int | None) -> bool:
    """Whether a Graph API failure may succeed when retried later, from Graph's code and the HTTP status."""
    if code in _TRANSIENT_CODES:
        return True
    if code in _PERMANENT_CODES or (code is not None and code in _TEMPLATE_CODES):
        return False
    # Unknown codes (including 131000 "something went wrong") follow the HTTP status.
    return http_status >= 500 or http_status == 429


def message_payload(*, to: str, message: OutboundMessage) -> dict[str, Any]:
    """The documented `POST /{phone_number_id}/messages` body sending `message` to the WhatsApp user `to`."""
    kind, content = _content(message)
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }
    if message.reply_to:
        body["context"] = {"message_id": message.reply_to}
    return body


def _content(message: OutboundMessage) -> tuple[str, dict[str, Any]]:
    match message:
        case Text():
            return "text", {"body": message.body, "preview_url": message.preview_url}
        case Buttons():
            return "interactive", _buttons(message)
        case ListMessage():
            return "interactive", _list(message)
        case Template():
            return "template", _template(message)
        case Media():
            return message.media_type, _media(message)
        case Reaction():
            return "reaction", {"message_id": message.message_id, "emoji": message.emoji}
        case _:
            assert_never(message)


def _interactive(
    kind: str, *, body: str, header: str | None, footer: str | None, action: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind}
    if header:
        out["header"] = {"type": "text", "text": header}
    out["body"] = {"text": body}
    if footer:
        out["footer"] = {"text": footer}
    out["action"] = action
    return out


def _buttons(message: Buttons) -> dict[str, Any]:
    buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons]
    return _interactive(
        "button", body=message.body, header=message.header, footer=message.footer, action={"buttons": buttons}
    )


def _list(message: ListMessage) -> dict[str, Any]:
    sections: list[dict[str, Any]] = []
    for section in message.sections:
        rows: list[dict[str, Any]] = []
        for row in section.rows:
            rows.append({"id": row.id, "title": row.title})
            if row.description:
                rows[-1]["description"] = row.description
        sections.append({"title": section.title, "rows": rows} if section.title else {"rows": rows})
    action = {"button": message.button, "sections": sections}
    return _interactive(
        "list", body=message.body, header=message.header, footer=message.footer, action=action
    )


def _template(message: Template) -> dict[str, Any]:
    out: dict[str, Any] = {"name": message.name, "language": {"code": message.language}}
    if message.components:
        out["components"] = list(message.components)
    return out


def _media(message: Media) -> dict[str, Any]:
    out: dict[str, Any] = {"link": message.link} if message.link is not None else {"id": message.media_id}
    if message.caption and message.media_type in ("image", "video", "document"):
        out["caption"] = message.caption
    if message.filename and message.media_type == "document":
        out["filename"] = message.filename
    return out


class GraphClient:
    """The WhatsApp Cloud API (Graph API) as a `ChannelSender`."""

    def __init__(
        self, *, http: httpx.AsyncClient, base_url: str, api_version: str, default_token: str
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._api_version = api_version.strip("/")
        self._default_token = default_token

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        """Send one message and return its wamid; raises `ChannelError` when Graph refuses or fails."""
        data = await self._request(channel, message_payload(to=to, message=message))
        return _wamid(data)

    def _token(self, channel: Channel) -> str:
        token = channel.access_token or self._default_token
        if not token:
            # Per-number credentials live in the database, so this is a per-channel failure, not a crash.
            raise ChannelError(
                f"no access token for phone number {channel.phone_number_id}",
                code="no_token",
                transient=False,
            )
        return token

    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo:
        """What Graph knows of the number (`GET /{phone_number_id}`): proves the id and the token work."""
        data = await self._request(channel, None, edge="", params={"fields": _PHONE_FIELDS})
        return PhoneNumberInfo(
            display_phone_number=_str_or_none(data.get("display_phone_number")),
            verified_name=_str_or_none(data.get("verified_name")),
            quality_rating=_str_or_none(data.get("quality_rating")),
        )

    async def media(self, *, channel: Channel, media: events.Media, max_bytes: int) -> MediaFile:
        """A received file: `GET /{media_id}` (its short-lived `url`, `mime_type`, `file_size`), then a GET
        of that url with the same token. Graph keeps media for 30 days. (Graph's optional
        `phone_number_id` check is not sent: Meta documents it for media a number uploaded, and the id
        comes from a webhook already proven to be for this number.)

        Raises `ChannelError`: transient for Graph's transient failures, permanent for an unknown id, a
        media message without an id (the Cloud API always gives one) or a file over `max_bytes`.
        """
        if not media.id:
            raise ChannelError("the media has no Graph media id", code="no_media_id", transient=False)
        node = await self._request(channel, None, node=media.id, edge="")
        url = node.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ChannelError(
                "the Graph API answered a media lookup without a url", code="bad_response", transient=False
            )
        if not self._may_carry_token(url):
            raise ChannelError(
                "the Graph API answered a media url that is neither https nor on "
                "FRONTDESK_WHATSAPP_GRAPH_URL's host: not fetched with the number's token",
                code="bad_response",
                transient=False,
            )
        size = whole_number(node.get("file_size"))
        if size is not None and size > max_bytes:
            raise media_too_large(max_bytes, size)
        data, downloaded_type = await self._download(channel, url, max_bytes=max_bytes)
        mime_type = _str_or_none(node.get("mime_type")) or downloaded_type or media.mime_type
        return MediaFile(data=data, mime_type=mime_type)

    def _may_carry_token(self, url: str) -> bool:
        """Whether the number's token may go to `url`: https (Meta's files are, on their own host), or
        the scheme and host of the Graph URL this server was given (the fake Graph in dev and tests is
        plain http on loopback). Over plain http elsewhere anyone on the path would read the token."""
        try:
            target, graph = httpx.URL(url), httpx.URL(self._base_url)
        except httpx.InvalidURL:
            return False
        return target.scheme == "https" or (
            (target.scheme, target.host, target.port) == (graph.scheme, graph.host, graph.port)
        )

    async def _download(self, channel: Channel, url: str, *, max_bytes: int) -> tuple[bytes, str | None]:
        """The bytes at a media `url` (with the channel's token, as Meta requires) and their type."""
        pnid = channel.phone_number_id
        headers = {"Authorization": f"Bearer {self._token(channel)}"}
        log.debug("graph.request", phone_number_id=pnid, type="media")
        try:
            async with self._http.stream("GET", url, headers=headers, follow_redirects=True) as response:
                if not response.is_success:
                    await response.aread()
                    raise _refused(pnid, response.status_code, _json_object(response))
                return await read_bounded(response, max_bytes), content_type(response)
        except httpx.TransportError as exc:
            raise _transport_error(exc, pnid) from exc

    async def _request(
        self,
        channel: Channel,
        body: dict[str, Any] | None,
        *,
        node: str | None = None,
        edge: str = "/messages",
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POST `body` to the `edge` of `node` (the channel's number unless named; GET it when there is
        no body); the JSON answer, or a `ChannelError`."""
        pnid = channel.phone_number_id
        url = f"{self._base_url}/{self._api_version}/{quote(node or pnid, safe='')}{edge}"
        headers = {"Authorization": f"Bearer {self._token(channel)}"}
        kind = (body.get("type") or body.get("status")) if body is not None else "lookup"
        log.debug("graph.request", phone_number_id=pnid, type=kind)
        try:
            if body is None:
                response = await self._http.get(url, params=params, headers=headers)
            else:
                response = await self._http.post(url, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise _transport_error(exc, pnid) from exc
        data = _json_object(response)
        if response.is_success and data is not None:
            return data
        raise _refused(pnid, response.status_code, data)


def _refused(pnid: str, http_status: int, data: dict[str, Any] | None) -> ChannelError:
    """Graph's refusal (or a bare HTTP failure, or a 2xx that is not JSON) as a logged `ChannelError`."""
    error = _graph_error(http_status, data)
    log.info(
        "graph.error",
        phone_number_id=pnid,
        http_status=http_status,
        code=error.code,
        transient=error.transient,
        fbtrace_id=_fbtrace_id(data),
    )
    return error


def _transport_error(exc: httpx.TransportError, pnid: str) -> ChannelError:
    """A network failure as a transient `ChannelError`, `maybe_delivered` unless it came before the
    request was sent."""
    maybe_delivered = sent_maybe(exc)  # see http_failures: only a failure after the request went out
    if isinstance(exc, httpx.TimeoutException):
        log.info("graph.timeout", phone_number_id=pnid, maybe_delivered=maybe_delivered)
        return ChannelError(
            "the Graph API did not answer in time",
            code="timeout",
            transient=True,
            maybe_delivered=maybe_delivered,
        )
    log.info(
        "graph.network_error",
        phone_number_id=pnid,
        error=type(exc).__name__,
        maybe_delivered=maybe_delivered,
    )
    return ChannelError(
        f"could not reach the Graph API: {type(exc).__name__}: {exc}",
        code="network",
        transient=True,
        maybe_delivered=maybe_delivered,
    )


def _str_or_none(value: object) -> str | None:
    return str(value) if value is not None else None


def _graph_error(http_status: int, data: dict[str, Any] | None) -> ChannelError:
    """Graph's error envelope (or a bare HTTP failure, or a 2xx that is not JSON) as a `ChannelError`."""
    error = data.get("error") if data is not None else None
    if not isinstance(error, dict):
        if 200 <= http_status < 300:
            # The message may have gone out: retrying could send it twice.
            return ChannelError(
                "the Graph API answered with a body that is not JSON", code="bad_response", transient=False
            )
        return ChannelError(
            f"the Graph API answered HTTP {http_status}",
            code=f"http_{http_status}",
            transient=is_transient(http_status=http_status, code=None),
        )
    code = whole_number(error.get("code"))
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    return ChannelError(
        str(error.get("message") or f"HTTP {http_status}"),
        code=str(code) if code is not None else f"http_{http_status}",
        transient=is_transient(http_status=http_status, code=code),
        details=str(details) if details is not None else None,
    )


def _fbtrace_id(data: dict[str, Any] | None) -> str | None:
    error = data.get("error") if data is not None else None
    trace = error.get("fbtrace_id") if isinstance(error, dict) else None
    return str(trace) if trace is not None else None


def _wamid(data: dict[str, Any]) -> str:
    messages = data.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else None
    wamid = first.get("id") if isinstance(first, dict) else None
    if not isinstance(wamid, str) or not wamid:
        # Graph accepted the request, so the message may have gone out: do not retry it blindly.
        raise ChannelError(
            "the Graph API accepted the message but returned no id", code="bad_response", transient=False
        )
    return wamid
