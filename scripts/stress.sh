#!/usr/bin/env bash
# Runs strata's crash stress harness for as long as asked: worker processes
# hammer a database from many threads and are SIGKILLed at random moments
# (in the middle of writes, flushes and compactions); after each kill a
# verifier reopens the database and checks every key against the expected
# state (tests/stress/, docs/DURABILITY.md). Optionally also sweeps injected
# faults and power losses over many more points than the test suite does.
#
# Usage: scripts/stress.sh [--minutes N] [--sync on|off|mixed] [--threads N]
#                          [--keys N] [--seed N] [--fault-points N] [--fault-seeds N]
#   --minutes N       how long the crash loop runs (default 5; fractions allowed)
#   --sync MODE       sync=true, sync=false, or either per cycle (default mixed)
#   --threads N       worker threads (default 4); --keys N key space (default 1000)
#   --seed N          repeat an earlier run
#   --fault-points N  afterwards, run every fault and power-loss sweep with N
#                     fault points each (the test suite uses 24)
#   --fault-seeds N   ...over N different workloads (default 1)
# Builds in $STRATA_BUILD_DIR when that holds a build, else in build/release
# (as scripts/test.sh does). Exits non-zero on the first failed check and
# keeps the database and expected state for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=5
sync=mixed
threads=4
keys=1000
seed=0
fault_points=0
fault_seeds=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --sync) sync="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --fault-points) fault_points="$2"; shift 2 ;;
    --fault-seeds) fault_seeds="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stress.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || [[ "$minutes" =~ ^0+([.]0+)?$ ]]; then
  echo "stress.sh: --minutes takes a positive number, not '$minutes'" >&2
  exit 2
fi

build="${STRATA_BUILD_DIR:-$PWD/build/release}"
if [[ ! -x "$build/tests/stress/strata-stress" ]]; then
  bash scripts/setup-deps.sh
  build="$PWD/build/release"
  cmake --preset release >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target strata-stress fault_sweep_test

seconds=$(awk -v m="$minutes" 'BEGIN { printf "%.0f", m * 60 }')
echo "== crash loop for $minutes minute(s)"
"$build/tests/stress/strata-stress" crash --seconds "$seconds" --sync "$sync" \
  --threads "$threads" --keys "$keys" --seed "$seed"

if [[ "$fault_points" -gt 0 ]]; then
  echo "== fault and power-loss sweeps, $fault_points points each, $fault_seeds workload(s)"
  STRATA_FAULT_SWEEP_POINTS="$fault_points" STRATA_FAULT_SWEEP_SEEDS="$fault_seeds" \
    "$build/tests/fault_sweep_test" | grep -E '^\[ sweep|PASSED|FAILED'
fi
echo "== stress passed"
