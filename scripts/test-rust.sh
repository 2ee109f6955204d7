#!/usr/bin/env bash
# Tests the Rust binding (bindings/rust) against the library in
# $STRATA_BUILD_DIR (default: build/release, which scripts/test.sh builds):
#   1. cargo test: every crate, test, doctest and compile-fail example, built
#      from the committed bindings (no libclang needed);
#   2. the strata-sys bindgen check: the committed bindings equal what bindgen
#      makes from kv.h now (needs libclang; installs libclang-dev if missing);
#   3. cargo clippy --all-targets -- -D warnings;
#   4. the example program, run once.
# Needs cargo (rustup's toolchain); installs clippy with rustup only if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export STRATA_BUILD_DIR="${STRATA_BUILD_DIR:-$repo/build/release}"
if [[ ! -e "$STRATA_BUILD_DIR/libstrata.so" ]]; then
  echo "test-rust: no libstrata.so in $STRATA_BUILD_DIR; build strata first (scripts/test.sh does)" >&2
  exit 1
fi
# The test binaries load libstrata.so from the build tree.
export LD_LIBRARY_PATH="$STRATA_BUILD_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "test-rust: cargo not found; install a Rust toolchain (1.82 or newer) with rustup" >&2
  exit 1
fi
if ! cargo clippy --version >/dev/null 2>&1; then
  echo "test-rust: installing clippy"
  rustup component add clippy
fi

# libclang for bindgen: Debian's libclang-dev (with clang's own headers).
if ! dpkg-query -W -f='${Status}' libclang-dev 2>/dev/null | grep -q "install ok installed"; then
  echo "test-rust: installing libclang-dev"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 libclang-dev >/dev/null
fi

cd bindings/rust
echo "-- cargo test"
cargo test --locked --workspace
echo "-- bindings are what bindgen makes from kv.h"
cargo test --locked -p strata-sys --features bindgen --test bindings_up_to_date
echo "-- cargo clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p strata-sys --all-targets --features bindgen -- -D warnings
echo "-- example"
cargo run --locked -q -p strata --example basic >/dev/null
echo "-- rust binding: all passed"
