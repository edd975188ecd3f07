"""Received media: the `media` job that fetches a message's file into the file store, and serving the
stored file to staff.

Ingest queues the job just before the message's turn, under the same key, so the turn runs once the
file is stored or given up on. The fetch runs outside any transaction (a file can take seconds); the
outcome and the job's completion then commit together. A transient failure (the channel down, throttled,
a 5xx) is retried with the job's backoff; a permanent one (an unknown id, a file over
`FRONTDESK_MEDIA_MAX_BYTES`, a kind this server has no adapter for), and a transient one on the job's last
attempt, is recorded on the message as `media.error` and the job completes: the turn is never held up
for good by a file.

Staff are served a file inline only when browsers show it as what it is (images, audio and video of the
types WhatsApp sends); anything else (a PDF, HTML, SVG, an unknown type) is a download.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from frontdesk.domain.errors import MEDIA_TOO_LARGE, ChannelError
from frontdesk.domain.files import FileStore, media_key
from frontdesk.domain.media import ERROR, FILE, MediaFetcher, MediaStore, ReceivedMedia
from frontdesk.domain.models import Job
from frontdesk.domain.ports import Clock, JobQueue
from frontdesk.domain.staff import Staff

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 500
# A media type as a channel may declare it (`audio/ogg; codecs=opus`); anything else is stored as bytes.
_TOKEN = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}(; ?[ -~]{{1,100}})?")
OCTET_STREAM = "application/octet-stream"
# Shown in the browser as what they are; nothing here can run a script.
INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp"}
    | {"audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/opus", "audio/wav"}
    | {"video/mp4", "video/3gpp", "video/webm"}
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f/\\\"]+")
MAX_NAME_CHARS = 100


@dataclass(frozen=True, kw_only=True)
class ServedFile:
    """A stored file as staff get it: bytes, type, a safe name, and whether a browser may show it."""

    data: bytes
    content_type: str
    filename: str
    """ASCII letters, digits, `.`, `_` and `-` only, with an extension."""
    original_name: str | None
    """The name the customer's file had (a document's), without control characters or slashes."""
    inline: bool


class MediaService:
    """Runs `media` jobs and serves the stored files."""

    def __init__(
        self,
        *,
        store: MediaStore,
        queue: JobQueue,
        fetcher: MediaFetcher,
        files: FileStore,
        clock: Clock,
        max_bytes: int,
        on_recorded: Callable[[], None] | None = None,
    ):
        self._on_recorded = on_recorded
        self._store = store
        self._queue = queue
        self._fetcher = fetcher
        self._files = files
        self._clock = clock
        self._max_bytes = max_bytes

    async def run(self, job: Job, worker: str) -> None:
        """Fetch the job's message's file and record the outcome; finish the job with it."""
        message_id = int(job.payload["message_id"])
        async with self._store.transaction() as tx:
            received = await tx.received_media(message_id)
            if received is None:  # no media, already recorded, or erased: nothing to fetch
                await self._queue.finish_job(tx, job.id, worker=worker, now=self._clock.now())
                return
        outcome = await self._fetch(received, last_attempt=job.attempts >= job.max_attempts)
        async with self._store.transaction() as tx:
            recorded = await tx.record_media(message_id, outcome, now=self._clock.now())
            await self._queue.finish_job(tx, job.id, worker=worker, now=self._clock.now())
        if recorded and self._on_recorded:
            self._on_recorded()  # the message's media event is committed: tell every process's live feed
        if not recorded and FILE in outcome:  # erased while it was being fetched: it must not stay
            await self._files.delete(outcome[FILE]["key"])

    async def _fetch(self, received: ReceivedMedia, *, last_attempt: bool) -> dict[str, Any]:
        """The outcome to record: the stored file, or the error that will not go away by retrying."""
        message = received.message
        where = {"message_id": message.id, "channel_id": received.channel.id, "kind": received.channel.kind}
        try:
            file = await self._fetcher.media(
                channel=received.channel, media=received.media, max_bytes=self._max_bytes
            )
        except ChannelError as error:
            if error.transient and not last_attempt:
                raise  # the worker retries it with the job's backoff
            log.info("media not fetched", extra={**where, "code": error.code, "transient": error.transient})
            return {ERROR: {"code": error.code or "failed", "message": error.message[:MAX_ERROR_CHARS]}}
        if len(file.data) > self._max_bytes:  # an adapter that did not bound its read
            text = f"the file is larger than the {self._max_bytes} bytes this server accepts"
            return {ERROR: {"code": MEDIA_TOO_LARGE, "message": text}}
        mime_type = clean_type(file.mime_type) or clean_type(received.media.mime_type) or OCTET_STREAM
        key = media_key(message.tenant_id, message.id)
        await self._files.put(key, file.data, mime_type)
        log.info("media stored", extra={**where, "size": len(file.data), "mime_type": mime_type})
        return {FILE: {"key": key, "size": len(file.data), "mime_type": mime_type}}

    async def served(self, staff: Staff, conversation_id: int, message_id: int) -> ServedFile:
        """The stored file of one of the tenant's messages; `NotFoundError` for another tenant's message,
        one without a stored file (not fetched yet, failed, erased) or a file missing from the store."""
        stored = await self._store.stored_media(staff.tenant.id, conversation_id, message_id)
        # The key is the message's own, whatever the row says: a file is only ever its message's.
        file = await self._files.get(media_key(staff.tenant.id, message_id))
        content_type = clean_type(file.mime_type) or clean_type(stored.mime_type) or OCTET_STREAM
        base = base_type(content_type)
        original = _original_name(stored.filename)
        return ServedFile(
            data=file.data,
            content_type=content_type,
            filename=_safe_name(original, fallback=f"{stored.message_type}-{message_id}", base=base),
            original_name=original,
            inline=base in INLINE_TYPES,
        )


def clean_type(value: str | None) -> str | None:
    """A declared media type, lower-cased, if it looks like one (`image/jpeg`, `audio/ogg; codecs=opus`)."""
    if not value:
        return None
    value = value.strip()
    head, sep, params = value.partition(";")
    value = head.strip().lower() + (f"; {params.strip()}" if sep and params.strip() else "")
    return value if _MEDIA_TYPE.fullmatch(value) else None


def base_type(content_type: str) -> str:
    """The media type without its parameters."""
    return content_type.split(";", 1)[0].strip()


def _original_name(name: str | None) -> str | None:
    cleaned = _CONTROL.sub("_", name or "").strip(" .")[:MAX_NAME_CHARS]
    return cleaned or None


def _safe_name(original: str | None, *, fallback: str, base: str) -> str:
    """An ASCII file name for the download: the original's safe characters, else `image-42`; with the
    extension of its type when it has none."""
    name = _UNSAFE_NAME.sub("_", original or "").strip("._")[:MAX_NAME_CHARS] or fallback
    if "." not in name:
        name += mimetypes.guess_extension(base, strict=False) or ""
    return name
