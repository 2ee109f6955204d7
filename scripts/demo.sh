#!/usr/bin/env bash
# The main job: builds strata (release) and runs the demo workload, a stream
# of a million random writes read back, scanned and reopened, on a fresh
# database under /tmp. Extra arguments go to the demo (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target strata-demo
exec ./build/release/examples/strata-demo "$@"
