#!/usr/bin/env bash
# Builds strata's libFuzzer targets (clang, ASan + UBSan) in build/fuzz and
# runs each for a number of executions or seconds, one after another, then
# prints executions, time, speed, corpus size and crashes per target.
#
#   bash scripts/fuzz.sh [--runs N] [--seconds S] [--build-only] [TARGET...]
#
#   --runs N       stop each target after N executions (libFuzzer -runs)
#   --seconds S    stop each target after S seconds (-max_total_time); with
#                  --runs too, whichever comes first. Default: --seconds 60
#   --build-only   configure and build, run nothing
#   TARGET         any of the targets below (default: all of them)
#
# Targets (tests/fuzz/<target>_fuzzer.cc): log_reader write_batch
# version_edit block table_reader bloom_filter options capi_sequence
# wal_recovery.
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>,
# never written to) plus the inputs earlier runs found (build/fuzz/corpus/
# <target>, where new ones go), with tests/fuzz/dict/<target>.dict when there
# is one. A crash, leak, timeout or out-of-memory input is saved under
# build/fuzz/artifacts/<target>/; the script then exits non-zero. To turn a
# crash into a regression: minimise it
#   build/fuzz/tests/fuzz/<target>_fuzzer -minimize_crash=1 -runs=100000 CRASH
# and copy the result into tests/fuzz/corpus/<target>/ (the ordinary test
# command replays every file there, see tests/fuzz/CMakeLists.txt).
#
# The fuzzers run at the lowest priority (nice -n 19), single-process, and the
# build uses at most two jobs, so the script can share a machine. Needs root
# or sudo only to install clang when it is missing. Env: FUZZ_EXTRA_ARGS adds
# libFuzzer flags to every run.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(log_reader write_batch version_edit block table_reader bloom_filter options capi_sequence
             wal_recovery)
runs=""
seconds=""
build_only=0
targets=()
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *)
      if [[ " ${all_targets[*]} " != *" $1 "* ]]; then
        echo "fuzz.sh: unknown target $1; targets: ${all_targets[*]}" >&2; exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")
[[ -n $runs || -n $seconds ]] || seconds=60
limit=()
limit_text=""
[[ -n $runs ]] && { limit+=(-runs="$runs"); limit_text="$runs runs"; }
[[ -n $seconds ]] && { limit+=(-max_total_time="$seconds"); limit_text="${limit_text:+$limit_text or }$seconds s"; }

# ---- Toolchain: the build's dependencies, then clang with its libFuzzer.
bash scripts/setup-deps.sh
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: installing clang"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang >/dev/null
fi
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  > "$probe_dir/probe.cc"
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cc" -o "$probe_dir/probe" 2>/dev/null; then
  # Debian ships libFuzzer in the compiler-rt package of clang's version.
  version=$(clang++ --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
  echo "fuzz.sh: installing libclang-rt-$version-dev for libFuzzer"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "libclang-rt-$version-dev" >/dev/null
  clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cc" -o "$probe_dir/probe"
fi

# ---- Build: everything instrumented (engine included), asserts kept on.
build=build/fuzz
flags="-O2 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja "${launcher[@]}" \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
  -DSTRATA_LIBFUZZER=ON -DSTRATA_BUILD_EXAMPLES=OFF >/dev/null
binaries=()
for t in "${targets[@]}"; do binaries+=("${t}_fuzzer"); done
cmake --build "$build" -j 2 --target "${binaries[@]}"
((build_only)) && { echo "fuzz.sh: built ${binaries[*]} in $build/tests/fuzz"; exit 0; }

# ---- Run, one target at a time.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
summary=()
failed=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  dict=()
  [[ -f tests/fuzz/dict/$t.dict ]] && dict=(-dict="tests/fuzz/dict/$t.dict")
  tuning=()
  if [[ $t == capi_sequence || $t == wal_recovery ]]; then
    # One input opens, uses and closes a whole database (on an in-memory
    # Env): milliseconds, with a heap that keeps what the engine caches.
    # Per-input leak scans of that heap and entropic scheduling's bookkeeping
    # over its ~20k coverage features would then take most of the time;
    # leaks are still checked when the process exits.
    tuning=(-detect_leaks=0 -entropic=0)
  fi
  crashes_before=$(find "$artifacts" -type f | wc -l)
  echo "== $t: fuzzing for $limit_text (log: $log)"
  start=$(date +%s.%N)
  set +e
  # shellcheck disable=SC2086
  nice -n 19 "$build/tests/fuzz/${t}_fuzzer" "${limit[@]}" "${dict[@]}" "${tuning[@]}" \
    -print_final_stats=1 -timeout=60 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" ${FUZZ_EXTRA_ARGS:-} \
    "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(sed -n 's/.*corp: \([0-9]*\)\/\([0-9a-zA-Z]*\).*/\1 inputs, \2/p' "$log" | tail -1)
  crashes=$(($(find "$artifacts" -type f | wc -l) - crashes_before))
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  summary+=("$(printf '%-14s %12s execs %6s s %8s exec/s   corpus %-22s crashes %s  (exit %s)' \
    "$t" "${execs:-?}" "$seconds" "${rate:-?}" "${units:-?}" "$crashes" "$rc")")
  # Targets that count more than inputs say so in their last line.
  note=$(grep -E "^$t: [0-9]+ " "$log" | tail -1 || true)
  [[ -n $note ]] && summary+=("               ($note)")
  if ((rc != 0 || crashes != 0)); then
    failed=1
    echo "!! $t failed (exit $rc); the end of its log:"
    tail -40 "$log"
  fi
done

echo
echo "== fuzzing summary (at most $limit_text per target; logs in $build/logs)"
printf '%s\n' "${summary[@]}"
exit $failed
