#!/usr/bin/env bash
# Installs the build tree into a temporary prefix, then builds and runs the
# basic C example against it twice: through pkg-config and through CMake's
# find_package(strata). Arguments: the build directory, the source directory,
# and ON when the library was built with ASan + UBSan (STRATA_SANITIZE).
set -euo pipefail
build="$1"
src=$(cd "$2" && pwd)
# A sanitized libstrata.so needs the sanitizer runtimes loaded before it; the
# consumers are ordinary programs, so preload them into the consumers only.
preload=""
if [[ ${3:-OFF} == ON ]]; then
  preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(dirname "$(find "$work/prefix" -name 'libstrata.so' | head -1)")

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c99 -o "$work/basic-pc" "$src/examples/c/basic.c" $(pkg-config --cflags --libs strata)
LD_PRELOAD="$preload" LD_LIBRARY_PATH="$libdir" "$work/basic-pc" "$work/db-pc" > "$work/out-pc.txt"
grep -q "apple = red" "$work/out-pc.txt"

# find_package
cmake -S "$src/tests/install" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DEXAMPLE_SOURCE="$src/examples/c/basic.c" >/dev/null
cmake --build "$work/consumer" >/dev/null
LD_PRELOAD="$preload" LD_LIBRARY_PATH="$libdir" "$work/consumer/consumer" "$work/db-cmake" > "$work/out-cmake.txt"
grep -q "apple = red" "$work/out-cmake.txt"
echo "installed strata works through pkg-config and find_package"
