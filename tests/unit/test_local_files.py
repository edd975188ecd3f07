"""LocalFiles in particular: files as they are on disk, no temporary file left, nothing leaves the folder.
The contract it shares with the S3 store is in tests/integration/test_file_stores.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontdesk.adapters.files.local import TYPES, LocalFiles
from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.settings import Settings


@pytest.fixture
def files(tmp_path: Path) -> LocalFiles:
    return LocalFiles(tmp_path / "files")


async def test_a_file_comes_back_with_its_type(files: LocalFiles) -> None:
    await files.put("tenants/1/media/42", b"\x89PNG...", "image/png")
    got = await files.get("tenants/1/media/42")
    assert (got.data, got.mime_type) == (b"\x89PNG...", "image/png")
    assert (files.root / "tenants/1/media/42").read_bytes() == b"\x89PNG..."


async def test_a_write_replaces_the_file_and_leaves_no_temporary_file(files: LocalFiles) -> None:
    await files.put("a/b", b"old", "text/plain")
    await files.put("a/b", b"new", None)
    got = await files.get("a/b")
    assert (got.data, got.mime_type) == (b"new", None)
    assert sorted(os.listdir(files.root / "a")) == ["b"]


async def test_delete_is_quiet_and_takes_the_type_too(files: LocalFiles) -> None:
    await files.put("k", b"x", "image/jpeg")
    await files.delete("k")
    await files.delete("k")
    await files.delete_many(["k", "never/was"])
    with pytest.raises(NotFoundError):
        await files.get("k")
    assert not (files.root / TYPES / "k").exists()


async def test_a_symlink_out_of_the_folder_is_not_followed(files: LocalFiles, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"not yours")
    files.root.mkdir()
    (files.root / "link").symlink_to(outside)
    with pytest.raises(NotFoundError):
        await files.get("link/secret")
    with pytest.raises(InvalidInputError):
        await files.put("link/new", b"x", None)
    await files.delete("link/secret")
    await files.delete_prefix("link")
    assert (outside / "secret").read_bytes() == b"not yours"
    assert not (outside / "new").exists()


def test_the_folder_defaults_beside_the_sqlite_database(tmp_path: Path) -> None:
    beside = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/data/frontdesk.db")
    assert beside.files_path() == tmp_path / "data" / "frontdesk-files"
    assert Settings(database_url="postgresql://u@h/db").files_path() == Path("frontdesk-files")
    assert Settings(files_dir=tmp_path / "f").files_path() == tmp_path / "f"
