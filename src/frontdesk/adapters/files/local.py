"""`LocalFiles`: the file store in a local folder (`FRONTDESK_FILES_DIR`), the default.

A key is a path under the folder: `tenants/1/media/42` is `<folder>/tenants/1/media/42`, the bytes as
they came, so an operator can back the folder up or look at a file directly. Its content type is kept
beside it in a parallel tree, `<folder>/.types/tenants/1/media/42` (no key segment may start with `.`,
so neither tree can collide with a key). Every write goes to a temporary file in the same directory,
is flushed to disk, then renamed over the old one: a reader or a crash sees the old file or the new one,
never half of one. The type is written before the bytes and deleted after them, so a file that exists
always has its type (a stray type file left by a crash is ignored). File I/O runs in a worker thread,
off the event loop.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from frontdesk.domain.errors import InvalidInputError, NotFoundError
from frontdesk.domain.files import MediaFile, check_key

TYPES = ".types"


class LocalFiles:
    """A `FileStore` in the folder `root` (created when missing)."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()

    def _path(self, key: str, *, tree: str | None = None) -> Path:
        """The path of `key` (or of its type); `check_key` refuses `..`, absolute and odd keys."""
        base = self.root / tree if tree else self.root
        return base.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, data: bytes, content_type: str | None) -> None:
        data_path, type_path = self._path(key), self._path(key, tree=TYPES)
        await asyncio.to_thread(_put, self.root, data_path, type_path, data, content_type)

    async def get(self, key: str) -> MediaFile:
        data_path, type_path = self._path(key), self._path(key, tree=TYPES)
        found = await asyncio.to_thread(_get, self.root, data_path, type_path)
        if found is None:
            raise NotFoundError(f"no file {key!r}")
        return found

    async def delete(self, key: str) -> None:
        await self.delete_many([key])

    async def delete_many(self, keys: Iterable[str]) -> None:
        paths = [(self._path(key), self._path(key, tree=TYPES)) for key in keys]
        if paths:
            await asyncio.to_thread(_delete_all, self.root, paths)

    async def delete_prefix(self, prefix: str) -> None:
        trees = [self._path(prefix), self._path(prefix, tree=TYPES)]
        await asyncio.to_thread(_delete_trees, self.root, trees)


def _inside(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks resolved, is still inside the store: a symlink someone made in the folder
    is never followed out of it."""
    return path.resolve().is_relative_to(root.resolve())


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _put(root: Path, data_path: Path, type_path: Path, data: bytes, content_type: str | None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for path in (type_path, data_path):
        if not _inside(root, path):
            raise InvalidInputError(f"{path} leads out of the file store")
        path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(type_path, (content_type or "").encode())
    _write_atomically(data_path, data)


def _get(root: Path, data_path: Path, type_path: Path) -> MediaFile | None:
    if not _inside(root, data_path):
        return None
    try:
        data = data_path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        content_type = type_path.read_text(encoding="utf-8").strip() or None
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, UnicodeDecodeError):
        content_type = None
    return MediaFile(data=data, mime_type=content_type)


def _delete_all(root: Path, paths: list[tuple[Path, Path]]) -> None:
    for data_path, type_path in paths:
        for path in (data_path, type_path):  # the bytes first: a file never exists without its type
            if not _inside(root, path):
                continue
            try:
                path.unlink(missing_ok=True)
            except IsADirectoryError:  # a key that is a prefix of others is not a file
                continue


def _delete_trees(root: Path, trees: list[Path]) -> None:
    for tree in trees:
        if not _inside(root, tree):
            continue
        if tree.is_dir() and not tree.is_symlink():
            shutil.rmtree(tree)
        else:
            tree.unlink(missing_ok=True)
