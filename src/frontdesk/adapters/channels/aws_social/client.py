"""Outbound side of AWS End User Messaging Social: sends, the number's details and received media.

`SocialMessagingClient` is the `aws_social` kind's channel adapter. It speaks AWS's `socialmessaging` API
through boto3: credentials and the default region come from boto3's usual chain (environment, shared
files, the instance or task role), the channel's `region` picks the client's, and
`AWS_ENDPOINT_URL_SOCIALMESSAGING` (boto3's own setting) points it elsewhere, as the tests do.

- `send`: `SendWhatsAppMessage` with the Cloud API message object (`whatsapp_cloud.client.message_payload`,
  the same JSON Graph gets) as bytes, and Meta's API version; the answer's `messageId` is stored as the
  message's id, which the statuses AWS relays name.
- `phone_number`: `GetLinkedWhatsAppBusinessAccountPhoneNumber` ("test connection"), which also checks that
  the AWS number is the Meta number the channel says.
- `media`: `GetWhatsAppMessageMedia` copies the file into `FRONTDESK_AWS_MEDIA_BUCKET`; it is read back
  from S3 and deleted there (Frontdesk's file store keeps it, under its own retention and erasure).

boto3 is synchronous: every call runs on this adapter's own threads, so a slow AWS never holds the event
loop or the threads the database uses. boto3 does not retry (the outbox does, with its backoff), and
every failure becomes a `ChannelError` in one place (`_translated`): throttling and AWS's 5xx are
transient, refusals (validation, access, unknown resource) permanent, and `maybe_delivered` follows the
Graph client's rule (only a failure before the request went out proves AWS does not have it).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from frontdesk.adapters.channels.media_download import media_too_large, whole_number
from frontdesk.adapters.channels.whatsapp_cloud.client import message_payload
from frontdesk.domain.admin import PhoneNumberInfo
from frontdesk.domain.errors import ChannelError
from frontdesk.domain.events import Media
from frontdesk.domain.files import MediaFile
from frontdesk.domain.models import Channel
from frontdesk.domain.outbound import OutboundMessage

log = structlog.get_logger(__name__)
T = TypeVar("T")

SERVICE = "socialmessaging"
MEDIA_PREFIX = "frontdesk-media"
"""Where in the media bucket AWS puts a received file (`<prefix>/<channel id>/<media id>`), briefly."""
# AWS's error codes (botocore's socialmessaging model) whose retry can succeed, and those whose cannot.
_TRANSIENT_CODES = frozenset(
    {"ThrottledRequestException", "ThrottlingException", "InternalServiceException", "DependencyException"}
)
_PERMANENT_CODES = frozenset(
    {
        "ValidationException",
        "InvalidParametersException",
        "AccessDeniedException",
        "AccessDeniedByMetaException",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
    }
)
THREADS = 8
"""AWS calls in flight at once per process (the dispatcher's sends, media fetches, connection tests)."""


def is_transient(*, http_status: int, code: str | None) -> bool:
    """Whether an AWS API failure may succeed when retried, from its error code and HTTP status."""
    if code in _TRANSIENT_CODES:
        return True
    if code in _PERMANENT_CODES:
        return False
    return http_status >= 500 or http_status == 429


class SocialMessagingClient:
    """AWS End User Messaging Social as a channel adapter (see the module docstring)."""

    def __init__(
        self,
        *,
        api_version: str,
        timeout_seconds: float,
        media_bucket: str | None = None,
        session: boto3.session.Session | None = None,
    ) -> None:
        self._api_version = api_version
        self._media_bucket = media_bucket
        self._session = session or boto3.session.Session()
        self._config = Config(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            retries={"total_max_attempts": 1, "mode": "standard"},  # the outbox retries, with backoff
        )
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()  # a boto3 session is not thread-safe; the clients it makes are
        self._threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="aws")

    async def send(self, *, channel: Channel, to: str, message: OutboundMessage) -> str:
        """Send one message; its id (Meta's wamid, as AWS relays it). Raises `ChannelError`."""
        body = json.dumps(message_payload(to=to, message=message), ensure_ascii=False).encode()
        origin = _origin(channel)
        answer = await self._aws(
            channel,
            lambda: self._client(SERVICE, channel).send_whatsapp_message(
                originationPhoneNumberId=origin, message=body, metaApiVersion=self._api_version
            ),
        )
        message_id = answer.get("messageId")
        if not isinstance(message_id, str) or not message_id:
            # AWS accepted the request, so the message may have gone out: do not retry it blindly.
            raise ChannelError(
                "AWS accepted the message but returned no id", code="bad_response", transient=False
            )
        return message_id

    async def phone_number(self, *, channel: Channel) -> PhoneNumberInfo:
        """What AWS knows of the number: proves the AWS id, the region and the credentials work, and that
        the AWS number is the channel's Meta number."""
        origin = _origin(channel)
        answer = await self._aws(
            channel,
            lambda: self._client(SERVICE, channel).get_linked_whatsapp_business_account_phone_number(
                id=origin
            ),
        )
        phone = answer.get("phoneNumber") or {}
        meta_id = phone.get("metaPhoneNumberId")
        if meta_id and meta_id != channel.phone_number_id:
            raise ChannelError(
                f"AWS number {origin} is Meta's phone number {meta_id}, but this channel's "
                f"phone_number_id is {channel.phone_number_id}: its webhooks would not reach it",
                code="wrong_number",
                transient=False,
            )
        return PhoneNumberInfo(
            display_phone_number=_text(phone.get("displayPhoneNumber")),
            verified_name=_text(phone.get("displayPhoneNumberName")),
            quality_rating=_text(phone.get("qualityRating")),
        )

    async def media(self, *, channel: Channel, media: Media, max_bytes: int) -> MediaFile:
        """A received file: AWS copies it from Meta into the media bucket; it is read back (at most
        `max_bytes`) and deleted there."""
        bucket = self._media_bucket
        if not bucket:
            raise ChannelError(
                "FRONTDESK_AWS_MEDIA_BUCKET is not set: media received on AWS numbers cannot be fetched",
                code="no_media_bucket",
                transient=False,
            )
        if not media.id:
            raise ChannelError("the message's media has no id", code="no_media_id", transient=False)
        origin, media_id = _origin(channel), media.id
        key = f"{MEDIA_PREFIX}/{channel.id}/{media_id}"
        answer = await self._aws(
            channel,
            lambda: self._client(SERVICE, channel).get_whatsapp_message_media(
                mediaId=media_id,
                originationPhoneNumberId=origin,
                destinationS3File={"bucketName": bucket, "key": key},
            ),
        )
        data, stored_type = await self._aws(
            channel, lambda: self._take_object(channel, bucket, key, max_bytes=max_bytes)
        )
        return MediaFile(data=data, mime_type=_text(answer.get("mimeType")) or stored_type)

    def close(self) -> None:
        """Let the AWS threads finish (calls in flight end by their timeouts)."""
        self._threads.shutdown(wait=False)

    # --- in the AWS threads ---------------------------------------------------------------------------

    def _take_object(
        self, channel: Channel, bucket: str, key: str, *, max_bytes: int
    ) -> tuple[bytes, str | None]:
        """The file AWS put at `key`, read up to `max_bytes` (refused past it), then deleted there."""
        s3 = self._client("s3", channel)
        try:
            found = s3.get_object(Bucket=bucket, Key=key)
            size = whole_number(found.get("ContentLength"))
            if size is not None and size > max_bytes:
                raise media_too_large(max_bytes, size)
            data: bytes = found["Body"].read(max_bytes + 1)
            if len(data) > max_bytes:
                raise media_too_large(max_bytes)
            return data, _text(found.get("ContentType"))
        finally:
            try:
                s3.delete_object(Bucket=bucket, Key=key)
            except (ClientError, BotoCoreError) as exc:  # a copy left behind is logged, not fatal
                log.warning("aws.media_not_deleted", bucket=bucket, key=key, error=type(exc).__name__)

    def _client(self, service: str, channel: Channel) -> Any:
        """boto3's client for `service` in the channel's region (else the chain's default), made once."""
        region = region_of(channel)
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(service, region_name=region, config=self._config)
                self._clients[key] = client
        return client

    async def _aws(self, channel: Channel, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._translated, channel, call)

    @staticmethod
    def _translated(channel: Channel, call: Callable[[], T]) -> T:
        """Run `call`; every boto3 failure as a `ChannelError` (see the module docstring)."""
        try:
            return call()
        except ClientError as exc:
            raise _refused(exc, channel) from exc
        except BotoCoreError as exc:
            raise _failed(exc, channel) from exc


def region_of(channel: Channel) -> str | None:
    """The channel's region; unset, the one in its AWS id when that is an ARN; else None (boto3's default)."""
    if channel.region:
        return channel.region
    arn = (channel.aws_phone_number_id or "").split(":")
    return arn[3] if len(arn) > 5 and arn[0] == "arn" and arn[3] else None


def _origin(channel: Channel) -> str:
    if not channel.aws_phone_number_id:
        raise ChannelError(
            f"channel {channel.id} has no aws_phone_number_id", code="not_configured", transient=False
        )
    return channel.aws_phone_number_id


def _refused(exc: ClientError, channel: Channel) -> ChannelError:
    """AWS's error answer as a `ChannelError`: it answered, so it did not take the message."""
    error = exc.response.get("Error") or {}
    status = int((exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    code = str(error.get("Code") or "") or f"http_{status}"
    transient = is_transient(http_status=status, code=code)
    request_id = (exc.response.get("ResponseMetadata") or {}).get("RequestId")
    log.info(
        "aws.error",
        channel_id=channel.id,
        http_status=status,
        code=code,
        transient=transient,
        request_id=request_id,
    )
    message = str(error.get("Message") or f"AWS answered HTTP {status}")
    return ChannelError(message, code=code, transient=transient)


# Failures before the whole request went out: AWS cannot have the message. Any other (a read timeout, a
# connection closed while waiting for the answer) may come after AWS accepted it.
_NEVER_SENT = (ConnectTimeoutError, EndpointConnectionError)


def _failed(exc: BotoCoreError, channel: Channel) -> ChannelError:
    """A failure of boto3 itself: no credentials or region (permanent, the setup is wrong), or the network."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ChannelError(
            "no AWS credentials: set them as boto3 finds them (environment, shared files, a role)",
            code="no_credentials",
            transient=False,
        )
    if isinstance(exc, NoRegionError):
        return ChannelError(
            f"channel {channel.id} has no region and boto3 has no default one (AWS_REGION)",
            code="no_region",
            transient=False,
        )
    if not isinstance(exc, HTTPClientError | EndpointConnectionError | ConnectTimeoutError):
        # The type name only: botocore's text may quote what was sent (ParamValidationError reports a
        # parameter's value, which may be the customer's message), and this message is kept and shown.
        log.info("aws.client_error", channel_id=channel.id, error=type(exc).__name__)
        return ChannelError(f"AWS call failed: {type(exc).__name__}", code="aws_error", transient=False)
    maybe_delivered = not isinstance(exc, _NEVER_SENT)
    timeout = isinstance(exc, ReadTimeoutError | ConnectTimeoutError)
    log.info(
        "aws.network_error", channel_id=channel.id, error=type(exc).__name__, maybe_delivered=maybe_delivered
    )
    return ChannelError(
        "AWS did not answer in time" if timeout else f"could not reach AWS: {type(exc).__name__}",
        code="timeout" if timeout else "network",
        transient=True,
        maybe_delivered=maybe_delivered,
    )


def _text(value: object) -> str | None:
    return str(value) if value is not None and value != "" else None
