"""`S3Files`: the file store in an S3-compatible bucket (`FRONTDESK_S3_BUCKET`), for several machines.

A key is an object name under the optional prefix: `tenants/1/media/42` is `<prefix>/tenants/1/media/42`
in the bucket. The content type is the object's own `Content-Type`; a file stored without one is marked
by the metadata `x-amz-meta-untyped` (S3 would otherwise answer `binary/octet-stream`), so `get` gives
back exactly what `put` was given, as `LocalFiles` does. An S3 PUT replaces the whole object at once, so
a reader sees the old file or the new one, never part of one. Deletes go in batches of 1000 keys, S3's
most per `DeleteObjects` call; a prefix is deleted by listing it (S3 has no "delete folder").

boto3 is blocking: every call runs in a worker thread, off the event loop (one client, which boto3
allows to be shared between threads). The endpoint, region and credentials are boto3's usual ones
(`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` for MinIO, `AWS_REGION`, the default credential chain);
`FRONTDESK_S3_REGION` overrides the region. Nothing here logs a file's bytes or any credential.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.files import MediaFile, check_key

BATCH = 1000  # DeleteObjects takes at most 1000 keys per call
UNTYPED = "untyped"
# A type S3 can carry in a header: printable ASCII only (a channel's odd type is kept as no type).
_HEADER_SAFE = re.compile(r"[\x20-\x7e]{1,255}")
_MISSING = {"NoSuchKey", "404", "NotFound"}
# What an object gets when whoever wrote it gave no type (`aws s3 sync`: binary/octet-stream, MinIO's
# `mc`: application/octet-stream): read as "no type", so the message's recorded type is served instead.
_DEFAULT_TYPES = {"binary/octet-stream", "application/octet-stream"}


class S3FilesError(RuntimeError):
    """S3 refused part of a batch delete (the keys and S3's codes are in the message, never any data)."""


class S3Files:
    """A `FileStore` in `bucket`, every key under `prefix` (empty: the bucket's root)."""

    def __init__(self, bucket: str, *, prefix: str = "", region: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client: Any = boto3.session.Session().client("s3", region_name=region, config=_config())

    def _name(self, key: str) -> str:
        """The object name of `key` (`check_key` refuses `..`, absolute and odd keys first)."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, key: str, data: bytes, content_type: str | None) -> None:
        name = self._name(key)
        extra: dict[str, Any] = (
            {"ContentType": content_type}
            if content_type and _HEADER_SAFE.fullmatch(content_type)
            else {"Metadata": {UNTYPED: "1"}}
        )
        await asyncio.to_thread(self._client.put_object, Bucket=self.bucket, Key=name, Body=data, **extra)

    async def get(self, key: str) -> MediaFile:
        name = self._name(key)
        found = await asyncio.to_thread(self._get, name)
        if found is None:
            raise NotFoundError(f"no file {key!r}")
        return found

    def _get(self, name: str) -> MediaFile | None:
        try:
            reply = self._client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        with reply["Body"] as body:
            data = body.read()
        untyped = UNTYPED in (reply.get("Metadata") or {})
        content_type = reply.get("ContentType") or None
        if untyped or content_type in _DEFAULT_TYPES:
            content_type = None
        return MediaFile(data=data, mime_type=content_type)

    async def delete(self, key: str) -> None:
        await self.delete_many([key])

    async def delete_many(self, keys: Iterable[str]) -> None:
        names = [self._name(key) for key in keys]  # every key checked before anything is deleted
        if names:
            await asyncio.to_thread(self._delete_names, iter(names))

    async def delete_prefix(self, prefix: str) -> None:
        name = self._name(prefix)
        await asyncio.to_thread(self._delete_names, self._listed(name))

    def _listed(self, name: str) -> Iterator[str]:
        """`name` itself and every object under `name/` (not `name2/…`: the slash is part of the prefix)."""
        yield name
        for page in self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{name}/"
        ):
            for item in page.get("Contents", []):
                yield item["Key"]

    def _delete_names(self, names: Iterator[str]) -> None:
        while batch := list(islice(names, BATCH)):
            reply = self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": n} for n in batch], "Quiet": True}
            )
            # Deleting a missing object is no error in S3; anything listed here is a real refusal.
            if errors := reply.get("Errors"):
                shown = ", ".join(f"{e.get('Key')!r}: {e.get('Code')}" for e in errors[:5])
                raise S3FilesError(f"S3 refused to delete {len(errors)} file(s): {shown}")


def _config() -> Config:
    """Bounded waits and boto3's standard retries. (With a custom endpoint, MinIO and the like, boto3
    already puts the bucket in the path rather than the host name.)"""
    return Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 4},
        max_pool_connections=16,
    )
