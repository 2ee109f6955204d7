//! Build script of strata-kv-sys: links the engine into the crate, and with
//! the `bindgen` feature regenerates the raw declarations from kv.h.
//!
//! - With the `bundled` feature (the default), `bundled.rs` compiles the
//!   engine from its C++ sources with CMake and links it statically.
//! - Without it, `system.rs` links an installed libstrata found through
//!   pkg-config (or `STRATA_LIB_DIR` / `STRATA_BUILD_DIR`) and gives this
//!   crate's own test binaries an rpath to it.
//! - With `bindgen`, `generate.rs` runs bindgen over `strata/kv.h` into
//!   `$OUT_DIR/bindings.rs`; without it the crate uses the committed
//!   `src/bindings.rs` and needs no libclang.
//!
//! Dependent build scripts receive (from the `links = "strata"` metadata)
//! `DEP_STRATA_INCLUDE`, the directory holding `strata/kv.h`; without
//! `bundled` also `DEP_STRATA_LIB_DIR` and `DEP_STRATA_RPATH`, the directory
//! a program must find `libstrata.so` in at run time.

use std::env;
use std::path::{Path, PathBuf};

#[cfg(feature = "bundled")]
mod bundled;
#[cfg(feature = "bindgen")]
mod generate;
#[cfg(not(feature = "bundled"))]
mod system;

const INCLUDE_DIR_VAR: &str = "STRATA_INCLUDE_DIR";

fn main() {
    println!("cargo:rerun-if-changed=build");
    println!("cargo:rerun-if-env-changed={INCLUDE_DIR_VAR}");
    println!("cargo:rerun-if-env-changed=DOCS_RS");

    // docs.rs documents the crate without linking anything, on a machine
    // without the compression libraries' development files: nothing to build.
    if env::var_os("DOCS_RS").is_some() {
        return;
    }

    #[cfg(feature = "bundled")]
    let found_include_dirs = bundled::build_and_link();
    #[cfg(not(feature = "bundled"))]
    let found_include_dirs = system::find_and_link();

    let include_dir = choose_include_dir(&found_include_dirs);
    if let Some(dir) = &include_dir {
        println!("cargo:include={}", dir.display());
    }

    #[cfg(feature = "bindgen")]
    generate::write_bindings(include_dir.as_deref());
}

/// The engine's source tree: the repository around this crate when it is
/// built from a checkout (a path dependency or the workspace), else the copy
/// `bindings/rust/package-crates.sh` puts in `strata-src/` for a crate
/// packaged for crates.io. The checkout comes first so that a copy left
/// behind by an interrupted packaging run can never be built by mistake.
fn source_tree() -> Option<PathBuf> {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let checkout = manifest_dir.join("../../..");
    // Only the checkout this very crate sits in: a crate unpacked elsewhere
    // (the registry, a vendor directory) must not pick up whatever happens
    // to lie three levels up.
    let in_checkout = checkout.join("bindings/rust/strata-sys").canonicalize().ok() == manifest_dir.canonicalize().ok();
    let vendored = manifest_dir.join("strata-src");
    [in_checkout.then_some(checkout), Some(vendored)]
        .into_iter()
        .flatten()
        .find(|dir| is_source_tree(dir))
        .map(|dir| dir.canonicalize().unwrap_or(dir))
}

fn is_source_tree(dir: &Path) -> bool {
    ["CMakeLists.txt", "capi/include/strata/kv.h", "core", "cmake"].iter().all(|part| dir.join(part).exists())
}

fn env_path(var: &str) -> Option<PathBuf> {
    env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The directory that holds `strata/kv.h`: `STRATA_INCLUDE_DIR`, else what
/// the library was found with, else the header in the source tree.
fn choose_include_dir(found: &[PathBuf]) -> Option<PathBuf> {
    let in_tree = source_tree().map(|dir| dir.join("capi/include"));
    env_path(INCLUDE_DIR_VAR)
        .into_iter()
        .chain(found.iter().cloned())
        .chain(in_tree)
        .find(|dir| dir.join("strata/kv.h").is_file())
}
