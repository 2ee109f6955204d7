#!/usr/bin/env bash
# The main job: builds strata (release) and runs `strata bench`, the demo
# workload: a stream of a million random writes, read back, scanned and
# reopened, with throughput and latency percentiles, every answer checked, on
# a fresh database under /tmp. Extra arguments go to `strata bench`
# (--count, --sync, --memtable, --batch, --value-bytes, --seed, --dir, --keep,
# --stats; `bash scripts/demo.sh --help` lists them all).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target strata-cli
exec ./build/release/tools/strata bench "$@"
