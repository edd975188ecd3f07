"""Files Frontdesk keeps outside the database rows: received media and knowledge-base originals.

A file lives in the configured `FileStore` under a key: a relative path of safe segments, chosen by
Frontdesk and never by a customer (`check_key` refuses anything else, so no key can climb out of the
store). A received message's file is at `media_key(tenant_id, message_id)`: one file per message, found
from the message alone, so erasing a message (GDPR, retention) can delete its file without reading it.
A knowledge document's uploaded file is at `kb_original_key(tenant_id, document_id, content_hash)`: the
hash in the key means a replacement is written beside the old file, never over it, so a replacement that
fails leaves the old document and its file as they were. Everything of a tenant is under
`tenant_prefix`. The local folder is the default adapter; an S3 bucket (`adapters/files/s3.py`) is the
other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from frontdesk.domain.errors import InvalidInputError

MAX_KEY_CHARS = 512
# A key segment: letters, digits, `_`, `-` and `.`, not starting with `.` (so never `.` or `..`, and
# never a name the local store keeps for itself, like its temporary files and `.types`).
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class MediaFile:
    """A received message's file as its channel gave it: the bytes and the type the channel declared."""

    data: bytes
    mime_type: str | None = None


def check_key(key: str) -> str:
    """`key` if it is a safe relative path (`tenants/1/media/42`); `InvalidInputError` otherwise: empty,
    absolute, `..` or `.` segments, backslashes, or anything but letters, digits, `_`, `-` and `.`."""
    if not key or len(key) > MAX_KEY_CHARS or not all(_SEGMENT.fullmatch(s) for s in key.split("/")):
        raise InvalidInputError(f"not a safe file key: {key[:80]!r}")
    return key


def media_key(tenant_id: int, message_id: int) -> str:
    """Where a received message's file is kept."""
    return f"tenants/{tenant_id}/media/{message_id}"


def kb_original_key(tenant_id: int, document_id: int, content_hash: str) -> str:
    """Where a knowledge document's uploaded file is kept (`content_hash`: its SHA-256, hex)."""
    return f"{kb_document_prefix(tenant_id, document_id)}/{content_hash}"


def kb_document_prefix(tenant_id: int, document_id: int) -> str:
    """Every file of a knowledge document (for `FileStore.delete_prefix` when it is deleted)."""
    return f"tenants/{tenant_id}/kb/{document_id}"


def tenant_prefix(tenant_id: int) -> str:
    """Every file of a tenant is under this prefix (for `FileStore.delete_prefix`)."""
    return f"tenants/{tenant_id}"


class FileStore(Protocol):
    """Where files are kept. Keys go through `check_key`; a write replaces the whole file at once (a
    reader sees the old file or the new one, never a part)."""

    async def put(self, key: str, data: bytes, content_type: str | None) -> None:
        """Store `data` under `key` with its content type, replacing any file there."""
        ...

    async def get(self, key: str) -> MediaFile:
        """The file under `key` and its content type; `NotFoundError` when there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Delete the file under `key`; nothing happens when there is none."""
        ...

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete the files under `keys` (those that exist); erasures call it with many keys at once."""
        ...

    async def delete_prefix(self, prefix: str) -> None:
        """Delete every file whose key is `prefix` or starts with `prefix/` (a whole tenant's files)."""
        ...
