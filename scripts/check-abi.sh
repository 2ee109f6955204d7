#!/usr/bin/env bash
# Checks that libstrata.so keeps the ABI of the last release: compares the
# library built from this tree with the ABI committed in
# capi/abi/libstrata.so.0.abi (abidw's XML of the last release's library,
# written with `bash scripts/check-abi.sh --update` when a release is cut)
# using abidiff from Debian's abigail-tools, and fails on any change that
# could break a program built against the older library: a function or
# variable removed, or one whose type changed. Additions are compatible:
# they are reported and pass.
#
#   bash scripts/check-abi.sh             compare (run by scripts/test.sh)
#   bash scripts/check-abi.sh --update    rewrite the baseline from this tree (at a release)
#
# The library must carry debug information, which is where abidiff reads
# the functions' types (the C ABI's files are always compiled with -g, see
# CMakeLists.txt): it uses $STRATA_BUILD_DIR (scripts/test.sh sets it to
# build/release) when that holds a libstrata.so, else builds one library-only
# tree in build/abi.
#
# abidiff's exit status is a bit set: 1 an error, 2 a usage error, 4 an ABI
# change, 8 an incompatible ABI change. Bit 8 alone is not enough: abidiff
# sets it for removed symbols only, while a function whose parameters
# changed is "an ABI change" (4), like an addition. So the comparison runs
# twice: once in full, for the report, and once with --no-added-syms, where
# any change left (4 or 8) is one that is not an addition, and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=capi/abi/libstrata.so.0.abi
headers=capi/include/strata

if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "check-abi: installing abigail-tools"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq abigail-tools >/dev/null
fi

build=${STRATA_BUILD_DIR:-}
if [[ -z $build || ! -f $build/libstrata.so ]]; then
  build=build/abi
  bash scripts/setup-deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_LIBRARY_ONLY=ON >/dev/null
  nice -n 5 cmake --build "$build" --target strata -j "$(nproc)"
fi
library=$(readlink -f "$build/libstrata.so")
if ! readelf -S "$library" | grep -q '\.debug_info'; then
  echo "check-abi: $library has no debug information; build it RelWithDebInfo or Debug" >&2
  exit 1
fi

if [[ ${1:-} == --update ]]; then
  abidw --no-corpus-path --no-comp-dir-path --no-show-locs --drop-private-types \
    --exported-interfaces-only --headers-dir "$headers" --out-file "$baseline" "$library"
  echo "check-abi: wrote $baseline from $library"
  exit 0
fi

echo "check-abi: $library against $baseline"
compare() { abidiff --headers-dir2 "$headers" --exported-interfaces-only "$@" "$baseline" "$library"; }
set +e
compare
full=$?
compare --no-added-syms >/dev/null
without_additions=$?
set -e
if (((full | without_additions) & 3)); then
  echo "check-abi: abidiff failed (status $full, $without_additions)" >&2
  exit 1
fi
if ((without_additions & 12)); then
  echo "check-abi: INCOMPATIBLE ABI change against the last release (status $without_additions" \
    "without additions): a program built against it could break. kv.h's rule: add, never" \
    "change or remove." >&2
  exit 1
fi
if ((full & 4)); then
  echo "check-abi: additions only; ok"
else
  echo "check-abi: same ABI as the last release; ok"
fi
