#!/usr/bin/env bash
# The new-user tests: runs every scripts/new-user/*.sh, each of which installs
# strata or one of its bindings the documented way and runs a small program
# in a scratch directory outside the clone, with no build tree in sight and
# no STRATA_* variables (see each script's header). Each script exits
# non-zero on a failure; this one runs them all, then lists the ones that
# failed and exits non-zero if any did.
#
#   bash scripts/test-new-user.sh           every test
#   bash scripts/test-new-user.sh go c      only these
#
# scripts/test.sh runs it after the binding suites. Tests that install into
# the machine (c.sh, go.sh: /usr/local; deb.sh: the packages) remove what
# they installed when it was not there before.
set -uo pipefail
cd "$(dirname "$0")/.."
if (($#)); then
  tests=()
  for name in "$@"; do tests+=("scripts/new-user/$name.sh"); done
else
  tests=(scripts/new-user/*.sh)
fi
# What a developer of strata has set (test.sh exports STRATA_BUILD_DIR) is
# not what a new user has: every test starts without it.
for name in $(compgen -e); do
  case $name in
    STRATA_* | PKG_CONFIG_PATH | LD_LIBRARY_PATH | CGO_CPPFLAGS | CGO_LDFLAGS) unset "$name" ;;
  esac
done
failed=()
for t in "${tests[@]}"; do
  [[ -f $t ]] || { echo "test-new-user: no $t" >&2; failed+=("$t"); continue; }
  echo "== new user: $(basename "$t" .sh)"
  start=$SECONDS
  if bash "$t"; then
    echo "-- $(basename "$t" .sh): passed in $((SECONDS - start)) s"
  else
    echo "-- $(basename "$t" .sh): FAILED" >&2
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then
  echo "test-new-user: failed: ${failed[*]}" >&2
  exit 1
fi
echo "test-new-user: all ${#tests[@]} passed"
