"""A whole pack from its files: each file parsed, checked against the others, one `PackError` for all."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from frontdesk.adapters.business_pack import business, files, tables
from frontdesk.domain.business_pack import Pack, PackError, PackProblem


def read_folder(path: Path, *, max_bytes: int = files.MAX_BYTES) -> Pack:
    """The pack in the folder `path`; `business.yaml` is required."""
    return parse(files.pack_files_from_folder(path, max_bytes=max_bytes), need_business=True)


def read_path(path: Path, *, max_bytes: int = files.MAX_BYTES) -> Pack:
    """The pack in a folder, or in a `.zip` file (what the command line is given)."""
    if not path.exists():
        raise PackError([PackProblem(file=str(path), message="does not exist")])
    if path.is_dir():
        return read_folder(path, max_bytes=max_bytes)
    if path.suffix.lower() != ".zip" or not path.is_file():
        raise PackError([PackProblem(file=str(path), message="is neither a pack folder nor a .zip file")])
    if path.stat().st_size > max_bytes:
        message = f"is {path.stat().st_size:,} bytes, over the limit of {max_bytes:,}"
        raise PackError([PackProblem(file=path.name, message=message)])
    return read_zip(path.read_bytes(), max_bytes=max_bytes)


def read_zip(data: bytes, *, max_bytes: int = files.MAX_BYTES) -> Pack:
    """The pack in a zip: its files at the root, or in one folder (a zipped pack folder)."""
    return parse(files.pack_files_from_zip(data, max_bytes=max_bytes), need_business=True)


def read_files(uploads: Mapping[str, bytes], *, max_bytes: int = files.MAX_BYTES) -> Pack:
    """Single files named like the pack's (`{"products.csv": b"..."}`); `business.yaml` is optional."""
    return parse(files.pack_files_from_uploads(uploads, max_bytes=max_bytes), need_business=False)


def parse(found: Mapping[str, bytes], *, need_business: bool) -> Pack:
    """The `Pack` these files make; `PackError` with every problem of every file."""
    problems: list[PackProblem] = []
    fields: dict[str, Any] = {}
    if "business.yaml" in found:
        fields["business"] = _collect(problems, business.read_business, found["business.yaml"])
    elif need_business:
        problems.append(
            PackProblem(file="business.yaml", message="is missing; a pack needs it (name, time zone)")
        )
    for table in tables.CSV_TABLES:
        if f"{table}.csv" in found:
            fields[table] = tuple(_collect(problems, tables.read_table, table, found[f"{table}.csv"]) or ())
    if "services.yaml" in found:
        fields.update(_collect(problems, business.read_services, found["services.yaml"]) or {})
    if "team.yaml" in found:
        fields["team_yaml"] = _collect(problems, tables.decode, "team.yaml", found["team.yaml"])
    fields["kb"] = {name.removeprefix("kb/"): data for name, data in found.items() if name.startswith("kb/")}
    if problems:
        raise PackError(problems)
    return Pack(**fields)


def _collect(problems: list[PackProblem], read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except PackError as exc:
        problems.extend(exc.problems)
        return None
