#!/usr/bin/env bash
# bench/bindings/go.sh — runs the Go binding's benchmarks beside Pebble
# (bench/bindings/go, a module of its own) and renders
# docs/bench/bindings-go.md from the results.
#
#   bash bench/bindings/go.sh                 -count 8, -benchtime 0.3s, 1,000,000
#                                             keys: about 6 minutes on 2 busy cores
#   GOBENCH_COUNT=3 GOBENCH_BENCHTIME=0.2s bash bench/bindings/go.sh   a quick look
#
# Environment:
#   STRATA_BUILD_DIR     strata build tree to link (default build/gobench); when
#                        it has no libstrata.so, strata is configured and built
#                        there (-j2, only the library)
#   GOBENCH_COUNT        go test -count: runs per benchmark (default 8)
#   GOBENCH_BENCHTIME    go test -benchtime per run (default 0.3s)
#   GOBENCH_FILTER       go test -bench regexp (default ".": all)
#   STRATA_GOBENCH_KEYS  preloaded keys (default 1000000)
#   STRATA_GOBENCH_DIR   where the databases go (default a temporary directory)
#   GOBENCH_OUT          where the page goes (default docs/bench/bindings-go.md)
#
# Everything heavy runs under nice -n 10: the machine is shared. The raw
# go test output and benchstat's summary are kept in $STRATA_BUILD_DIR/gobench-results/.
# Needs Go 1.21 or newer (the module asks for 1.23, which go then fetches
# through the Go module proxy); installs Debian's golang-go when go is
# missing, and fetches go1.23 as a module when Debian's is older than 1.21.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
build_dir=${STRATA_BUILD_DIR:-$repo/build/gobench}
count=${GOBENCH_COUNT:-8}
benchtime=${GOBENCH_BENCHTIME:-0.3s}
filter=${GOBENCH_FILTER:-.}
page=${GOBENCH_OUT:-$repo/docs/bench/bindings-go.md}

if [[ ! -f $build_dir/libstrata.so || ! -f $build_dir/pkgconfig-uninstalled/strata.pc ]]; then
  echo "go.sh: building strata in $build_dir"
  bash scripts/setup-deps.sh
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-$(command -v ccache || true)}
  export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-$(command -v ccache || true)}
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  nice -n 10 cmake --build "$build_dir" --target strata -j2
fi
build_dir=$(cd "$build_dir" && pwd)

# A go of at least 1.21, which switches to the module's go 1.23 by itself.
fallback_toolchain=go1.23.12
go_minor() { "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p' | grep . || echo 0; }
go=$(command -v go || true)
[[ -n $go ]] || { [[ -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go; }
if [[ -z $go ]]; then
  echo "go.sh: installing Debian's golang-go"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq golang-go >/dev/null
  go=$(command -v go)
fi
command -v cc >/dev/null || { echo "go.sh: cgo needs a C compiler (cc)" >&2; exit 1; }
if (($(go_minor "$go") < 21)); then
  # Too old to switch toolchains; fetch one as a module (its files come out
  # of the module cache without execute bits).
  echo "go.sh: $("$go" version) is too old; fetching $fallback_toolchain"
  mod=golang.org/toolchain@v0.0.1-$fallback_toolchain.linux-$("$go" env GOARCH)
  scratch=$(mktemp -d)
  dir=$(cd "$scratch" && "$go" mod init fetch-toolchain >/dev/null 2>&1 &&
    GOFLAGS=-modcacherw "$go" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rm -rf "$scratch"
  [[ -n $dir ]] || { echo "go.sh: could not download $mod" >&2; exit 1; }
  chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
  go=$dir/bin/go
fi

export PKG_CONFIG_PATH=$build_dir/pkgconfig-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export CGO_ENABLED=1
# Go's build cache does not notice a changed C library (docs/GO.md): a define
# naming this exact library and header makes the cgo packages rebuild when
# they change.
strata_id=$(cat "$build_dir/libstrata.so" "$repo/capi/include/strata/kv.h" \
  "$build_dir/pkgconfig-uninstalled/strata.pc" | sha256sum | cut -c1-16)
export CGO_CPPFLAGS="${CGO_CPPFLAGS:-} -DSTRATA_BUILD_ID=$strata_id"

results=$build_dir/gobench-results
mkdir -p "$results"
cd "$repo/bench/bindings/go"
echo "go.sh: $("$go" version); vetting and testing the harness"
nice -n 10 "$go" vet ./...
nice -n 10 "$go" test -count=1 ./...
nice -n 10 "$go" test -c -o "$results/stratabench.test" .
nice -n 10 "$go" build -o "$results/benchstat" golang.org/x/perf/cmd/benchstat

echo "go.sh: benchmarking (-count $count, -benchtime $benchtime, -bench '$filter')"
{
  # Configuration lines the test binary cannot know, in benchfmt's format.
  echo "go: $("$go" env GOVERSION)"
  echo "pebble: $("$go" list -m -f '{{.Version}}' github.com/cockroachdb/pebble/v2)"
  echo "count: $count"
  echo "benchtime: $benchtime"
  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "# cores: $(nproc)"
  echo "# loadavg-before: $(cut -d' ' -f1-3 /proc/loadavg)"
  nice -n 10 "$results/stratabench.test" -test.run '^$' -test.bench "$filter" -test.benchmem \
    -test.count "$count" -test.benchtime "$benchtime"
  echo "# loadavg-after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/raw.txt"

"$results/benchstat" -col /engine "$results/raw.txt" >"$results/benchstat.txt"
"$go" run ./render -raw "$results/raw.txt" -benchstat "$results/benchstat.txt" -o "$page"
echo "go.sh: wrote $page (raw results in $results)"
