#!/usr/bin/env bash
# Builds the library alone (the `library` preset: libstrata.so, libstrata.a,
# Release, in build/library) and installs it with `cmake --install`: by
# default into /usr/local, where pkg-config, CMake's find_package and the
# loader find it with no environment variables.
#
#   bash scripts/install-library.sh                 into /usr/local (sudo when not root)
#   bash scripts/install-library.sh --prefix DIR    anywhere else (then see docs/INSTALL.md)
#
# Arguments go to `cmake --install`. Safe to run again: the build is
# incremental and the install overwrites what an earlier one put there.
# build/library/install_manifest.txt lists every file installed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake --preset library >/dev/null
nice -n 5 cmake --build --preset library -j "$(nproc)"
sudo=""
prefix=/usr/local
for ((i = 1; i <= $#; i++)); do
  [[ ${!i} == --prefix ]] && { j=$((i + 1)); prefix=${!j}; }
  [[ ${!i} == --prefix=* ]] && prefix=${!i#--prefix=}
done
# Only a prefix this user cannot write to needs root.
parent=$prefix
while [[ ! -e $parent ]]; do parent=$(dirname "$parent"); done
[[ -w $parent && ( ! -e $prefix/lib || -w $prefix/lib ) ]] || sudo="sudo"
$sudo cmake --install build/library "$@"
