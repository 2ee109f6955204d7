#!/usr/bin/env bash
# Regenerates strata-sys/src/bindings.rs from capi/include/strata/kv.h with
# bindgen (needs libclang: `apt-get install libclang-dev` on Debian). Run it
# after changing kv.h, then commit the result. Links against the library in
# STRATA_BUILD_DIR (default: build/release of this checkout).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STRATA_BUILD_DIR="${STRATA_BUILD_DIR:-$here/../../build/release}"
cd "$here"
STRATA_SYS_BLESS=1 cargo test -q -p strata-sys --features bindgen --test bindings_up_to_date
echo "wrote $here/strata-sys/src/bindings.rs"
