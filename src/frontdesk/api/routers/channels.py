"""The tenant's WhatsApp numbers (admins and owners) of every kind, and a bridge number's link to its
phone (reconnect, disconnect). Credentials are write-only."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError

from frontdesk.api.auth import Admin
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import ChannelsDep, SettingsDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Limit, Offset, id_path
from frontdesk.api.schemas.channels import (
    ChannelIn,
    ChannelOut,
    ChannelPage,
    ChannelPatch,
    ConnectionTestOut,
    untagged,
)
from frontdesk.domain.admin import ChannelDetails
from frontdesk.domain.channel_kinds import ChannelKind
from frontdesk.settings import Settings


class ChannelBodyRoute(ApiBodyRoute):  # type: ignore[misc,valid-type]  # a class made by limited_body_route
    """`ApiBodyRoute` whose 422s name a `ChannelIn` field as `["body", field]`, without the kind's tag
    pydantic puts in between, like every other body's."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle: Callable[[Request], Coroutine[Any, Any, Response]] = super().get_route_handler()

        async def untag(request: Request) -> Response:
            try:
                return await handle(request)
            except RequestValidationError as exc:
                raise RequestValidationError(untagged(exc.errors()), body=exc.body) from None

        return untag


router = APIRouter(prefix="/api/v1/channels", tags=["channels"], route_class=ChannelBodyRoute)
ChannelId = Annotated[int, id_path("The channel's id.")]

_DESCRIPTIONS = {
    400: "A wa_bridge number on a server without a bridge (FRONTDESK_BRIDGE_URL unset)",
    401: "Not signed in",
    403: "Needs the admin role",
    404: "No such channel in this tenant",
    409: "That phone_number_id is already registered",
    422: "A field is missing, malformed, or belongs to another kind (`loc` names it)",
    502: "The bridge (zapw) refused: `detail` says what and why (e.g. a wrong FRONTDESK_BRIDGE_API_KEY)",
    503: "The bridge (zapw) could not be reached or failed: nothing changed, try again",
}
_BRIDGE_409 = "Not a wa_bridge number, or (reconnect) it is connected"


def _errors(*codes: int, **descriptions: str) -> dict[int | str, dict[str, Any]]:
    """The documented error answers; `descriptions` (as `c409="..."`) override the usual ones."""
    return {
        code: {"model": error_model(code), "description": descriptions.get(f"c{code}", _DESCRIPTIONS[code])}
        for code in codes
    }


WEBHOOK_PATHS = {
    ChannelKind.WHATSAPP_CLOUD: "/webhooks/whatsapp",
    ChannelKind.WA_BRIDGE: "/webhooks/bridge",
    ChannelKind.AWS_SOCIAL: "/webhooks/aws",
}
"""Where each kind's events come in. The bridge's takes `?token=`, never shown here: it is a secret."""


def webhook_url(request: Request, settings: Settings, kind: ChannelKind = ChannelKind.WHATSAPP_CLOUD) -> str:
    """Where a kind's webhooks come in: FRONTDESK_PUBLIC_URL, else this request's base URL."""
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + WEBHOOK_PATHS[kind]


def _out(channel: ChannelDetails, request: Request, settings: Settings) -> ChannelOut:
    return ChannelOut.of(
        channel,
        webhook_url=webhook_url(request, settings, channel.kind),
        verify_token=settings.whatsapp_verify_token.get_secret_value(),
    )


@router.get("", responses=_errors(401, 403))
async def list_channels(
    staff: Admin,
    service: ChannelsDep,
    settings: SettingsDep,
    request: Request,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ChannelPage:
    """The tenant's numbers, oldest first."""
    page = await service.list(tenant=staff.tenant, limit=limit, offset=offset)
    items = [_out(c, request, settings) for c in page.items]
    return ChannelPage(items=items, total=page.total, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_errors(400, 401, 403, 409, 422, 502, 503))
async def create_channel(
    body: ChannelIn, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Add a number of a `kind` (left out: `whatsapp_cloud`).

    - `whatsapp_cloud`: then paste `webhook_url` and `verify_token` into the Meta app's webhook settings.
    - `wa_bridge`: Frontdesk starts a zapw session for it and answers `qr_waiting` with the `qr` to scan
      in WhatsApp → Linked devices; GET the channel for a fresh QR once `qr_expires_at` passes. When
      zapw fails (502, 503) nothing is stored.
    - `aws_social`: Meta's `phone_number_id` (what AWS's events name it by), AWS's `aws_phone_number_id`
      and its `region`; subscribe `webhook_url` to the SNS topic of the number's WABA.
    """
    return _out(await service.create(staff=staff, new=body.to_domain()), request, settings)


@router.get("/{channel_id}", responses=_errors(401, 403, 404, 502, 503))
async def get_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """One number. A wa_bridge number not linked yet is read from the bridge too: its current status and,
    while `qr_waiting`, a fresh `qr` (so 502 or 503 when zapw fails)."""
    return _out(await service.get(tenant=staff.tenant, channel_id=channel_id), request, settings)


@router.delete(
    "/{channel_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(
        401, 403, 404, 409, 502, 503, c409="It has conversations: disable it instead (history is kept)"
    ),
)
async def delete_channel(channel_id: ChannelId, staff: Admin, service: ChannelsDep) -> None:
    """Delete a number that never had a conversation (one entered by mistake); a wa_bridge number's
    session is ended first. A number with conversations is refused (409): disable it instead, as customer
    history is never deleted this way."""
    await service.delete(staff=staff, channel_id=channel_id)


@router.post(
    "/{channel_id}/reconnect", responses=_errors(400, 401, 403, 404, 409, 502, 503, c409=_BRIDGE_409)
)
async def reconnect_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Link a wa_bridge number to a phone again (after it was disconnected): a new zapw session with a
    new `session_id`, answered `qr_waiting` with the `qr` to scan; the old session is ended."""
    return _out(await service.reconnect(staff=staff, channel_id=channel_id), request, settings)


@router.post(
    "/{channel_id}/disconnect",
    responses=_errors(400, 401, 403, 404, 409, 502, 503, c409="Not a wa_bridge number"),
)
async def disconnect_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Unlink a wa_bridge number's phone: its zapw session is ended, the channel kept as `disconnected`
    (its conversations stay; `reconnect` links a phone again)."""
    return _out(await service.disconnect(staff=staff, channel_id=channel_id), request, settings)


@router.patch("/{channel_id}", responses=_errors(401, 403, 404, 422))
async def update_channel(
    channel_id: ChannelId,
    body: ChannelPatch,
    staff: Admin,
    service: ChannelsDep,
    settings: SettingsDep,
    request: Request,
) -> ChannelOut:
    """Change a number's details, its token (`"access_token": null` falls back to the global token), what
    happens to its uncertain sends (`uncertain_sends`: `resend` or `hold`), the team that answers on it
    (`team_version`; null: the tenant's current team), a wa_bridge number's `groups` or an aws_social
    number's AWS id and region. A field the number's kind does not have is refused (422)."""
    channel = await service.update(staff=staff, channel_id=channel_id, changes=body.to_domain())
    return _out(channel, request, settings)


@router.post("/{channel_id}/disable", responses=_errors(401, 403, 404))
async def disable_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Stop serving the number: its webhooks are ignored until it is enabled again."""
    channel = await service.set_enabled(staff=staff, channel_id=channel_id, enabled=False)
    return _out(channel, request, settings)


@router.post("/{channel_id}/enable", responses=_errors(401, 403, 404))
async def enable_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Serve the number again."""
    channel = await service.set_enabled(staff=staff, channel_id=channel_id, enabled=True)
    return _out(channel, request, settings)


@router.post("/{channel_id}/test", responses=_errors(401, 403, 404))
async def test_channel(channel_id: ChannelId, staff: Admin, service: ChannelsDep) -> ConnectionTestOut:
    """Test connection: ask the number's provider, by its kind, about it (the Cloud API: Graph with the
    number's token; AWS: its phone number through AWS End User Messaging; the bridge: its zapw
    session); 200 either way, `ok` says which and the error is kept on the number."""
    return ConnectionTestOut.of(await service.test(staff=staff, channel_id=channel_id))
