#!/bin/sh
# Build Frontdesk's wheel with the admin web app inside: `make dist` and the Dockerfile's build stage run
# this same script, so the wheel the image installs is the one the install rehearsal
# (tests/deploy/test_image.py) installs.
#
#   deploy/docker/build-wheel.sh WEB_DIST OUT_DIR [PYTHON]
#
# WEB_DIST is the built web app (frontend/dist, from `npm run build`); it is copied to src/frontdesk/web/
# (gitignored, package data), where an installed Frontdesk serves it from. OUT_DIR receives the wheel.
set -eu

web_dist=$1
out_dir=$2
python=${3:-python3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ ! -f "$web_dist/index.html" ]; then
  echo "build-wheel: $web_dist/index.html is missing: build the web app first (cd frontend && npm run build)" >&2
  exit 1
fi

# A fresh copy: files of an older build must not ride along in the wheel.
rm -rf "$root/src/frontdesk/web"
cp -R "$web_dist" "$root/src/frontdesk/web"

# An isolated build (the build system's own setuptools, from pyproject.toml), so the wheel does not depend
# on what happens to be installed where it is built.
"$python" -m build --wheel --outdir "$out_dir" "$root"
