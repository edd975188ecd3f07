"""A pack's files, from a folder, a zip or single uploads, as {name: bytes} within the limits.

Names are the pack's own (`products.csv`, `kb/returns.md`). Everything that could escape the pack or
exhaust the server is refused here, before any file is parsed: paths outside the pack (`../`,
absolute, drive letters, symlinks), more than `MAX_ENTRIES` files, more than `max_bytes` in all
(checked against what a zip declares AND while inflating, so a zip that lies about its sizes stops
at the limit), encrypted entries, and names that are not part of the format.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from frontdesk.domain.business_pack import PackError, PackProblem

MAX_BYTES = 50 * 1024 * 1024
"""Default for all of a pack's files together, uncompressed (setting `FRONTDESK_PACK_MAX_BYTES`)."""
MAX_ENTRIES = 2_000
"""Files in one pack (a zip of many tiny files costs more than its bytes say)."""
TOP_FILES = frozenset(
    {"business.yaml", "products.csv", "customers.csv", "orders.csv", "services.yaml", "team.yaml"}
)
KB_FOLDER = "kb"
_CHUNK = 64 * 1024


def pack_files_from_folder(path: Path, *, max_bytes: int = MAX_BYTES) -> dict[str, bytes]:
    """The pack's files in the folder `path` (its `kb/` included); `PackError` for what is refused."""
    if not path.is_dir():
        raise PackError([PackProblem(file=str(path), message="is not a folder")])
    problems: list[PackProblem] = []
    names: dict[str, Path] = {}
    for item in sorted(path.rglob("*")):
        name = item.relative_to(path).as_posix()
        if item.is_symlink():
            problems.append(PackProblem(file=name, message="is a symbolic link; copy the file itself in"))
        elif item.is_file():
            names[name] = item
    sizes = {name: p.stat().st_size for name, p in names.items()}
    chosen = _choose(list(names), problems)
    _check_totals({n: sizes[n] for n in chosen}, max_bytes, problems)
    if problems:
        raise PackError(problems)
    return {name: names[name].read_bytes() for name in chosen}


def pack_files_from_zip(data: bytes, *, max_bytes: int = MAX_BYTES) -> dict[str, bytes]:
    """The pack's files in a zip, at its root or in one folder (a zipped pack folder)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PackError([PackProblem(file="the upload", message=f"is not a zip file ({exc})")]) from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        problems: list[PackProblem] = []
        if len(infos) > MAX_ENTRIES:
            raise PackError(
                [PackProblem(file="the zip", message=f"holds {len(infos)} files, over {MAX_ENTRIES}")]
            )
        for info in infos:
            if stat.S_ISLNK(info.external_attr >> 16):
                problems.append(
                    PackProblem(file=info.filename, message="is a symbolic link; zip the file itself")
                )
            if info.flag_bits & 0x1:
                problems.append(
                    PackProblem(file=info.filename, message="is encrypted; zip it without a password")
                )
        by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = _zip_name(info.filename, problems)
            if name in by_name:
                problems.append(PackProblem(file=info.filename, message="is in the zip twice"))
            by_name[name] = info
        by_name.pop("", None)
        chosen = _choose(list(_strip_folder(by_name)), problems)
        inner = _strip_folder(by_name)
        _check_totals({n: inner[n].file_size for n in chosen}, max_bytes, problems)
        if problems:
            raise PackError(problems)
        files, budget = {}, max_bytes
        for name in chosen:
            files[name] = _inflate(archive, inner[name], name, budget)
            budget -= len(files[name])
        return files


def pack_files_from_uploads(files: Mapping[str, bytes], *, max_bytes: int = MAX_BYTES) -> dict[str, bytes]:
    """Single files named like the pack's (`products.csv`, `kb/faq.md`)."""
    problems: list[PackProblem] = []
    clean = {_zip_name(name, problems): data for name, data in files.items()}
    clean.pop("", None)
    chosen = _choose(list(clean), problems)
    _check_totals({n: len(clean[n]) for n in chosen}, max_bytes, problems)
    if problems:
        raise PackError(problems)
    return {name: clean[name] for name in chosen}


def _zip_name(raw: str, problems: list[PackProblem]) -> str:
    """The entry's name inside the pack, or "" (with a problem) when it would land outside it."""
    name = raw.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (parts and ":" in parts[0]) or ".." in parts:
        problems.append(PackProblem(file=raw, message="points outside the pack; use paths inside it"))
        return ""
    return "/".join(p for p in parts if p not in ("", "."))


def _strip_folder(by_name: Mapping[str, zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """A zip of the pack's folder holds `lumen/business.yaml`: read it as if zipped from inside."""
    names = [n for n in by_name if not _ignored(n)]
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names) and tops != {KB_FOLDER}:
        top = tops.pop() + "/"
        return {n.removeprefix(top): i for n, i in by_name.items() if n.startswith(top)}
    return dict(by_name)


def _ignored(name: str) -> bool:
    """What zippers and editors add and people never mean: dotfiles, `__MACOSX/`, the pack's README."""
    parts = name.split("/")
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or (
        len(parts) == 1 and parts[0].lower().startswith("readme")
    )


def _choose(names: list[str], problems: list[PackProblem]) -> list[str]:
    """The names that belong to the format; any other is refused, so a misspelt one is not lost."""
    chosen = []
    for name in names:
        if _ignored(name):
            continue
        top, _, rest = name.partition("/")
        if name in TOP_FILES or (top == KB_FOLDER and rest and "/" not in rest):
            chosen.append(name)
        elif top == KB_FOLDER and rest:
            # A document is known by its file name alone: kb/a/faq.md and kb/b/faq.md would be one.
            problems.append(
                PackProblem(file=name, message="is in a folder inside kb/; put documents in kb/ itself")
            )
        else:
            known = ", ".join(sorted(TOP_FILES))
            problems.append(PackProblem(file=name, message=f"is not part of a pack (known: {known}, kb/*)"))
    return chosen


def _check_totals(sizes: Mapping[str, int], max_bytes: int, problems: list[PackProblem]) -> None:
    if len(sizes) > MAX_ENTRIES:
        problems.append(PackProblem(file="the pack", message=f"holds {len(sizes)} files, over {MAX_ENTRIES}"))
    total = sum(sizes.values())
    if total > max_bytes:
        problems.append(
            PackProblem(file="the pack", message=f"holds {total:,} bytes, over the limit of {max_bytes:,}")
        )


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> bytes:
    """The entry's bytes, stopping as soon as they pass `budget` whatever the zip declared."""
    out = bytearray()
    try:
        with archive.open(info) as f:
            while chunk := f.read(_CHUNK):
                out += chunk
                if len(out) > budget:
                    raise PackError(
                        [PackProblem(file=name, message="inflates past the size limit (its sizes are wrong)")]
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise PackError([PackProblem(file=name, message=f"cannot be unzipped ({exc})")]) from exc
    return bytes(out)
