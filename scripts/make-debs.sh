#!/usr/bin/env bash
# Makes strata's Debian packages with CPack (cmake/Packaging.cmake):
#   libstrata0     the shared library, libstrata.so.0
#   libstrata-dev  kv.h, libstrata.so, libstrata.a, strata.pc, strata-static.pc,
#                  the CMake package
#   strata-tools   the strata command-line tool
# into build/deb/packages/ (the paths are printed at the end). The build, in
# build/deb, is Release with /usr as its prefix, the library and the tool
# only; dependencies come from dpkg-shlibdeps. Installs what it needs first
# (scripts/setup-deps.sh, and dpkg-dev for dpkg-shlibdeps).
#
#   bash scripts/make-debs.sh
#   sudo apt-get install ./build/deb/packages/*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
if ! command -v dpkg-shlibdeps >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "make-debs: installing dpkg-dev (dpkg-shlibdeps)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dpkg-dev >/dev/null
fi
build=build/deb
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DSTRATA_BUILD_TOOLS=ON -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_EXAMPLES=OFF \
  -DSTRATA_BUILD_BENCH=OFF -DSTRATA_BUILD_FUZZ=OFF >/dev/null
nice -n 5 cmake --build "$build" -j "$(nproc)"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB -B "$PWD/packages" >/dev/null 2>&1) ||
  { echo "make-debs: cpack failed; run it again in $build to see why" >&2; exit 1; }
rm -rf "$build/packages/_CPack_Packages"
echo "make-debs: made"
for deb in "$build"/packages/*.deb; do
  printf '  %s  (%s bytes)\n' "$deb" "$(stat -c %s "$deb")"
done
