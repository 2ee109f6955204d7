#!/usr/bin/env bash
# The sanitizer stage of the test command (scripts/test.sh runs it last):
#
#   1. AddressSanitizer + UndefinedBehaviorSanitizer: the whole ctest suite
#      (every GoogleTest suite, the C programs, the crash loop, the fuzz
#      corpora, the tool's tests) built with the `debug` preset in build/debug.
#   2. ThreadSanitizer: the tests that run threads against one database or
#      one shared structure (writers and readers together, background flushes
#      and compactions under reads, iterators and snapshots held across them,
#      closing while other threads call in, the cache and the arena) built
#      with the `tsan` preset in build/tsan.
#
# Any sanitizer report fails the stage: ASan and UBSan abort on the first
# error (-fno-sanitize-recover), TSan exits non-zero (halt_on_error=1). The one
# TSan suppression, for a report inside libstdc++ 12, is in tests/tsan.supp
# with its reason.
#
#   bash scripts/test-sanitizers.sh [asan|tsan]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(asan tsan)
bash scripts/setup-deps.sh
jobs=$(nproc)

# TSan's runtime (gcc 12) needs the fixed address layout of a process without
# address-space randomisation on kernels with 32 bits of mmap entropy; the
# tests run under `setarch -R` for that.
no_aslr=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  no_aslr=(setarch "$(uname -m)" -R)
fi

# Left to the release run of ctest (scripts/test.sh), to keep this stage in
# CI's time: the benchmark tools and their smoke runs (the `debug` preset
# does not build them: tools, not the library, whose paths they take are all
# in other tests), the `strata bench` and progress smoke runs, the write-limit tests
# that fill GiB-sized batches (a minute of memset under ASan, no parsing),
# and the repair tool's 25-round SIGKILL loop (its library paths run here in
# RepairTest.RepairInterruptedAnywhereDoesNotPoisonTheRerun), and the
# 100,000-entry table round trips of compressed tables read through a mapping
# (a compressed block takes the same path mapped or not; the mapped
# uncompressed round trip stays).
asan_skip='^(tool_bench|tool_progress|tool_repair_killed|CapiPromisesTest\.(BatchPutPastTheLimitIsRefused|OversizedBatchIsRefusedWithoutStoppingWrites)|WriteLimitsTest\.ABatchPastTheLimitIsRefusedAndStopsNothing|Compression/TableCompressionTest\.RoundTrip100k/(lz4|zstd)_mapped)$'

# The tests of these executables run threads against shared state. Longest
# first (about 33 s, 33 s and 17 s here): they run two at a time, and the
# short ones fill in beside the long ones.
tsan_tests=(db_model_test compaction_test db_test db_api_test memtable_test capi_txn_test
            fault_injection_test memtable_hash_index_test sorted_container_test arena_test
            table_cache_test block_cache_test capi_test super_version_slots_test slab_pool_test)

for stage in "${stages[@]}"; do
  case $stage in
    asan)
      echo "== ASan + UBSan: the ctest suite (build/debug)"
      cmake --preset debug >/dev/null
      cmake --build --preset debug -j "$jobs"
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --preset debug -j "$jobs" -E "$asan_skip"
      ;;
    tsan)
      echo "== TSan: the concurrency tests (build/tsan)"
      cmake --preset tsan >/dev/null
      cmake --build --preset tsan -j "$jobs" --target "${tsan_tests[@]}"
      # As many at once as there are cores (the tests leave much of a core
      # idle: 103 s one at a time, 63 s two at a time here); each one's
      # output is kept in build/tsan/logs and shown when all have ended.
      logs=build/tsan/logs
      rm -rf "$logs"
      mkdir -p "$logs"
      export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
      tsan_status=0
      printf '%s\n' "${tsan_tests[@]}" |
        xargs -P "$jobs" -I{} "${no_aslr[@]}" sh -c \
          'build/tsan/tests/$1 --gtest_brief=1 >"$2/$1.log" 2>&1 || { echo "$1: exit $?" >>"$2/failed"; exit 1; }' \
          sh {} "$logs" || tsan_status=$?
      for test in "${tsan_tests[@]}"; do
        echo "-- $test"
        cat "$logs/$test.log"
      done
      if [[ $tsan_status -ne 0 ]]; then
        echo "TSan: failed:" >&2
        cat "$logs/failed" >&2
        exit 1
      fi
      ;;
    *)
      echo "test-sanitizers.sh: unknown stage '$stage' (asan or tsan)" >&2
      exit 2
      ;;
  esac
done
echo "== sanitizers: no reports"
