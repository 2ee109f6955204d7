#!/usr/bin/env bash
# The Python binding as a new user meets it: the sdist of strata-kv, built
# from this clone, installed with pip into a new virtual environment in a
# temporary directory outside the clone -- no build tree, no STRATA_*
# variables, pip's own build isolation fetching scikit-build-core and cffi --
# then a small program, run from yet another directory, that writes, reads,
# scans, closes and opens again. Exits non-zero on any failure.
#
# Installs the build prerequisites docs/PYTHON.md lists for a source install
# (a C++ compiler, cmake, pkg-config, lz4/zstd/xxhash -dev packages, python3
# venv and headers) from Debian when missing. Needs PyPI. Keeps nothing: the
# temporary directory is removed at exit (STRATA_KEEP=1 keeps it, to look).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
keep=${STRATA_KEEP:-}
# A new user has none of the developer's variables.
for name in $(compgen -e); do
  case $name in STRATA_*|PYTHONPATH|LD_LIBRARY_PATH|PKG_CONFIG_PATH) unset "$name" ;; esac
done

say() { echo "new-user/python: $*"; }
fail() { echo "new-user/python: FAILED: $*" >&2; exit 1; }

debs=(g++ cmake pkg-config liblz4-dev libzstd-dev libxxhash-dev python3 python3-venv python3-dev)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python=${PYTHON:-python3}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-new-user-python.XXXXXX")
case $tmp/ in "$repo"/*) fail "the temporary directory $tmp is inside the clone" ;; esac
if [[ -z $keep ]]; then trap 'rm -rf "$tmp"' EXIT; else say "keeping $tmp"; fi

# 1. The sdist, as a release would make it (python -m build, isolated).
"$python" -m venv "$tmp/sdist-tools"
"$tmp/sdist-tools/bin/pip" install -q --disable-pip-version-check build
"$tmp/sdist-tools/bin/python" -m build -q --sdist -o "$tmp/sdist" "$repo/bindings/python" \
  >"$tmp/sdist.log" 2>&1 || { cat "$tmp/sdist.log" >&2; fail "building the sdist"; }
sdists=("$tmp"/sdist/strata_kv-*.tar.gz)
[[ -f ${sdists[0]} ]] || fail "no strata_kv sdist in $tmp/sdist"
say "sdist $(basename "${sdists[0]}") ($(du -k "${sdists[0]}" | cut -f1) KiB)"

# 2. The user's side: only the sdist file, a new venv, pip install.
mkdir "$tmp/user"
cp "${sdists[0]}" "$tmp/user/"
cd "$tmp/user"
"$python" -m venv venv
start=$(date +%s)
venv/bin/pip install -q --disable-pip-version-check ./"$(basename "${sdists[0]}")" \
  >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "pip install of the sdist"; }
say "pip install of the sdist took $(( $(date +%s) - start )) s"

# 3. A program, from another directory.
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere"
cat > first_steps.py <<'EOF'
import sys

import strata

assert strata.__file__.startswith(sys.prefix), f"strata imported from {strata.__file__}"
with strata.open("fruit-db", compression="zstd") as db:
    db.put(b"apple", b"red")
    db[b"banana"] = b"yellow"
    with db.write_batch() as batch:
        batch.put(b"fruit:kiwi", b"green")
        batch.put(b"fruit:lime", b"green")
    assert db.get(b"apple") == b"red"
    assert db.get(b"cherry") is None
    assert list(db.items(prefix=b"fruit:")) == [(b"fruit:kiwi", b"green"),
                                                 (b"fruit:lime", b"green")]
    assert list(db.keys(reverse=True))[0] == b"fruit:lime"
    walk = db.items()  # left open on purpose: close() closes it
    next(walk)
with strata.open("fruit-db", create_if_missing=False) as db:  # the LOCK was released
    assert len(list(db.keys())) == 4
print("strata", strata.library_version(), "works")
EOF
"$tmp/user/venv/bin/python" first_steps.py || fail "the first-steps program"
say "ok"
