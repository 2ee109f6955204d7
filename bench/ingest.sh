#!/usr/bin/env bash
# bench/ingest.sh — bulk ingest against puts, through the `strata` tool, for
# docs/BENCHMARKS.md ("Bulk ingest"):
#
#   bash bench/ingest.sh [KEYS] [ROUNDS]     (defaults: 10000000 keys, 3 rounds)
#
# Writes one TSV file of KEYS entries in key order (16-byte keys
# "k000000000000042", 100-byte values), then, for each round, loads it into a
# fresh database twice, alternating: `strata load --sorted` (SST writers, then
# kv_ingest with KV_INGEST_MOVE) and `strata load` (kv_write of 1000-entry
# batches through the log and the memtable). Each figure is the wall time of
# the whole tool process (parse, write, close: the put load's close waits for
# its flush, not for the compactions it left pending; `check` afterwards
# confirms every key is there), and keys/s is KEYS over it. Prints every
# round and the medians. Uses $STRATA (default build/release/tools/strata) and
# scratch in $BENCH_DIR (default build/bench-ingest), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
keys=${1:-10000000}
rounds=${2:-3}
strata=${STRATA:-$PWD/build/release/tools/strata}
dir=${BENCH_DIR:-$PWD/build/bench-ingest}
[[ -x $strata ]] || { echo "bench/ingest.sh: no $strata; build the release preset first" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

# 100 value bytes from a fixed 200-byte alphabet string, shifted per key, so
# values differ (no tab, newline or backslash: text format as it is).
echo "writing $keys sorted entries to $dir/input.tsv"
awk -v n="$keys" 'BEGIN {
  srand(42)
  chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
  for (i = 0; i < 200; i++) base = base substr(chars, int(rand() * 62) + 1, 1)
  for (i = 0; i < n; i++) printf "k%015d\t%s\n", i, substr(base, (i * 7) % 100 + 1, 100)
}' >"$dir/input.tsv"
echo "input: $(stat -c %s "$dir/input.tsv") bytes; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A seconds
run_one() {  # run_one MODE ROUND
  local db="$dir/db" args=()
  [[ $1 == ingest ]] && args=(--sorted)
  rm -rf "$db"
  sync
  local start end
  start=$(date +%s.%N)
  "$strata" -q --db "$db" load "${args[@]}" "$dir/input.tsv" >"$dir/out"
  end=$(date +%s.%N)
  local s
  s=$(echo "$end - $start" | bc -l)
  seconds[$1,$2]=$s
  "$strata" -q --db "$db" check >/dev/null
  local n
  n=$("$strata" -q --db "$db" dump | wc -l)
  [[ $n == "$keys" ]] || { echo "bench/ingest.sh: $1 round $2 left $n keys, expected $keys" >&2; exit 1; }
  printf '%-7s round %d: %8.2f s  %10.0f keys/s  (%s)\n' "$1" "$2" "$s" "$(echo "$keys / $s" | bc -l)" \
    "$(cut -d';' -f2- "$dir/out" | sed 's/^loaded.*//')"
}

for round in $(seq 1 "$rounds"); do
  # Alternate which goes first, so neither always runs on a warmer machine.
  if (( round % 2 )); then order="ingest puts"; else order="puts ingest"; fi
  for mode in $order; do run_one "$mode" "$round"; done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "medians over $rounds rounds, $keys keys (16-byte keys, 100-byte values):"
for mode in ingest puts; do
  values=()
  for round in $(seq 1 "$rounds"); do values+=("${seconds[$mode,$round]}"); done
  m=$(median "${values[@]}")
  printf '%-7s %8.2f s  %10.0f keys/s\n' "$mode" "$m" "$(echo "$keys / $m" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
