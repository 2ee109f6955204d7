//! Without the `bundled` feature: links an installed libstrata (the shared
//! library), looking in this order:
//!
//! 1. `STRATA_LIB_DIR`: a directory holding `libstrata.so` (an install's lib dir);
//! 2. `STRATA_BUILD_DIR`: a CMake build directory of strata (the library sits at its top);
//! 3. `pkg-config strata` (honours `PKG_CONFIG_PATH`; a build tree has a `.pc`
//!    file in `<build>/pkgconfig-uninstalled`).
//!
//! The program must find the library again when it runs. For this crate's
//! own tests the script adds an rpath to the library's directory. Cargo
//! passes `rustc-link-arg` only to the targets of the package whose build
//! script printed it, never to dependents, so the directory is also handed
//! on as `DEP_STRATA_RPATH`: the safe crate's build script adds the same
//! rpath to its tests and examples, and any other crate can do the same from
//! its own build script (docs/RUST.md shows how). A library installed in the
//! loader's default path (e.g. Debian's packages) needs none of this.

use std::path::{Path, PathBuf};

use crate::env_path;

const LIB_DIR_VAR: &str = "STRATA_LIB_DIR";
const BUILD_DIR_VAR: &str = "STRATA_BUILD_DIR";

/// Links the library and returns the include directories it was found with.
pub fn find_and_link() -> Vec<PathBuf> {
    for var in [LIB_DIR_VAR, BUILD_DIR_VAR, "PKG_CONFIG_PATH"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let (lib_dirs, include_dirs) = if let Some(dir) = env_path(LIB_DIR_VAR).or_else(|| env_path(BUILD_DIR_VAR)) {
        require_library_in(&dir);
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=dylib=strata");
        (vec![dir], Vec::new())
    } else {
        // pkg-config prints the link lines itself (including the rpath the
        // build tree's .pc file carries, which reaches this crate's tests only).
        match pkg_config::Config::new().atleast_version("0.2").probe("strata") {
            Ok(lib) => (lib.link_paths, lib.include_paths),
            Err(e) => panic!(
                "strata-kv-sys: libstrata not found. Either keep the default `bundled` feature, which \
                 builds the engine from source, or install strata (cmake --install, or the Debian \
                 package libstrata-dev) so that `pkg-config strata` finds it, or point {BUILD_DIR_VAR} \
                 at a CMake build directory of strata or {LIB_DIR_VAR} at the directory holding \
                 libstrata.so.\npkg-config said: {e}"
            ),
        }
    };
    // pkg-config leaves out -L for the system's own directories, where the
    // loader looks anyway; every directory it names needs an rpath.
    if let Some(dir) = lib_dirs.first() {
        println!("cargo:lib_dir={}", dir.display());
    }
    let rpath: Vec<String> = lib_dirs.iter().map(|d| d.display().to_string()).collect();
    if !rpath.is_empty() {
        let joined = rpath.join(":");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{joined}");
        println!("cargo:rpath={joined}");
    }
    include_dirs
}

/// Fails the build with a clear message when `dir` holds no libstrata, instead
/// of leaving the linker to report a missing `-lstrata` later.
fn require_library_in(dir: &Path) {
    let names = ["libstrata.so", "libstrata.dylib"];
    if !names.iter().any(|n| dir.join(n).exists()) {
        panic!(
            "strata-kv-sys: {} holds no libstrata (looked for {names:?}; from {LIB_DIR_VAR} or {BUILD_DIR_VAR})",
            dir.display()
        );
    }
}
