"""The `FileStore` contract, run against both adapters: the local folder and an S3 bucket (moto's S3
server on loopback, a real HTTP endpoint). Safe keys only, whole replacing writes with their type,
quiet deletes, one tenant's prefix at a time. Then what only S3 has: the key prefix, batch deletes past
S3's 1000 keys per call, a missing bucket that is an error (not a missing file), and settings refused
with a message that says what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from frontdesk.adapters.files.local import LocalFiles
from frontdesk.adapters.files.s3 import BATCH, S3Files
from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.domain.files import FileStore, MediaFile, kb_original_key, media_key, tenant_prefix
from frontdesk.settings import Settings
from frontdesk.wiring.inbox import build_files
from tests.support.s3 import S3


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return LocalFiles(tmp_path / "files")
    s3: S3 = request.getfixturevalue("s3")
    return S3Files(s3.bucket, prefix="install-1")


async def test_a_file_comes_back_with_its_type(store: FileStore) -> None:
    await store.put("tenants/1/media/42", b"\x89PNG...", "image/png")
    got = await store.get("tenants/1/media/42")
    assert (got.data, got.mime_type) == (b"\x89PNG...", "image/png")


async def test_a_write_replaces_the_file_and_its_type(store: FileStore) -> None:
    await store.put("a/b", b"old", "text/plain")
    await store.put("a/b", b"new", None)
    got = await store.get("a/b")
    assert (got.data, got.mime_type) == (b"new", None)
    await store.put("a/b", b"", "application/pdf")
    got = await store.get("a/b")
    assert (got.data, got.mime_type) == (b"", "application/pdf")


async def test_a_missing_file_is_not_found(store: FileStore) -> None:
    with pytest.raises(NotFoundError):
        await store.get("tenants/1/media/1")
    await store.put("tenants/1/media/1", b"x", None)
    with pytest.raises(NotFoundError):  # a prefix of a file is not a file
        await store.get("tenants/1/media")


async def test_delete_is_quiet(store: FileStore) -> None:
    await store.put("k", b"x", "image/jpeg")
    await store.put("kept", b"y", None)
    await store.delete("k")
    await store.delete("k")
    await store.delete_many(["k", "never/was"])
    await store.delete_many([])
    with pytest.raises(NotFoundError):
        await store.get("k")
    assert (await store.get("kept")).data == b"y"


async def test_delete_prefix_takes_one_tenant_only(store: FileStore) -> None:
    await store.put(media_key(1, 1), b"one", "image/jpeg")
    await store.put(kb_original_key(1, 5, "ab" * 32), b"manual", None)
    await store.put(media_key(12, 3), b"other tenant", "image/jpeg")
    await store.delete_prefix(tenant_prefix(1))
    for key in (media_key(1, 1), kb_original_key(1, 5, "ab" * 32)):
        with pytest.raises(NotFoundError):
            await store.get(key)
    assert (await store.get(media_key(12, 3))).data == b"other tenant"  # `tenants/1` is not `tenants/12`
    await store.delete_prefix(tenant_prefix(7))  # nothing there: nothing happens


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "a/../../outside",
        "a/./b",
        "a//b",
        "a/",
        ".types/a",
        "a\\..\\b",
        "C:/x",
        "a/b c",
        "x" * 600,
        "a/\x00",
        "tenants/1/media/%2e%2e",
    ],
)
async def test_unsafe_keys_are_refused(store: FileStore, key: str) -> None:
    with pytest.raises(InvalidInputError):
        await store.put(key, b"x", None)
    with pytest.raises(InvalidInputError):
        await store.get(key)
    with pytest.raises(InvalidInputError):
        await store.delete(key)
    with pytest.raises(InvalidInputError):
        await store.delete_many(["fine", key])
    with pytest.raises(InvalidInputError):
        await store.delete_prefix(key)


# -- S3 only


async def test_keys_live_under_the_prefix_with_their_type_on_the_object(s3: S3) -> None:
    store = S3Files(s3.bucket, prefix="frontdesk/prod")
    await store.put(media_key(1, 42), b"jpeg", "image/jpeg")
    await store.put(media_key(1, 43), b"raw", None)
    await store.put(media_key(1, 44), b"odd", "image/jp\u00e9g")  # not sendable in a header: no type
    assert s3.names() == [f"frontdesk/prod/tenants/1/media/{n}" for n in (42, 43, 44)]
    head = s3.client.head_object(Bucket=s3.bucket, Key="frontdesk/prod/tenants/1/media/42")
    assert head["ContentType"] == "image/jpeg"
    assert (await store.get(media_key(1, 44))).mime_type is None
    # Another installation's prefix in the same bucket sees none of them, and deletes none of them.
    other = S3Files(s3.bucket, prefix="frontdesk/staging")
    with pytest.raises(NotFoundError):
        await other.get(media_key(1, 42))
    await other.delete_prefix(tenant_prefix(1))
    assert len(s3.names()) == 3


@pytest.mark.parametrize("default", ["binary/octet-stream", "application/octet-stream"])
async def test_an_object_copied_without_a_type_reads_as_untyped(s3: S3, default: str) -> None:
    # `aws s3 sync` (binary/octet-stream) or MinIO (application/octet-stream) from the old folder: the
    # message's recorded type must win, so a migrated image shows instead of downloading.
    s3.client.put_object(Bucket=s3.bucket, Key="tenants/1/media/7", Body=b"jpeg", ContentType=default)
    assert (await S3Files(s3.bucket).get(media_key(1, 7))) == MediaFile(data=b"jpeg", mime_type=None)


def delete_calls(store: S3Files) -> list[int]:
    """The number of keys in each DeleteObjects request the store's boto3 client sends from now on (moto
    takes any number; AWS refuses more than 1000, so the requests themselves are counted)."""
    sizes: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params["Delete"]["Objects"]))

    store._client.meta.events.register("provide-client-params.s3.DeleteObjects", count)
    return sizes


async def test_deletes_go_in_batches_of_1000(s3: S3) -> None:
    store = S3Files(s3.bucket)
    keys = [media_key(3, n) for n in range(2 * BATCH + 5)]
    existing = [keys[0], keys[BATCH], keys[-1]]  # one in each batch
    for key in existing:
        await store.put(key, b"x", None)
    await store.put(media_key(4, 1), b"other tenant", None)
    sizes = delete_calls(store)
    await store.delete_many(keys)
    assert sizes == [BATCH, BATCH, 5]
    assert s3.names() == [media_key(4, 1)]


async def test_delete_prefix_pages_through_the_listing(s3: S3) -> None:
    store = S3Files(s3.bucket)
    # More objects than one listing page (1000) holds, put straight into the bucket to keep this quick.
    for n in range(BATCH + 20):
        s3.client.put_object(Bucket=s3.bucket, Key=media_key(5, n), Body=b"")
    await store.put("tenants/5", b"a file at the prefix itself", None)
    await store.put(media_key(50, 1), b"tenant 50", None)
    sizes = delete_calls(store)
    await store.delete_prefix(tenant_prefix(5))
    assert s3.names() == [media_key(50, 1)]
    assert sizes == [BATCH, 21]  # the prefix itself, then 1020 listed over two pages


async def test_a_missing_bucket_is_an_error_not_a_missing_file(s3: S3) -> None:
    store = S3Files("no-such-bucket-here")
    with pytest.raises(ClientError) as refused:
        await store.get(media_key(1, 1))
    assert not isinstance(refused.value, NotFoundError)
    assert refused.value.response["Error"]["Code"] == "NoSuchBucket"


def test_the_settings_choose_the_store(s3: S3, tmp_path: Path) -> None:
    assert Settings(s3_region="auto").s3_region == "auto"  # Cloudflare R2
    chosen = build_files(Settings(s3_bucket=s3.bucket, s3_prefix="/a/b/", s3_region="eu-west-1"))
    assert isinstance(chosen, S3Files) and (chosen.bucket, chosen.prefix) == (s3.bucket, "a/b")
    assert isinstance(build_files(Settings(files_dir=tmp_path)), LocalFiles)
    assert isinstance(build_files(Settings(s3_bucket="")), LocalFiles)  # an empty variable is unset


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("s3_bucket", "My_Bucket", "is not an S3 bucket name"),
        ("s3_bucket", "ab", "is not an S3 bucket name"),
        ("s3_bucket", "a" * 64, "is not an S3 bucket name"),
        ("s3_bucket", "-frontdesk", "is not an S3 bucket name"),
        ("s3_bucket", "front..desk", "is not an S3 bucket name"),
        ("s3_bucket", "192.168.10.20", "is not an S3 bucket name"),
        ("s3_bucket", "s3://frontdesk", "is not an S3 bucket name"),
        ("s3_prefix", "../elsewhere", "is not a key prefix"),
        ("s3_prefix", "a//b", "is not a key prefix"),
        ("s3_prefix", "a b", "is not a key prefix"),
        ("s3_region", "Europe", "is not a region"),
        ("s3_region", "eu west 1", "is not a region"),
        ("s3_region", "r" * 33, "is not a region"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(setting: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(**{setting: value})
    assert says in str(refused.value)
    assert setting in str(refused.value)
