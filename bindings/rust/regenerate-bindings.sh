#!/usr/bin/env bash
# Regenerates strata-sys/src/bindings.rs from capi/include/strata/kv.h with
# bindgen (needs libclang: `apt-get install libclang-dev` on Debian). Run it
# after changing kv.h, then commit the result. The test that writes the file
# links the engine built from this checkout (the default `bundled` feature).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
STRATA_SYS_BLESS=1 cargo test -q -p strata-kv-sys --features bindgen --test bindings_up_to_date
echo "wrote $here/strata-sys/src/bindings.rs"
