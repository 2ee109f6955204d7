#!/usr/bin/env bash
# bindings/rust/package-crates.sh — makes the crates.io packages of the Rust
# binding, strata-kv-sys and strata-kv, in bindings/rust/target/package/.
#
# strata-kv-sys's `bundled` feature compiles the engine from its C++ sources.
# In the repository its build script finds them at the root (../../..), but
# a packaged crate only holds what is inside its own directory, so this
# script copies the parts of the root that a library-only CMake build reads
# (CMakeLists.txt, cmake/, core/, capi/) into strata-sys/strata-src/ (ignored
# by git, listed in the crate's `include`), runs `cargo package`, and removes
# the copy again, so the repository never holds two copies of the sources.
#
# `cargo package` verifies each crate by building it from its .crate file
# alone, so the engine is compiled once more here, from the copied sources:
# that is the proof that the packaged crate is complete.
#
#   bash bindings/rust/package-crates.sh            package and verify both crates
#   bash bindings/rust/package-crates.sh --no-verify
# Extra arguments go to `cargo package`. Publishing is a separate, manual step.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
vendored="$here/strata-sys/strata-src"

[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
trap 'rm -rf "$vendored"' EXIT
rm -rf "$vendored"
mkdir -p "$vendored"
cp "$repo/CMakeLists.txt" "$vendored/"
cp -r "$repo/cmake" "$repo/core" "$repo/capi" "$vendored/"

cd "$here"
# --allow-dirty: the copy is untracked by design; the rest of the crate is
# whatever is checked out, committed or not (release from a clean tree).
cargo package --locked --allow-dirty -p strata-kv-sys -p strata-kv "$@"
ls -l "$here"/target/package/*.crate
