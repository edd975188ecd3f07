"""The tenant's WhatsApp numbers (admins and owners). Credentials are write-only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, status

from frontdesk.api.auth import Admin
from frontdesk.api.body import ApiBodyRoute
from frontdesk.api.deps import ChannelsDep, SettingsDep
from frontdesk.api.errors import error_model
from frontdesk.api.params import Limit, Offset, id_path
from frontdesk.api.schemas.channels import ChannelIn, ChannelOut, ChannelPage, ChannelPatch, ConnectionTestOut
from frontdesk.domain.admin import ChannelDetails
from frontdesk.settings import Settings

router = APIRouter(prefix="/api/v1/channels", tags=["channels"], route_class=ApiBodyRoute)
ChannelId = Annotated[int, id_path("The channel's id.")]

_DESCRIPTIONS = {
    401: "Not signed in",
    403: "Needs the admin role",
    404: "No such channel in this tenant",
    409: "That phone_number_id is already registered",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": error_model(code), "description": _DESCRIPTIONS[code]} for code in codes}


def webhook_url(request: Request, settings: Settings) -> str:
    """Where Meta must send this number's webhooks: FRONTDESK_PUBLIC_URL, else this request's base URL."""
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + "/webhooks/whatsapp"


def _out(channel: ChannelDetails, request: Request, settings: Settings) -> ChannelOut:
    return ChannelOut.of(
        channel,
        webhook_url=webhook_url(request, settings),
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


@router.post("", status_code=status.HTTP_201_CREATED, responses=_errors(401, 403, 409))
async def create_channel(
    body: ChannelIn, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """Add a number. Then paste `webhook_url` and `verify_token` into the Meta app's webhook settings."""
    return _out(await service.create(staff=staff, new=body.to_domain()), request, settings)


@router.get("/{channel_id}", responses=_errors(401, 403, 404))
async def get_channel(
    channel_id: ChannelId, staff: Admin, service: ChannelsDep, settings: SettingsDep, request: Request
) -> ChannelOut:
    """One number."""
    return _out(await service.get(tenant=staff.tenant, channel_id=channel_id), request, settings)


@router.patch("/{channel_id}", responses=_errors(401, 403, 404))
async def update_channel(
    channel_id: ChannelId,
    body: ChannelPatch,
    staff: Admin,
    service: ChannelsDep,
    settings: SettingsDep,
    request: Request,
) -> ChannelOut:
    """Change a number's details, its token (`"access_token": null` falls back to the global token) or
    what happens to its uncertain sends (`uncertain_sends`: `resend` or `hold`)."""
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
    """Test connection: ask Graph about the number with its token; 200 either way, `ok` says which."""
    return ConnectionTestOut.of(await service.test(staff=staff, channel_id=channel_id))
