#!/usr/bin/env bash
# strata's raftstore beside raft-boltdb/v2 as hashicorp/raft's log store:
# runs examples/replicated-kv/cmd/raftbench (StoreLogs, GetLog, DeleteRange
# on each store, then a 3-node replicated-kv cluster with each store, same
# run, alternating) and prints the medians. Extra arguments go to raftbench
# (e.g. -rounds 3 -cluster-time 10s). The stores live under build/bench-raft,
# on the disk being measured. docs/BENCHMARKS.md records a run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export STRATA_BUILD_DIR=$(cd "${STRATA_BUILD_DIR:-$repo/build/release}" && pwd)
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
export PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CGO_ENABLED=1
strata_id=$(cat "$STRATA_BUILD_DIR/libstrata.so" "$repo/capi/include/strata/kv.h" | sha256sum | cut -c1-16)
export CGO_CPPFLAGS="$(sed 's/-DSTRATA_BUILD_ID=[^ ]*//g' <<<"${CGO_CPPFLAGS:-}") -DSTRATA_BUILD_ID=$strata_id"
out=$repo/build/bench-raft
mkdir -p "$out"
cd "$repo/examples/replicated-kv"
"$go" build -o "$out/replicated-kv" .
"$go" build -o "$out/raftbench" ./cmd/raftbench
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# The fsync floor of this disk: one synced 64 KiB append, as dd measures it.
dd if=/dev/zero of="$out/dd-probe" bs=64k count=200 oflag=dsync 2>&1 | tail -1 | sed 's/^/fsync probe (200 x 64 KiB, O_DSYNC): /'
rm -f "$out/dd-probe"
"$out/raftbench" -dir "$out" -bin "$out/replicated-kv" "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
