#!/usr/bin/env bash
# New-user test, Go: after `cmake --install` of the library-only build
# (scripts/install-library.sh, into /usr/local), a new Go module in a
# scratch directory outside the clone requires
# github.com/strata-kv/strata/bindings/go through the replace directive
# docs/GO.md shows, and `go run` builds and runs a program that writes,
# reads, scans and closes, with no environment variables: cgo finds the
# library through the installed strata.pc. Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
find_go
make_scratch go
install_library
clean_environment
cd "$scratch"

write_go_program "$scratch"
echo "new-user Go: $("$go" version); go run in $scratch"
"$go" run . "$scratch"
echo "new-user Go: ok"
