#!/usr/bin/env bash
# Builds everything and runs every test: the GoogleTest suites, the C ABI
# conformance, crash and corruption programs (through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
jobs=$(nproc)
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release -j "$jobs"
