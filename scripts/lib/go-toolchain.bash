# Sourced by scripts/test-go.sh and scripts/test-replication.sh: finds a Go
# 1.23+ for the binding's tests and sets $go to it.
#
#   use_go_toolchain NAME   (NAME prefixes the messages)
#
# A missing go is installed from Debian's golang-go. A go older than 1.23
# gets the pinned toolchain below through the Go module proxy: Go 1.21+
# switches itself (GOTOOLCHAIN); an older one downloads the toolchain module,
# whose files come out of the module cache without execute bits, which the go
# command would otherwise restore itself. Exports GO=$go.

# The toolchain pinned when Debian's go is too old; any 1.23+ would do.
fallback_toolchain=go1.23.12

go_minor() { # the minor version of the go at $1 (go1.N...), or 0
  "$1" env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p' | grep . || echo 0
}

use_go_toolchain() {
  local name=$1
  go=${GO:-$(command -v go || true)}
  [[ -n $go ]] || { [[ -x /usr/local/go/bin/go ]] && go=/usr/local/go/bin/go; }
  if [[ -z $go ]]; then
    echo "$name: installing Debian's golang-go"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq golang-go >/dev/null
    go=$(command -v go)
  fi
  command -v cc >/dev/null || { echo "$name: cgo needs a C compiler (cc)" >&2; exit 1; }
  if (($(go_minor "$go") < 23)); then
    if (($(go_minor "$go") >= 21)); then
      export GOTOOLCHAIN=$fallback_toolchain
    else
      echo "$name: $("$go" version) is too old; fetching $fallback_toolchain"
      local arch mod scratch dir
      arch=$("$go" env GOARCH)
      mod=golang.org/toolchain@v0.0.1-$fallback_toolchain.linux-$arch
      scratch=$(mktemp -d)
      dir=$(cd "$scratch" && "$go" mod init fetch-toolchain >/dev/null 2>&1 &&
        GOFLAGS=-modcacherw "$go" mod download -json "$mod" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
      rm -rf "$scratch"
      [[ -n $dir ]] || { echo "$name: could not download $mod" >&2; exit 1; }
      chmod +x "$dir"/bin/* "$dir"/pkg/tool/*/*
      go=$dir/bin/go
    fi
  fi
  export GO=$go
}
