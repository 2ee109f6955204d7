#!/usr/bin/env bash
# bench/ab_libraries.sh — one read workload on one existing database, two
# builds of libstrata.so alternating under the same strata-bench: the A/B
# of a code change (docs/BENCHMARKS.md, "The seek path").
#
#   bash bench/ab_libraries.sh OLD_LIB_DIR NEW_LIB_DIR DB_DIR [RUNS] [ARGS...]
#
# OLD_LIB_DIR and NEW_LIB_DIR each hold a libstrata.so.0 (copy
# build/release/libstrata.so.0* there before and after the change). The
# database is opened with read_only=true, so no compaction changes it
# between runs and each run reads the same tables. STEP (default
# seekrandom) is the strata-bench step; ARGS go to strata-bench (e.g.
# --seeks 100000). After one unrecorded run that warms the page cache,
# prints each run's ops/s, then the medians and the median of the pairwise
# ratios new/old.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  sed -n 2,15p "$0" >&2
  exit 2
fi
old=$1 new=$2 db=$3 runs=${4:-10}
shift $(( $# >= 4 ? 4 : 3 ))
bench=${STRATA_BENCH:-$(dirname "$0")/../build/release/bench/strata-bench}
step=${STEP:-seekrandom}

# Prints one run's ops/s with the library in $1; fails, with the step's
# last words, when the step does not report a rate.
run_once() {
  local lib=$1
  shift
  local out
  out=$(LD_LIBRARY_PATH=$lib "$bench" --child-step "$step" --child-engine "strata:read_only=true" \
    --child-dir "$db" "$@" 2>&1 | tail -1)
  local rate
  rate=$(grep -o '"ops_per_sec":[0-9.]*' <<<"$out" | cut -d: -f2) || true
  if [[ -z $rate ]]; then
    echo "ab_libraries: no rate from $lib: $out" >&2
    return 1
  fi
  printf '%.0f\n' "$rate"
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for lib in "$old" "$new"; do
  if [[ ! -e $lib/libstrata.so.0 ]]; then
    echo "ab_libraries: no libstrata.so.0 in $lib" >&2
    exit 2
  fi
done
# One unrecorded run first: it brings the database's files into the page cache.
run_once "$old" "$@" >/dev/null

old_rates=() new_rates=()
for ((i = 1; i <= runs; i++)); do
  a=$(run_once "$old" "$@")
  b=$(run_once "$new" "$@")
  echo "run $i: old $a new $b"
  old_rates+=("$a") new_rates+=("$b")
done
echo "old median: $(printf '%s\n' "${old_rates[@]}" | median)"
echo "new median: $(printf '%s\n' "${new_rates[@]}" | median)"
echo "median of new/old per run: $(for ((i = 0; i < runs; i++)); do
  awk -v a="${old_rates[i]}" -v b="${new_rates[i]}" 'BEGIN {print b / a}'; done | median)"
