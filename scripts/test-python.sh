#!/usr/bin/env bash
# Builds the Python binding (bindings/python) as a wheel against the strata
# build tree in $STRATA_BUILD_DIR (default: build/release), installs it into a
# virtual environment there, and runs its pytest suite.
#
# Installs what it needs when missing: python3 with venv and headers from
# Debian's packages; cffi, pytest, setuptools and wheel from PyPI into the
# virtual environment ($STRATA_BUILD_DIR/python-binding/venv). Scratch files
# of the build go to $STRATA_BUILD_DIR/python-binding too, not into the source
# tree. Extra arguments go to pytest (e.g. -k model, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build_dir=${STRATA_BUILD_DIR:-$repo/build/release}
if [[ ! -f $build_dir/libstrata.so ]]; then
  echo "test-python: no libstrata.so in $build_dir; build strata first (bash scripts/test.sh does)" >&2
  exit 1
fi
export STRATA_BUILD_DIR=$(cd "$build_dir" && pwd)
work=$STRATA_BUILD_DIR/python-binding
mkdir -p "$work"

python=${PYTHON:-python3}
python_ready() {
  command -v "$python" >/dev/null &&
    "$python" -c 'import ensurepip, os, sys, sysconfig, venv
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null
}
if ! python_ready; then
  echo "test-python: installing python3, python3-venv, python3-dev"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv python3-dev >/dev/null
  python=python3
  python_ready || { echo "test-python: python3 still lacks venv or its headers" >&2; exit 1; }
fi

venv=$work/venv
if ! "$venv/bin/python" -c 'import cffi, pytest, setuptools, wheel' 2>/dev/null; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check cffi pytest setuptools wheel
fi

# Build a wheel (what a user would ship), then install exactly that wheel.
rm -rf "$work/dist"
"$venv/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$work/dist" ./bindings/python
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps \
  "$work"/dist/strata-*.whl

cd bindings/python
export PYTHONPYCACHEPREFIX=$work/pycache  # keep __pycache__ out of the source tree
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" tests
