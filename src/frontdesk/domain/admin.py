"""What the admin API manages for a tenant: its settings, its WhatsApp numbers and its dead letters.

Records and the ports services use to read and change them. Everything is scoped by tenant: an id of
another tenant is answered exactly like a missing one (`NotFoundError`).
"""

from __future__ import annotations

import re
from contextlib import AbstractAsyncContextManager
from datetime import datetime, time
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.business import WEEKDAYS
from frontdesk.domain.channel_kinds import ChannelKind, ChannelStatus
from frontdesk.domain.errors import FrontdeskError
from frontdesk.domain.models import Channel, ChannelSettings, Frozen, UncertainSends

T = TypeVar("T")

WeekHours = dict[str, tuple[str, str] | None]
"""Opening hours per weekday key (`WEEKDAYS`): `("09:00", "18:00")`, or None on a closed day."""

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def check_timezone(name: str) -> str:
    """`name` if it is an IANA time zone (`Europe/London`); ValueError saying why not otherwise."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise ValueError(f"{name!r} is not an IANA time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/London'") from None
    return name


def check_day(day: str, span: tuple[str, str]) -> tuple[str, str]:
    """One day's opening span `(open, close)` in 24-hour `HH:MM`, opening before closing."""
    for value in span:
        if not _CLOCK.match(value):
            raise ValueError(f"{day}: {value!r} is not a time of day as HH:MM (00:00 to 23:59)")
    if time.fromisoformat(span[0]) >= time.fromisoformat(span[1]):
        raise ValueError(f"{day}: opens at {span[0]} but closes at {span[1]}; it must open before closing")
    return span


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many items there are in all."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int


class TenantSettings(Frozen):
    id: int
    slug: str
    name: str
    timezone: str
    opening_hours: WeekHours
    """Every weekday key, in order; None on closed days."""
    retention_days: int | None = None
    """Days after which message text and content are erased (`frontdesk.domain.retention`); None: never."""


class TenantChanges(Frozen):
    """What to change in a tenant's settings; None leaves a field as it is, except `retention_days`,
    which counts when set at all (`model_fields_set`): None there means "keep for ever"."""

    name: str | None = None
    timezone: str | None = None
    opening_hours: WeekHours | None = None
    retention_days: int | None = None


class ChannelTestRecord(Frozen):
    """What the latest "test connection" found, kept on the channel."""

    at: datetime
    ok: bool
    error: str | None = None
    """The provider's error (code and message) when not ok."""


class ChannelDetails(Frozen):
    """A WhatsApp number as staff see it: the credential only as whether it is set."""

    id: int
    tenant_id: int
    kind: ChannelKind = ChannelKind.WHATSAPP_CLOUD
    phone_number_id: str
    """The webhooks' key: Meta's phone number id, or a bridge number's zapw session id."""
    waba_id: str | None = None
    display_phone_number: str | None = None
    name: str | None = None
    enabled: bool
    access_token_set: bool
    created_at: datetime
    uncertain_sends: UncertainSends = UncertainSends.RESEND
    last_test: ChannelTestRecord | None = None
    """The latest "test connection", None if never tested."""
    aws_phone_number_id: str | None = None
    region: str | None = None
    groups: bool = False
    team_version: int | None = None
    status: ChannelStatus | None = None
    """A bridge number's link (qr_waiting, connected, disconnected...); None for Meta's kinds."""
    status_detail: str | None = None
    """Why it is so, e.g. zapw's disconnect reason."""
    status_at: datetime | None = None
    profile_name: str | None = None
    """The WhatsApp profile name the linked phone reported (bridge)."""
    qr: str | None = None
    """A bridge number's QR code to scan while `qr_waiting`, read from zapw when one channel is asked
    for (never stored: it expires within a minute)."""
    qr_expires_at: datetime | None = None


class NewChannel(ChannelSettings):
    """A number to add: the settings every channel has, before it has an id."""


class NewBridgeChannel(Frozen):
    """A QR-linked number to add. It has no number yet: Frontdesk names its zapw session, which becomes
    the channel's key, and the number is known once a phone scans the QR."""

    name: str
    groups: bool = False
    uncertain_sends: UncertainSends = UncertainSends.RESEND
    team_version: int | None = None


class LinkState(Frozen):
    """A bridge number's link as kept on the channel: its status, why, since when and, once a phone is
    linked, its number and profile name."""

    status: ChannelStatus
    detail: str | None = None
    at: datetime
    display_phone_number: str | None = None
    profile_name: str | None = None


KIND_FIELDS: dict[ChannelKind, frozenset[str]] = {
    ChannelKind.WHATSAPP_CLOUD: frozenset(
        {
            "waba_id",
            "display_phone_number",
            "name",
            "access_token",
            "enabled",
            "uncertain_sends",
            "team_version",
        }
    ),
    ChannelKind.WA_BRIDGE: frozenset({"name", "enabled", "uncertain_sends", "groups", "team_version"}),
    ChannelKind.AWS_SOCIAL: frozenset(
        {
            "waba_id",
            "display_phone_number",
            "name",
            "enabled",
            "uncertain_sends",
            "team_version",
            "aws_phone_number_id",
            "region",
        }
    ),
}
"""Which `ChannelChanges` fields apply to a channel of each kind: a bridge number has no Meta ids or
token (its number comes from the linked phone), AWS's credentials are boto3's, groups exist only on the
bridge."""

AWS_REGION = r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$"
"""An AWS region's name: `eu-west-1`, `us-gov-west-1`, `ap-southeast-2`."""
AWS_NUMBER = (
    r"^(?:phone-number-id-[0-9a-zA-Z]{1,64}"
    r"|arn:aws[a-z-]*:social-messaging:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:phone-number-id/[0-9a-zA-Z]{1,64})$"
)
"""AWS End User Messaging's id of a number, `phone-number-id-<id>`, or its ARN."""
_AWS_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:social-messaging:([^:]+):")


def check_region(value: str) -> str:
    """`value` if it looks like an AWS region's name; ValueError saying what one looks like otherwise."""
    if not re.match(AWS_REGION, value):
        raise ValueError(f"{value!r} is not an AWS region name such as 'eu-west-1'")
    return value


def check_aws_number(value: str) -> str:
    """`value` if it is AWS's id of a number (`phone-number-id-…`) or its ARN; ValueError otherwise."""
    if not re.match(AWS_NUMBER, value):
        raise ValueError(
            "must be AWS End User Messaging's phone number id ('phone-number-id-' then letters and digits) "
            "or its ARN ('arn:aws:social-messaging:<region>:<account>:phone-number-id/<id>')"
        )
    return value


def aws_number_region(aws_phone_number_id: str) -> str | None:
    """The region an AWS phone number ARN names; None for a plain `phone-number-id-…`."""
    found = _AWS_ARN_REGION.match(aws_phone_number_id)
    return found[1] if found else None


class ChannelChanges(Frozen):
    """Fields to change; only those explicitly set count (`model_fields_set`). A None token clears it."""

    waba_id: str | None = None
    display_phone_number: str | None = None
    name: str | None = None
    access_token: str | None = None
    enabled: bool | None = None
    uncertain_sends: UncertainSends | None = None
    aws_phone_number_id: str | None = None
    region: str | None = None
    groups: bool | None = None
    team_version: int | None = None
    """Set to None (explicitly) to answer with the tenant's current team again."""

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class PhoneNumberInfo(Frozen):
    """What the channel's provider says about a number (Graph's `GET /{phone_number_id}`)."""

    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None


class ConnectionTest(Frozen):
    """The result of "test connection": ok with what Graph knows, or Graph's error code and message."""

    ok: bool
    phone: PhoneNumberInfo | None = None
    error_code: str | None = None
    error_message: str | None = None


class DeadLetterKind(StrEnum):
    TURN = "turn"
    """A turn job that kept failing (the bot could not answer a message)."""
    SEND = "send"
    """A reply the channel refused or that kept failing to send, or one held as uncertain."""


class DeadLetter(Frozen):
    kind: DeadLetterKind
    id: int
    conversation_id: int | None
    message_id: int | None
    attempts: int
    error: str | None
    error_code: str | None = None
    failed_at: datetime | None
    created_at: datetime
    uncertain: bool = False
    """A send held for staff because it may have reached the customer (the channel's `uncertain_sends`
    is `hold`); retry sends it again, discard keeps it from ever being sent."""


class AdminTx(Protocol):
    """One transaction over a tenant's settings, channels and dead letters."""

    async def tenant_settings(self, tenant_id: int) -> TenantSettings: ...
    async def update_tenant(self, tenant_id: int, changes: TenantChanges) -> TenantSettings: ...

    async def channels(self, tenant_id: int, *, limit: int, offset: int) -> Page[ChannelDetails]: ...
    async def channel(self, tenant_id: int, channel_id: int) -> ChannelDetails:
        """The tenant's channel, or `NotFoundError`."""
        ...

    async def channel_record(self, tenant_id: int, channel_id: int) -> Channel:
        """The channel with its credential, for calling the provider; never for an answer."""
        ...

    async def add_channel(
        self, tenant_id: int, new: NewChannel, *, now: datetime, status: ChannelStatus | None = None
    ) -> ChannelDetails:
        """Add a number (a bridge number with the `status` of its new session); `ConflictError` when its
        phone_number_id is taken."""
        ...

    async def update_channel(
        self, tenant_id: int, channel_id: int, changes: ChannelChanges
    ) -> ChannelDetails: ...

    async def record_test(self, tenant_id: int, channel_id: int, test: ChannelTestRecord) -> ChannelDetails:
        """Keep the outcome of a connection test on the channel."""
        ...

    async def bridge_channel(self, session_id: str) -> ChannelDetails | None:
        """The bridge channel (of any tenant) whose session is `session_id`, or None."""
        ...

    async def set_link(
        self,
        channel_id: int,
        link: LinkState,
        *,
        expected: ChannelStatus | None = None,
        in_order: bool = False,
    ) -> ChannelDetails | None:
        """Store a bridge channel's link (its phone number and profile name only where `link` has them).
        With `expected`, only while the stored status is still that one (a read of zapw must not undo
        what a webhook stored meanwhile); with `in_order`, only unless the stored status is newer than
        `link.at` (zapw's events can arrive out of order). None when not stored for either reason."""
        ...

    async def relink(
        self, channel_id: int, link: LinkState, *, old_session_id: str, new_session_id: str
    ) -> ChannelDetails | None:
        """Give a bridge channel a new session: `new_session_id` becomes its key, the old phone's number
        and profile name are forgotten and `link` stored. None (nothing changed) unless its session was
        still `old_session_id` (another reconnect came first, or it was deleted)."""
        ...

    async def count_conversations(self, channel_id: int) -> int: ...
    async def delete_channel(self, tenant_id: int, channel_id: int) -> int:
        """Delete a channel that has no conversations: 0. When it has some, nothing is deleted (they
        would go with it: customer history is never deleted this way) and the answer is how many."""
        ...

    async def dead_letters(
        self, tenant_id: int, *, kind: DeadLetterKind | None, limit: int, offset: int
    ) -> Page[DeadLetter]: ...
    async def retry_dead_letter(
        self, tenant_id: int, kind: DeadLetterKind, item_id: int, *, now: datetime
    ) -> DeadLetter:
        """Queue it again from scratch (attempts reset); `NotFoundError` unless it is dead."""
        ...

    async def discard_dead_letter(self, tenant_id: int, kind: DeadLetterKind, item_id: int) -> DeadLetter:
        """Drop it for good (a failed send's message stays failed)."""
        ...

    async def add_event(
        self, *, tenant_id: int, type: str, payload: dict[str, Any], now: datetime
    ) -> int: ...
    async def add_audit(self, entry: AuditEntry) -> None:
        """Record an audit entry in this transaction, so it commits with the change it describes."""
        ...


class AdminStore(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[AdminTx]:
        """A write transaction."""
        ...

    def read(self) -> AbstractAsyncContextManager[AdminTx]:
        """A read-only snapshot."""
        ...


class ChannelProbe(Protocol):
    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo:
        """Ask the provider about the channel's number; `ChannelError` (with its code) when it refuses."""
        ...


class BridgeLink(Frozen):
    """What the bridge (zapw) says about one of its sessions: how far the phone's link is and, while
    waiting, the QR code to scan with it."""

    status: ChannelStatus
    qr: str | None = None
    """zapw's `qrCode` while `qr_waiting`: a `2@…` payload or a `data:image/png;base64,…` image."""
    qr_expires_at: datetime | None = None
    """When that QR stops working (zapw's `qrExpiresAt`, about a minute after it was made)."""
    phone_number: str | None = None
    """The linked phone's number as zapw gives it (digits), once connected."""
    profile_name: str | None = None
    """The linked phone's WhatsApp profile name (zapw's `name`), once connected."""


class BridgeSessions(Protocol):
    """The bridge's sessions (zapw's `/sessions`): one per bridge channel, named by the channel's key.

    Every failure is a `ChannelError`: `transient` when zapw could not be reached, timed out or answered
    5xx; not transient for its 4xx (`code` is zapw's HTTP status).
    """

    async def create_session(self, session_id: str) -> BridgeLink:
        """Start a session named `session_id` (`POST /sessions`); answers once zapw has its first QR."""
        ...

    async def session(self, session_id: str) -> BridgeLink | None:
        """The session now (`GET /sessions/{id}`; zapw makes a fresh QR when the last one expired), or
        None when zapw does not know it (404: deleted there, or its data lost)."""
        ...

    async def end_session(self, session_id: str) -> None:
        """End and delete the session (`DELETE /sessions/{id}`): the phone is unlinked. A session zapw
        does not know (404) counts as ended."""
        ...


class BridgeNotConfiguredError(FrontdeskError):
    """A bridge number was asked for on a server without a bridge (`FRONTDESK_BRIDGE_URL` unset)."""


class BridgeError(FrontdeskError):
    """The bridge could not do what was asked; nothing was stored or changed."""


class BridgeUnavailableError(BridgeError):
    """The bridge could not be reached, timed out or failed (5xx): try again later."""


class BridgeRefusedError(BridgeError):
    """The bridge answered with a refusal (4xx, e.g. a wrong `FRONTDESK_BRIDGE_API_KEY`)."""


def weekdays(hours: WeekHours) -> WeekHours:
    """`hours` with every weekday key, in order (a missing day is closed)."""
    return {day: hours.get(day) for day in WEEKDAYS}
