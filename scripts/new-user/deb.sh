#!/usr/bin/env bash
# New-user test, Debian packages: makes them (scripts/make-debs.sh), installs
# libstrata0, libstrata-dev and strata-tools on this machine with
# `apt-get install ./x.deb`, then, in a scratch directory outside the clone
# and with no environment variables: compiles and runs a C program with
# `pkg-config --cflags --libs strata`, runs a new Go module's program with
# `go run`, and checks `strata --version`. Packages that were not installed
# before are purged at the end, so the machine is left as it was. Exits
# non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
find_go
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
packages=(libstrata0 libstrata-dev strata-tools)
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
new_packages=()
for p in "${packages[@]}"; do is_installed "$p" || new_packages+=("$p"); done

make_scratch deb
remove_new_packages() {
  cd /
  rm -rf "$scratch"
  if ((${#new_packages[@]})); then
    echo "new-user deb: purging ${new_packages[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq "${new_packages[@]}" >/dev/null || true
  fi
}
trap remove_new_packages EXIT

bash "$repo/scripts/make-debs.sh"
debs=("$repo"/build/deb/packages/*.deb)
((${#debs[@]} == 3)) || { echo "new-user deb: expected 3 packages, got ${debs[*]}" >&2; exit 1; }
echo "new-user deb: apt-get install ${debs[*]##*/}"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${debs[@]}" >/dev/null
for p in "${packages[@]}"; do is_installed "$p" || { echo "new-user deb: $p not installed" >&2; exit 1; }; done

clean_environment
cd "$scratch"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libdir=$(pkg-config --variable=libdir strata)
if [[ $libdir != /usr/lib/$multiarch ]]; then
  echo "new-user deb: pkg-config finds strata in $libdir, not the package's /usr/lib/$multiarch" \
    "(another strata installed under /usr/local shadows it; remove that one first)" >&2
  exit 1
fi

write_c_program "$scratch"
# shellcheck disable=SC2046  # pkg-config's output is meant to split into words
cc -Wall -Werror -o app main.c $(pkg-config --cflags --libs strata)
./app "$scratch/db-c"
resolved=$(ldd ./app | awk '/libstrata\.so/ {print $3}')
[[ $(readlink -f "$resolved") == /usr/lib/$multiarch/libstrata.so.0.* ]] ||
  { echo "new-user deb: the program loads libstrata from $resolved" >&2; exit 1; }

# Static linking from libstrata-dev's archive: no libstrata.so needed.
# shellcheck disable=SC2046
cc -o app-static main.c $(pkg-config --cflags --libs strata-static)
! readelf -d app-static | grep -q 'libstrata\.so' ||
  { echo "new-user deb: app-static still needs libstrata.so" >&2; exit 1; }
./app-static "$scratch/db-c-static"

mkdir go-app
write_go_program "$scratch/go-app"
(cd go-app && "$go" run . "$scratch")

version=$(strata --version)
expected="strata $(sed -n 's/^#define KV_VERSION_STRING "\(.*\)"$/\1/p' "$repo/capi/include/strata/kv.h")"
[[ $version == "$expected" ]] || { echo "new-user deb: strata --version says '$version', want '$expected'" >&2; exit 1; }
STRATA_DB="$scratch/db-tool" strata put greeting hello >/dev/null
[[ $(STRATA_DB="$scratch/db-tool" strata get greeting) == hello ]]
echo "new-user deb: $version; ok (C with pkg-config, static C, Go, the tool)"
