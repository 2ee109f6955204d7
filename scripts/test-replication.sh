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
# Needs Go 1.23+ (scripts/test-go.sh explains how it finds one) and the Go
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
go=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
if ! "$go" version >/dev/null 2>&1; then
  echo "test-replication: no go; run scripts/test-go.sh first (it installs one)" >&2
  exit 1
fi
# As test-go.sh: a go older than 1.23 gets go1.23.12 through the module proxy
# (Go 1.21+ switches itself; an older one downloads the toolchain module).
fallback_toolchain=go1.23.12
minor=$("$go" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if ((${minor:-0} < 21)); then
  arch=$("$go" env GOARCH)
  mod=golang.org/toolchain@v0.0.1-$fallback_toolchain.linux-$arch
  scratch=$(mktemp -d)
  dir=$(cd "$scratch" && "$go" mod init fetch-toolchain >/dev/null 2>&1 &&
    GOFLAGS=-modcacherw "$go" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$scratch"
  [[ -n $dir ]] || { echo "test-replication: could not download $mod" >&2; exit 1; }
  chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
  go=$dir/bin/go
elif ((minor < 23)); then
  export GOTOOLCHAIN=$fallback_toolchain
fi
export GO=$go
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
