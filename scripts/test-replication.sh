#!/usr/bin/env bash
# Tests the replicated key-value service (examples/replicated-kv) against the
# strata build tree in $STRATA_BUILD_DIR (default: build/release): go vet,
# its unit tests (HTTP API with bad inputs, token, TLS cluster, state
# machine snapshot/restore, the linearizability model), then the short
# fault test: a 3-node cluster of real processes on the loopback, SIGKILLs
# of leaders and followers, a node's disk filled (when a tmpfs can be
# mounted, i.e. as root), checked with porcupine and a full scan of every
# node. REPLKV_FAULT_DURATION (default 60s) sets how long faults run; the
# whole script takes about 2 minutes on 2 cores. scripts/replication-soak.sh
# runs the fault test for longer.
#
# Needs Go 1.23+ (found or fetched by scripts/lib/go-toolchain.bash) and the Go
# module proxy for hashicorp/raft, raft-boltdb/v2 and porcupine.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build_dir=${STRATA_BUILD_DIR:-$repo/build/release}
if [[ ! -f $build_dir/libstrata.so || ! -f $build_dir/pkgconfig-uninstalled/strata.pc ]]; then
  echo "test-replication: no libstrata.so or pkgconfig-uninstalled/strata.pc in $build_dir;" \
    "build strata first (bash scripts/test.sh does)" >&2
  exit 1
fi
export STRATA_BUILD_DIR=$(cd "$build_dir" && pwd)
source "$repo/scripts/lib/go-toolchain.bash"
use_go_toolchain test-replication
export PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CGO_ENABLED=1
# As in test-go.sh: make Go's build cache notice a changed library.
strata_id=$(cat "$STRATA_BUILD_DIR/libstrata.so" "$repo/capi/include/strata/kv.h" \
  "$STRATA_BUILD_DIR"/pkgconfig-uninstalled/*.pc | sha256sum | cut -c1-16)
export CGO_CPPFLAGS="$(sed 's/-DSTRATA_BUILD_ID=[^ ]*//g' <<<"${CGO_CPPFLAGS:-}") -DSTRATA_BUILD_ID=$strata_id"

cd "$repo/examples/replicated-kv"
"$go" vet ./...
"$go" test -race -count=1 ./internal/...
"$go" test -count=1 -run TestModel ./faulttest
REPLKV_FAULT_DURATION=${REPLKV_FAULT_DURATION:-60s} \
  "$go" test -count=1 -timeout 15m -run TestFault ./faulttest
echo "test-replication: the replicated key-value service passed"
