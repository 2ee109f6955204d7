#!/usr/bin/env bash
# Installs what building and testing strata needs on a fresh Debian machine:
# the C/C++ toolchain pieces and libraries from Debian's packages, including
# RocksDB and LevelDB for the side-by-side benchmark, CLI11 for the tool and
# clang for the lock-discipline check (scripts/check-thread-safety.sh). Safe
# to run again: it installs only what is missing.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libxxhash-dev liblz4-dev libzstd-dev libgtest-dev
          libcli11-dev nlohmann-json3-dev librocksdb-dev libleveldb-dev ccache clang)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
