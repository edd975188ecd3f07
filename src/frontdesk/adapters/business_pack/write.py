"""A pack written back in its own format: the export, and the round trip's other half."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from frontdesk.adapters.business_pack import business, tables
from frontdesk.domain.business_pack import Pack


def pack_files(pack: Pack) -> dict[str, bytes]:
    """The pack's files by name (`business.yaml`, `products.csv`, `kb/faq.md`, ...)."""
    out: dict[str, bytes] = {}
    if pack.business is not None:
        out["business.yaml"] = business.write_business(pack.business)
    for table in tables.CSV_TABLES:
        out[f"{table}.csv"] = tables.write_table(table, getattr(pack, table))
    if pack.services or pack.technicians or pack.appointments or pack.travel_buffer_min is not None:
        out["services.yaml"] = business.write_services(pack)
    if pack.team_yaml is not None:
        out["team.yaml"] = pack.team_yaml.encode("utf-8")
    out.update({f"kb/{name}": data for name, data in sorted(pack.kb.items())})
    return out


def write_folder(pack: Pack, path: Path) -> None:
    """Write the pack's files into the folder `path` (made if missing; files of the same name replaced)."""
    for name, data in pack_files(pack).items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def write_zip(pack: Pack) -> bytes:
    """The pack as a zip with its files at the root."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in pack_files(pack).items():
            archive.writestr(name, data)
    return out.getvalue()
