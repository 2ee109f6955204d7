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
# Each stage's wall time, printed as it ends and again at the end, so a run
# that nears CI's limit shows where its time went.
stage_times=()
stage_start=$SECONDS
stage_done() {
  stage_times+=("$(printf '%5d s  %s' $((SECONDS - stage_start)) "$1")")
  echo "-- stage '$1' took $((SECONDS - stage_start)) s"
  stage_start=$SECONDS
}
bash scripts/setup-deps.sh
stage_done "setup"
jobs=$(nproc)
# The library is compiled in Release several times over from this clone: the
# Python wheel, the library-only install of the new-user tests and the Debian
# packages (each in its own build directory, with the same flags and the
# same absolute source paths). With ccache (installed by setup-deps.sh) each
# compile is done once. CMake reads the launchers from the environment, also
# under pip and cargo.
# The compiler is named the same way in every build (cc and c++, CMake's
# choice when it picks), since the cache keys on the name: a newer CMake
# under pip would otherwise pick g++ and miss every compile.
if command -v ccache >/dev/null; then
  export CC=${CC:-cc} CXX=${CXX:-c++}
  export CCACHE_DIR=${CCACHE_DIR:-$PWD/build/ccache} CCACHE_NOHASHDIR=true
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  ccache --zero-stats >/dev/null
fi
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
stage_done "release build"
ctest --preset release -j "$jobs"
stage_done "release ctest"
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
    stage_done "$lang binding"
  fi
  if [[ -n ${tsa_pid:-} ]]; then
    tsa_status=0
    wait "$tsa_pid" || tsa_status=$?
    unset tsa_pid
    echo "== lock discipline (clang -Wthread-safety -Werror)"
    cat "$tsa_log"
    [[ $tsa_status -eq 0 ]] || exit "$tsa_status"
    stage_done "lock discipline (awaited)"
  fi
done
echo "== replicated key-value service (raft on strata; short fault test)"
bash scripts/test-replication.sh
stage_done "replication"
echo "== ABI against the last release"
bash scripts/check-abi.sh
stage_done "ABI"
echo "== new-user tests"
bash scripts/test-new-user.sh
stage_done "new-user"
bash scripts/test-sanitizers.sh asan
stage_done "ASan + UBSan"
bash scripts/test-sanitizers.sh tsan
stage_done "TSan"
if command -v ccache >/dev/null; then
  echo "== compiler cache"
  ccache --show-stats | grep -Ei "hits|misses" || true
fi
echo "== stage times (total $SECONDS s)"
printf '%s\n' "${stage_times[@]}"
echo "== all tests passed"
