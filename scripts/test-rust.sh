#!/usr/bin/env bash
# Tests the Rust binding (bindings/rust), both ways it links the engine, with
# LD_LIBRARY_PATH unset throughout (a program must run without it):
#   1. cargo test with the default `bundled` feature: strata-kv-sys compiles
#      the engine from this checkout with CMake and links it statically (the
#      CMake build is cached under bindings/rust/target like everything cargo
#      builds). Every crate, test, doctest and compile-fail example; then a
#      test binary is checked to need no libstrata, liblz4 or libzstd;
#   2. cargo test --no-default-features: the shared library of the C build in
#      $STRATA_BUILD_DIR found through pkg-config (its
#      pkgconfig-uninstalled/strata.pc) and loaded through the rpath the build
#      scripts add; a test binary is checked to carry that RUNPATH;
#   3. the bindgen check: the committed bindings equal what bindgen makes from
#      this checkout's kv.h (needs libclang; installs libclang-dev if missing). Run
#      without `bundled`, so the engine is not compiled a second time for
#      this feature set;
#   4. cargo clippy --all-targets -- -D warnings, for both feature sets;
#   5. the example program, run once.
# $STRATA_BUILD_DIR (default: build/release, which scripts/test.sh builds)
# provides the C fixture writer for tests/fixture.rs and the library of step 2.
# Needs cargo (rustup's toolchain); installs clippy with rustup, and the
# Debian packages the bundled build needs, only if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
build_dir="${STRATA_BUILD_DIR:-$repo/build/release}"
if [[ ! -e "$build_dir/libstrata.so" || ! -x "$build_dir/tests/fixture/strata-fixture-writer" ]]; then
  echo "test-rust: no libstrata.so or fixture writer in $build_dir; build strata first (scripts/test.sh does)" >&2
  exit 1
fi
unset LD_LIBRARY_PATH STRATA_LIB_DIR STRATA_BUILD_DIR STRATA_INCLUDE_DIR

[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "test-rust: cargo not found; install a Rust toolchain (1.82 or newer) with rustup" >&2
  exit 1
fi
if ! cargo clippy --version >/dev/null 2>&1; then
  echo "test-rust: installing clippy"
  rustup component add clippy
fi

# Debian packages: what the bundled build needs (a C++20 compiler, cmake,
# pkg-config and the compression libraries' development files, whose static
# archives it links), and libclang for bindgen.
missing=()
for p in g++ cmake pkg-config liblz4-dev libzstd-dev libxxhash-dev libclang-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test-rust: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

cd bindings/rust
# The db_api test binary that `cargo test` with these arguments runs (read
# from cargo's JSON messages, so it is this feature set's binary).
db_api_binary() {
  cargo test --locked --workspace "$@" --no-run --message-format=json 2>/dev/null |
    grep '"name":"db_api"' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4
}
needed_libraries() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

echo "-- cargo test (bundled: the engine built from source, linked statically)"
started=$SECONDS
STRATA_FIXTURE_WRITER="$build_dir/tests/fixture/strata-fixture-writer" cargo test --locked --workspace
echo "   bundled build and tests: $((SECONDS - started)) s"
binary=$(db_api_binary)
if needed_libraries "$binary" | grep -E '^lib(strata|lz4|zstd|xxhash)\.'; then
  echo "test-rust: $binary needs the shared libraries above; the bundled build must link them statically" >&2
  exit 1
fi

echo "-- cargo test --no-default-features (libstrata.so of $build_dir through pkg-config)"
export PKG_CONFIG_PATH="$build_dir/pkgconfig-uninstalled"
STRATA_FIXTURE_WRITER="$build_dir/tests/fixture/strata-fixture-writer" \
  cargo test --locked --workspace --no-default-features
binary=$(db_api_binary --no-default-features)
libdir=$(pkg-config --variable=libdir strata)
if ! needed_libraries "$binary" | grep -qx 'libstrata\.so\.0'; then
  echo "test-rust: $binary does not link libstrata.so.0" >&2
  exit 1
fi
if ! readelf -d "$binary" | grep -E 'R(UN)?PATH' | grep -qF "$libdir"; then
  echo "test-rust: $binary has no rpath to $libdir" >&2
  exit 1
fi

echo "-- bindings are what bindgen makes from kv.h"
# This checkout's header: the one the committed bindings must match (the
# library in $STRATA_BUILD_DIR may come from another checkout).
STRATA_INCLUDE_DIR="$repo/capi/include" \
  cargo test --locked -p strata-kv-sys --no-default-features --features bindgen --test bindings_up_to_date

echo "-- cargo clippy"
# The bundled build script declares PKG_CONFIG_PATH; without it here, as in
# step 1, the build is reused rather than redone.
env -u PKG_CONFIG_PATH cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked --workspace --all-targets --no-default-features -- -D warnings
STRATA_INCLUDE_DIR="$repo/capi/include" \
  cargo clippy --locked -p strata-kv-sys --all-targets --no-default-features --features bindgen -- -D warnings
unset PKG_CONFIG_PATH

echo "-- example"
cargo run --locked -q -p strata-kv --example basic >/dev/null
echo "-- rust binding: all passed"
