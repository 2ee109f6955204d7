#!/usr/bin/env bash
# Builds everything and runs every test of every language: the GoogleTest
# suites and the C programs (through ctest), the lock-discipline check
# (scripts/check-thread-safety.sh: clang -Wthread-safety -Werror, about a
# minute and a half, beside the Python stage), then each binding's own suite
# (scripts/test-<language>.sh: Python, Go, Rust), all against the library
# built here in build/release; then the replicated key-value service's tests
# (scripts/test-replication.sh, about 2 minutes); then the ABI check against the last release
# (scripts/check-abi.sh) and the new-user tests (scripts/test-new-user.sh:
# each binding and the library installed the documented way, used from a
# directory outside the clone); last, the sanitizer stage
# (scripts/test-sanitizers.sh: the ctest suite under ASan + UBSan, the
# concurrency tests under TSan).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
jobs=$(nproc)
# The library is compiled in Release several times over from this clone: the
# Python wheel, the library-only install of the new-user tests and the Debian
# packages (each in its own build directory, with the same flags and the
# same absolute source paths). With ccache (installed by setup-deps.sh) each
# compile is done once. CMake reads the launchers from the environment, also
# under pip and cargo.
if command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$PWD/build/ccache} CCACHE_NOHASHDIR=true
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  ccache --zero-stats >/dev/null
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"
# The lock-discipline check (clang, syntax only, about 160 s of CPU) runs
# beside the Python binding's stage, which spends most of its time in pip
# and in tests that leave a core idle; its verdict is awaited right after.
tsa_log=build/thread-safety.log
bash scripts/check-thread-safety.sh >"$tsa_log" 2>&1 &
tsa_pid=$!
export STRATA_BUILD_DIR="$PWD/build/release"
for lang in python go rust; do
  if [[ -f scripts/test-$lang.sh ]]; then
    echo "== $lang binding"
    bash "scripts/test-$lang.sh"
  fi
  if [[ -n ${tsa_pid:-} ]]; then
    tsa_status=0
    wait "$tsa_pid" || tsa_status=$?
    unset tsa_pid
    echo "== lock discipline (clang -Wthread-safety -Werror)"
    cat "$tsa_log"
    [[ $tsa_status -eq 0 ]] || exit "$tsa_status"
  fi
done
echo "== replicated key-value service (raft on strata; short fault test)"
bash scripts/test-replication.sh
echo "== ABI against the last release"
bash scripts/check-abi.sh
echo "== new-user tests"
bash scripts/test-new-user.sh
bash scripts/test-sanitizers.sh
if command -v ccache >/dev/null; then
  echo "== compiler cache"
  ccache --show-stats | grep -Ei "hits|misses" || true
fi
echo "== all tests passed"
