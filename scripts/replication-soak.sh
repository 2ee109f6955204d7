#!/usr/bin/env bash
# Runs the replicated key-value service's fault test (examples/replicated-kv/
# faulttest) for as long as asked, as a series of runs of a few minutes each
# (each run a fresh 3-node cluster, checked at its end), and sums the figures.
#
#   bash scripts/replication-soak.sh --minutes 30 [--run-minutes 5] [--results FILE]
#
# Every run appends a JSON line of figures to FILE (default
# build/replication-soak.jsonl); the script stops at the first failing run,
# keeping its output beside FILE.
# Needs the library built (build/release) and Go, as scripts/test-replication.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
minutes=10 run_minutes=5 results=$repo/build/replication-soak.jsonl
while (($#)); do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --run-minutes) run_minutes=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    *) echo "usage: $0 --minutes N [--run-minutes M] [--results FILE]" >&2; exit 2 ;;
  esac
done
build_dir=${STRATA_BUILD_DIR:-$repo/build/release}
export STRATA_BUILD_DIR=$(cd "$build_dir" && pwd)
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
export GO=$go
export PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CGO_ENABLED=1
strata_id=$(cat "$STRATA_BUILD_DIR/libstrata.so" "$repo/capi/include/strata/kv.h" \
  "$STRATA_BUILD_DIR"/pkgconfig-uninstalled/*.pc | sha256sum | cut -c1-16)
export CGO_CPPFLAGS="$(sed 's/-DSTRATA_BUILD_ID=[^ ]*//g' <<<"${CGO_CPPFLAGS:-}") -DSTRATA_BUILD_ID=$strata_id"
mkdir -p "$(dirname "$results")"
export REPLKV_FAULT_RESULTS=$results
end=$((SECONDS + minutes * 60))
runs=0
cd "$repo/examples/replicated-kv"
while ((SECONDS < end)); do
  left=$(( (end - SECONDS) / 60 ))
  run=$(( left < run_minutes ? left : run_minutes ))
  ((run >= 1)) || run=1
  runs=$((runs + 1))
  echo "replication-soak: run $runs, ${run}m of faults"
  log=$(dirname "$results")/replication-soak-run-$runs.log
  if ! REPLKV_FAULT_DURATION=${run}m "$go" test -count=1 -v -timeout $((run + 20))m -run TestFault \
      ./faulttest >"$log" 2>&1; then
    grep -E 'fault_test.go|^(--- |FAIL)' "$log" | grep -v '^\s*[0-9][0-9]:' >&2 || true
    echo "replication-soak: run $runs FAILED; its output is in $log" >&2
    exit 1
  fi
  grep -E '^fault test figures' "$log" || true
  rm -f "$log"
done
echo "replication-soak: $runs runs passed; totals over $results:"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys = ["fault_seconds", "leader_kills", "follower_kills", "double_kills", "disk_fills", "crash_exits",
        "ops", "contended_writes_acked", "unique_writes_acked", "writes_unknown", "reads",
        "violations", "lost_writes", "phantom_writes", "diverged_keys"]
print("  runs", len(rows), "passed", sum(1 for r in rows if r.get("passed")))
for k in keys:
    print(f"  {k} {sum(r.get(k, 0) for r in rows)}")
PY
