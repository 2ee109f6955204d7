#!/usr/bin/env bash
# scripts/new-user/rust.sh — the Rust binding as a new user meets it. In a
# temporary directory outside the clone, with no build tree, no STRATA_*
# variables and no LD_LIBRARY_PATH or PKG_CONFIG_PATH, it makes a new crate
# with `cargo new`, adds the safe crate with `cargo add --path
# <clone>/bindings/rust/strata` (default features: the engine is compiled
# from the clone's sources and linked statically), writes a main that writes,
# reads, scans, closes and reopens, and runs it with `cargo run`, then once
# more as a bare binary with an empty environment. Exits non-zero on any
# failure. Prints the time of the first build (the engine included).
#
# Needs cargo (rustup's toolchain) and what the bundled build compiles with;
# installs the Debian packages for the latter if missing (g++, cmake,
# pkg-config, liblz4-dev, libzstd-dev, libxxhash-dev). Crates come from
# crates.io (cmake, cc, pkg-config: build-time only).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"

[[ -d "$HOME/.cargo/bin" ]] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
  echo "new-user/rust: cargo not found; install a Rust toolchain with rustup" >&2
  exit 1
fi
missing=()
for p in g++ cmake pkg-config liblz4-dev libzstd-dev libxxhash-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "new-user/rust: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

# Nothing a developer's shell may carry over.
unset LD_LIBRARY_PATH PKG_CONFIG_PATH
while read -r var; do unset "$var"; done < <(compgen -e | grep '^STRATA_' || true)

work="$(mktemp -d "${TMPDIR:-/tmp}/strata-new-user-rust.XXXXXX")"
trap 'rm -rf "$work"' EXIT
case "$work/" in
  "$repo"/*) echo "new-user/rust: $work is inside the clone; set TMPDIR elsewhere" >&2; exit 1 ;;
esac
export CARGO_TARGET_DIR="$work/target"

cd "$work"
cargo new --quiet --vcs none hello-strata
cd hello-strata
cargo add --quiet --path "$repo/bindings/rust/strata"
cat > src/main.rs <<'RUST'
//! A first program with strata: writes, reads, scans, closes and reopens.
use strata::{Db, Options, WriteBatch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: hello-strata DIR")?;

    let db = Db::open(&dir, Options::new())?;
    db.put(b"user/00", b"ada")?;
    let mut batch = WriteBatch::new();
    batch.put(b"user/01", b"grace")?;
    batch.put(b"user/02", b"edsger")?;
    batch.delete(b"user/00")?;
    db.write(&batch)?;
    assert_eq!(db.get(b"user/01")?, Some(b"grace".to_vec()));
    assert_eq!(db.get(b"user/00")?, None);

    let users = db.prefix(b"user/").collect::<Result<Vec<_>, _>>()?;
    assert_eq!(users, [(b"user/01".to_vec(), b"grace".to_vec()), (b"user/02".to_vec(), b"edsger".to_vec())]);
    db.close()?;

    let db = Db::open(&dir, Options::new().create_if_missing(false))?;
    let first = db.range(b"a".as_slice()..b"user/02").collect::<Result<Vec<_>, _>>()?;
    assert_eq!(first, [(b"user/01".to_vec(), b"grace".to_vec())]);
    db.close()?;
    println!("hello-strata: ok (strata {})", strata::version());
    Ok(())
}
RUST

echo "new-user/rust: cargo run in $work (the first build compiles the engine)"
started=$SECONDS
cargo run --quiet -- "$work/db1"
echo "new-user/rust: first build and run: $((SECONDS - started)) s"

binary="$CARGO_TARGET_DIR/debug/hello-strata"
env -i "$binary" "$work/db2"
if readelf -d "$binary" | grep -E '\(NEEDED\)' | grep -E 'lib(strata|lz4|zstd|xxhash)\.'; then
  echo "new-user/rust: the program needs the shared libraries above; bundled must link them statically" >&2
  exit 1
fi
echo "new-user/rust: passed"
