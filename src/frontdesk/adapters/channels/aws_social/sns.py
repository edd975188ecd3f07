"""Inbound side of AWS End User Messaging Social: SNS HTTP deliveries, proved to be AWS's, then parsed.

AWS publishes each WhatsApp event of a linked WABA to an SNS topic; SNS posts it here as JSON (with
`Content-Type: text/plain`). Nothing in it is trusted before `SnsVerifier.verify` has checked, in this
order and on the raw body parsed only as far as needed:

1. the topic (`TopicArn`) is one this server was told to take (`FRONTDESK_AWS_SNS_TOPIC_ARNS`);
2. the signing certificate's URL matches `FRONTDESK_AWS_SNS_CERT_URL_REGEX` (https on SNS's own host):
   the certificate is fetched only from there (so nobody can make this server fetch anything else),
   and cached per URL. Deliveries waiting for one URL share its fetch, and no URL waits for another's
   (a caller naming a slow or missing certificate holds up nobody else). A URL SNS's host answered
   without a usable certificate (a 404, not a PEM, not RSA) is refused for `FAILED_CERTIFICATE_SECONDS`
   without asking again, so anyone naming an allowed topic cannot make this server fetch it over and
   over; one that could not be reached (no answer, a 5xx) is asked again by the next delivery;
3. the signature (`SignatureVersion` 1: SHA1withRSA, 2: SHA256withRSA) over SNS's canonical string of
   the message's fields, with that certificate's public key.

Any of those failing is `UntrustedSenderError` (403): SNS does not retry a 4xx, and nothing was stored.
A certificate that cannot be fetched is `UpstreamUnavailableError` (503): SNS retries later.

Only then is `Message` read: for a `Notification` it is a JSON object whose `whatsAppWebhookEntry` is one
Cloud API webhook entry serialised as a JSON string, parsed by the Cloud API's own parser
(`whatsapp_cloud.webhook.parse_entry`). Redelivery needs nothing here: an SNS message delivered twice,
or a Meta event published twice in two SNS messages, names the same wamid, which ingest stores once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from frontdesk.adapters.channels.whatsapp_cloud.webhook import parse_entry
from frontdesk.domain.errors import InvalidInputError, UntrustedSenderError, UpstreamUnavailableError
from frontdesk.domain.events import ChannelEvent
from frontdesk.domain.json_input import decode_json

log = logging.getLogger(__name__)

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"
MESSAGE_TYPE_HEADER = "x-amz-sns-message-type"

# The fields SNS signs, in the order of its canonical string ("key\nvalue\n" each; absent ones skipped).
_CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SIGNED_FIELDS: dict[str, tuple[str, ...]] = {
    NOTIFICATION: ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    SUBSCRIPTION_CONFIRMATION: _CONFIRMATION_FIELDS,
    UNSUBSCRIBE_CONFIRMATION: _CONFIRMATION_FIELDS,
}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
MAX_CERTIFICATE_BYTES = 64 * 1024
CERTIFICATE_CACHE_SIZE = 32
"""Certificates kept (SNS signs with one per region at a time, and rotates it rarely)."""
FAILED_CERTIFICATE_SECONDS = 60.0
"""How long a certificate URL that SNS's host answered without a usable certificate is refused."""
FAILED_CERTIFICATE_URLS = 256
"""Failed certificate URLs remembered (the oldest is forgotten first)."""


class _Unreachable(UpstreamUnavailableError):
    """The certificate's host did not answer, or failed (5xx): asked again by the next delivery."""


@dataclass(frozen=True, slots=True)
class SnsMessage:
    """A verified SNS message: what Frontdesk reads of it."""

    type: str
    message_id: str
    topic_arn: str
    message: str
    subscribe_url: str | None = None


def string_to_sign(fields: dict[str, Any]) -> bytes:
    """SNS's canonical string for a message of type `fields["Type"]` (raises `InvalidInputError` for an
    unknown type or a signed field that is not a string)."""
    names = SIGNED_FIELDS.get(_text(fields.get("Type")))
    if names is None:
        raise InvalidInputError("not an SNS message: unknown or missing Type")
    parts: list[str] = []
    for name in names:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInputError(f'not an SNS message: "{name}" must be a string')
        parts.append(f"{name}\n{value}\n")
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no signature SNS made covers it
        raise UntrustedSenderError("the SNS message holds text SNS cannot have signed") from None


class SnsVerifier:
    """Proves SNS deliveries are AWS's (see the module docstring) and confirms subscriptions."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        topic_arns: Iterable[str],
        cert_url_pattern: str,
        subscribe_url_pattern: str,
        cache_size: int = CERTIFICATE_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._topics = frozenset(topic_arns)
        self._cert_url = re.compile(cert_url_pattern)
        self._subscribe_url = re.compile(subscribe_url_pattern)
        self._keys: OrderedDict[str, rsa.RSAPublicKey] = OrderedDict()
        self._cache_size = cache_size
        self._clock = clock
        """Seconds, for how long a failed certificate URL is remembered (`time.monotonic`)."""
        self._fetches: dict[str, asyncio.Future[rsa.RSAPublicKey]] = {}
        """The certificate fetches under way, by URL: every delivery waiting for one URL awaits its one."""
        self._failed: OrderedDict[str, tuple[float, UntrustedSenderError | UpstreamUnavailableError]] = (
            OrderedDict()
        )
        """URLs whose fetch failed with SNS's host answering: until when they are refused, and why."""

    async def verify(self, body: bytes) -> SnsMessage:
        """The message in `body`, once its topic, certificate and signature check out.

        Raises `InvalidInputError` for a body that is not an SNS message, `UntrustedSenderError` for one
        not proved to be from an allowed topic, `UpstreamUnavailableError` when the certificate cannot
        be fetched.
        """
        fields = _envelope(body)
        topic = fields.get("TopicArn")
        if not isinstance(topic, str) or topic not in self._topics:
            raise UntrustedSenderError(
                "the SNS topic is not one this server takes (FRONTDESK_AWS_SNS_TOPIC_ARNS)"
            )
        signed = string_to_sign(fields)
        signature, algorithm = _signature(fields)
        key = await self._public_key(fields.get("SigningCertURL"))
        try:
            key.verify(signature, signed, padding.PKCS1v15(), algorithm())
        except InvalidSignature:
            raise UntrustedSenderError("the SNS signature does not match the message") from None
        message_id, message = fields.get("MessageId"), fields.get("Message")
        if not isinstance(message_id, str) or not isinstance(message, str):
            raise InvalidInputError('not an SNS message: "MessageId" and "Message" are required')
        subscribe_url = fields.get("SubscribeURL")
        return SnsMessage(
            type=fields["Type"],
            message_id=message_id,
            topic_arn=topic,
            message=message,
            subscribe_url=subscribe_url if isinstance(subscribe_url, str) else None,
        )

    async def confirm_subscription(self, message: SnsMessage) -> None:
        """Confirm a verified `SubscriptionConfirmation` by fetching its `SubscribeURL`, when that URL is
        SNS's own (`FRONTDESK_AWS_SNS_SUBSCRIBE_URL_REGEX`); else `UntrustedSenderError`."""
        url = message.subscribe_url
        if url is None or self._subscribe_url.fullmatch(url) is None:
            raise UntrustedSenderError(
                "the SubscribeURL is not SNS's (FRONTDESK_AWS_SNS_SUBSCRIBE_URL_REGEX): not confirmed"
            )
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(
                f"could not confirm the SNS subscription: {type(exc).__name__}"
            ) from exc
        if not response.is_success:
            raise UpstreamUnavailableError(f"SNS answered HTTP {response.status_code} to the subscription")
        # The URL carries the subscription's token: log the topic only.
        log.info("SNS subscription confirmed", extra={"topic_arn": message.topic_arn})

    async def _public_key(self, url: Any) -> rsa.RSAPublicKey:
        if not isinstance(url, str) or self._cert_url.fullmatch(url) is None:
            raise UntrustedSenderError(
                "the SNS signing certificate is not on SNS's host (FRONTDESK_AWS_SNS_CERT_URL_REGEX)"
            )
        key = self._cached(url)
        if key is not None:
            return key
        self._refuse_if_failed(url)
        fetch = self._fetches.get(url)
        if fetch is None:  # one fetch per certificate, however many deliveries wait for it
            fetch = asyncio.ensure_future(self._fetch(url))
            self._fetches[url] = fetch
            fetch.add_done_callback(partial(self._fetched, url))
        # shielded: a delivery given up on (its request cancelled) does not cancel the others' fetch
        return await asyncio.shield(fetch)

    def _fetched(self, url: str, fetch: asyncio.Future[rsa.RSAPublicKey]) -> None:
        """Keep a fetch's outcome: the key, or a failure SNS's host answered with (to refuse for a while)."""
        self._fetches.pop(url, None)
        if fetch.cancelled():
            return
        error = fetch.exception()
        if error is None:
            self._keys[url] = fetch.result()
            while len(self._keys) > self._cache_size:
                self._keys.popitem(last=False)
        elif isinstance(error, UntrustedSenderError | UpstreamUnavailableError) and not isinstance(
            error, _Unreachable
        ):
            self._failed[url] = (self._clock() + FAILED_CERTIFICATE_SECONDS, error)
            self._failed.move_to_end(url)
            while len(self._failed) > FAILED_CERTIFICATE_URLS:
                self._failed.popitem(last=False)

    def _refuse_if_failed(self, url: str) -> None:
        """Raise the failure a recent fetch of `url` had, without asking SNS's host again."""
        failed = self._failed.get(url)
        if failed is None:
            return
        until, error = failed
        if self._clock() >= until:
            del self._failed[url]
            return
        raise type(error)(f"{error} (a recent fetch failed: asked again later)")

    def _cached(self, url: str) -> rsa.RSAPublicKey | None:
        key = self._keys.get(url)
        if key is not None:
            self._keys.move_to_end(url)
        return key

    async def _fetch(self, url: str) -> rsa.RSAPublicKey:
        """The certificate's RSA public key, read from `url` (no redirects, at most 64 KiB)."""
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    failure = _Unreachable if response.status_code >= 500 else UpstreamUnavailableError
                    raise failure(
                        f"the SNS signing certificate could not be fetched (HTTP {response.status_code})"
                    )
                pem = bytearray()
                async for chunk in response.aiter_bytes():
                    pem += chunk
                    if len(pem) > MAX_CERTIFICATE_BYTES:
                        raise UntrustedSenderError("the SNS signing certificate is implausibly large")
        except httpx.HTTPError as exc:
            raise _Unreachable(
                f"the SNS signing certificate could not be fetched: {type(exc).__name__}"
            ) from exc
        try:
            key = x509.load_pem_x509_certificate(bytes(pem)).public_key()
        except ValueError:
            raise UntrustedSenderError("the SNS signing certificate is not a PEM certificate") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise UntrustedSenderError("the SNS signing certificate's key is not RSA")
        log.info("SNS signing certificate fetched", extra={"url": url})
        return key


def notification_events(message: SnsMessage) -> list[ChannelEvent]:
    """The channel events of a verified `Notification`: its WhatsApp webhook entry, parsed by the Cloud
    API's parser. Raises `InvalidInputError` when `Message` or the entry in it is not JSON."""
    event = decode_json(message.message.encode("utf-8"))
    if not isinstance(event, dict):
        raise InvalidInputError("the SNS Message is not a JSON object")
    entry = event.get("whatsAppWebhookEntry")
    if isinstance(entry, str):  # as AWS documents it: the entry serialised as a JSON string
        entry = decode_json(entry.encode("utf-8"))
    elif not isinstance(entry, dict):
        raise InvalidInputError('the SNS Message has no "whatsAppWebhookEntry"')
    return parse_entry(entry)


def _envelope(body: bytes) -> dict[str, Any]:
    """The SNS JSON object, as sent (no text cleaned: the signature covers it byte for byte)."""
    try:
        fields = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise InvalidInputError("not an SNS message: the body is not UTF-8 JSON") from None
    if not isinstance(fields, dict):
        raise InvalidInputError("not an SNS message: the body is not a JSON object")
    if _text(fields.get("Type")) not in SIGNED_FIELDS:
        raise InvalidInputError("not an SNS message: unknown or missing Type")
    return fields


def _signature(fields: dict[str, Any]) -> tuple[bytes, type[hashes.HashAlgorithm]]:
    algorithm = _HASHES.get(_text(fields.get("SignatureVersion")))
    if algorithm is None:
        raise UntrustedSenderError("the SNS SignatureVersion is missing or not 1 or 2")
    signature = fields.get("Signature")
    if not isinstance(signature, str) or not signature:
        raise UntrustedSenderError("the SNS message has no Signature")
    try:
        return base64.b64decode(signature, validate=True), algorithm
    except (binascii.Error, ValueError):
        raise UntrustedSenderError("the SNS Signature is not base64") from None


def _text(value: Any) -> str:
    """A field's value when it is a string, else "" (a list or object cannot be looked up by)."""
    return value if isinstance(value, str) else ""
