#!/usr/bin/env bash
# Tests the Go binding (module github.com/strata-kv/strata/bindings/go)
# against the strata build tree in $STRATA_BUILD_DIR (default:
# build/release): go vet (also with the strata_static tag), then go test
# -race of the package (which also runs the cross-language fixture test
# with that tree's strata-fixture-writer), then vets, builds and runs
# examples/go, linked against libstrata.so and, with -tags strata_static,
# against libstrata.a (checking that binary needs no libstrata.so). It also
# vets and tests bindings/go/raftstore (hashicorp/raft's stores on strata),
# a module of its own.
#
# Linking goes through pkg-config: PKG_CONFIG_PATH points at the build tree's
# pkgconfig-uninstalled/strata.pc, whose rpath lets the test binaries find
# libstrata.so there without LD_LIBRARY_PATH (and strata-static.pc, for the
# static tag).
#
# Needs Go 1.23 or newer and a C compiler (cgo; -race too). When go is
# missing it installs Debian's golang-go; when that go is older than 1.23 it
# fetches a newer toolchain through the Go module proxy (the toolchain is
# published there as the module golang.org/toolchain). Extra arguments go to
# go test (e.g. -run Model -v).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build_dir=${STRATA_BUILD_DIR:-$repo/build/release}
if [[ ! -f $build_dir/libstrata.so || ! -f $build_dir/libstrata.a ||
      ! -f $build_dir/pkgconfig-uninstalled/strata.pc ]]; then
  echo "test-go: no libstrata.so, libstrata.a or pkgconfig-uninstalled/strata.pc in $build_dir;" \
    "build strata first (bash scripts/test.sh does)" >&2
  exit 1
fi
export STRATA_BUILD_DIR=$(cd "$build_dir" && pwd)
if [[ ! -x $STRATA_BUILD_DIR/tests/fixture/strata-fixture-writer ]]; then
  echo "test-go: $STRATA_BUILD_DIR/tests/fixture/strata-fixture-writer is missing" >&2
  exit 1
fi

source "$repo/scripts/lib/go-toolchain.bash"
use_go_toolchain test-go
echo "test-go: $("$go" version)"

export PKG_CONFIG_PATH=$STRATA_BUILD_DIR/pkgconfig-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CGO_ENABLED=1
# Go's build cache does not notice a changed C library, header or pkg-config
# result: a package built against another build tree (or an older kv.h) would
# be reused, linked with that tree's rpath. CGO_CPPFLAGS is part of the cache
# key, so a define naming this exact library and header forces a rebuild of
# the cgo packages exactly when they change.
strata_id=$(cat "$STRATA_BUILD_DIR/libstrata.so" "$STRATA_BUILD_DIR/libstrata.a" \
  "$repo/capi/include/strata/kv.h" "$STRATA_BUILD_DIR"/pkgconfig-uninstalled/*.pc |
  sha256sum | cut -c1-16)
export CGO_CPPFLAGS="${CGO_CPPFLAGS:-} -DSTRATA_BUILD_ID=$strata_id"

cd "$repo/bindings/go"
"$go" vet ./...
"$go" vet -tags strata_static ./...
"$go" test -race -count=1 "$@" ./...

# raftstore is its own module (it keeps hashicorp/raft out of the binding's
# go.mod); its dependencies come through the Go module proxy.
cd "$repo/bindings/go/raftstore"
"$go" vet ./...
"$go" test -race -count=1 ./...

cd "$repo/examples/go"
"$go" vet ./...
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$go" build -o "$out/strata-go-example" .
"$out/strata-go-example" "$out/db" >/dev/null
"$go" build -tags strata_static -o "$out/strata-go-example-static" .
if readelf -d "$out/strata-go-example-static" | grep -q 'libstrata\.so'; then
  echo "test-go: the strata_static build still needs libstrata.so" >&2
  exit 1
fi
"$out/strata-go-example-static" "$out/db-static" >/dev/null
echo "test-go: examples/go built and ran (shared, and static with -tags strata_static)"
