#!/usr/bin/env bash
# The ctest smoke test of strata-bench (bench_smoke): every workload, every
# engine compiled in, one round at a tiny size, then checks that the report
# holds a number for every engine in every row it should.
# Usage: smoke_test.sh <strata-bench> <scratch dir>
set -euo pipefail
bench=$1
scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"
"$bench" --num 3000 --reads 3000 --reads-while-writing 3000 --seeks 300 --sync-ops 16 --reopen-mb 1 --memtable-mb 1 \
  --rounds 1 --dir "$scratch" --json "$scratch/result.json" --markdown "$scratch/result.md"
python3 - "$scratch/result.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
engines = doc["config"]["engines"]
assert engines[0] == "strata", engines
failures = [r for r in doc["runs"] if not r["ok"]]
assert not failures, failures
rows = {r["label"]: r for r in doc["summary"]["rows"]}
for label in ["fillseq", "fillrandom", "overwrite", "readrandom", "readmissing",
              "seekrandom + next 100", "readwhilewriting (reader)", "fillsync, 1 thread",
              "fillsync, 8 threads", "reopen after SIGKILL", "write amplification, fillrandom",
              "space amplification, after overwrite", "peak RSS (largest step)"]:
    row = rows[label]
    for e in engines:
        v = row["values"][e]
        assert isinstance(v, (int, float)) and v > 0, (label, e, v)
    for e in engines[1:]:
        assert row["ratios"][e] > 0, (label, e)
print("bench_smoke: %d engines, %d rows, all measured" % (len(engines), len(rows)))
PY
grep -q '| readrandom p99 |' "$scratch/result.md"
rm -rf "$scratch"
