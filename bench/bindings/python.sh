#!/usr/bin/env bash
# bench/bindings/python.sh — the Python binding beside plyvel (LevelDB) and
# rocksdict (RocksDB): per-item cost of get, put, batches, multi-get, `in` and
# iteration from Python, same data, same run; then the layer-by-layer
# breakdown of put and get; then rewrites the results block of
# docs/bench/bindings-python.md.
#
#   bash bench/bindings/python.sh                 the full run (about 6 minutes)
#   bash bench/bindings/python.sh --rounds 1 --num 50000 --ops 10000    a quick look
#
# Arguments go to bench_python.py run. Uses the strata build in
# $STRATA_BUILD_DIR when set (it must hold libstrata.so), else builds one in
# build/pybench. Installs what it needs: python3 with venv and headers from
# Debian's packages when missing; cffi, scikit-build-core, and plyvel and
# rocksdict as wheels from PyPI into build/pybench/venv (a peer that cannot be
# installed is left out, and the page says so). The strata binding is
# pip-installed from bindings/python, which compiles its own libstrata (a
# Release build of the same sources) into the package, as users get it; the
# build in $STRATA_BUILD_DIR serves the C floor of the breakdown. Its CMake
# build directory is kept in build/pybench/wheel-build. Everything runs under
# `nice -n 10`: the machine is shared. PYBENCH_BREAKDOWN=0 skips the breakdown.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=$repo/build/pybench
mkdir -p "$work"

if [[ -n ${STRATA_BUILD_DIR:-} ]]; then
  build_dir=$(cd "$STRATA_BUILD_DIR" && pwd)
  [[ -f $build_dir/libstrata.so ]] || { echo "python.sh: no libstrata.so in $build_dir" >&2; exit 1; }
else
  build_dir=$work
  bash scripts/setup-deps.sh
  echo "python.sh: building libstrata in $build_dir"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  nice -n 10 cmake --build "$build_dir" --target strata -j 2
fi
export STRATA_BUILD_DIR=$build_dir

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
python=${PYTHON:-python3}
python_ready() {
  command -v "$python" >/dev/null &&
    "$python" -c 'import ensurepip, os, sys, sysconfig, venv
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null
}
if ! python_ready || ! command -v cc >/dev/null; then
  echo "python.sh: installing python3, python3-venv, python3-dev, gcc"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv python3-dev gcc >/dev/null
  python=python3
  python_ready || { echo "python.sh: python3 still lacks venv or its headers" >&2; exit 1; }
fi

venv=$work/venv
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
if ! "$venv/bin/python" -c 'import cffi, scikit_build_core' 2>/dev/null; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "${pip[@]}" cffi scikit-build-core
fi
# The peers, from PyPI as users get them: wheels only (no local LevelDB or
# RocksDB build standing in for theirs).
for peer in plyvel rocksdict; do
  if ! "$venv/bin/python" -c "import $peer" 2>/dev/null; then
    "${pip[@]}" --only-binary=:all: "$peer" ||
      echo "python.sh: $peer could not be installed from a PyPI wheel; the run goes on without it" >&2
  fi
done
echo "python.sh: building and installing the strata binding"
CMAKE_BUILD_PARALLEL_LEVEL=2 nice -n 10 "${pip[@]}" --no-build-isolation --no-deps --force-reinstall \
  --config-settings=build-dir="$work/wheel-build" ./bindings/python

# The C loop under the breakdown: dlopens the libraries, links nothing.
cc -O2 -Wall -Wextra -o "$work/c_floor" bench/bindings/python/c_floor.c -ldl

export PYTHONPYCACHEPREFIX=$work/pycache  # keep __pycache__ out of the source tree
breakdown=()
if [[ ${PYBENCH_BREAKDOWN:-1} != 0 ]] && "$venv/bin/python" -c 'import plyvel' 2>/dev/null; then
  echo "python.sh: put/get breakdown (strata layers, plyvel beside LevelDB's C API)"
  nice -n 10 "$venv/bin/python" bench/bindings/python/put_breakdown.py \
    --c-floor "$work/c_floor" --strata-library "$build_dir/libstrata.so" \
    --puts 100000 --gets 50000 --rounds 3 --dir "$work/breakdown-data" \
    --json "$work/breakdown.json"
  rm -rf "$work/breakdown-data"
  breakdown=(--breakdown "$work/breakdown.json")
fi

echo "python.sh: benchmark"
nice -n 10 "$venv/bin/python" bench/bindings/python/bench_python.py run \
  --dir "$work/data" --json build/pybench/results.json --page docs/bench/bindings-python.md \
  "${breakdown[@]}" "$@"
rm -rf "$work/data"
