//! Build script of strata-sys.
//!
//! 1. Finds libstrata and tells rustc to link it, looking in this order:
//!    - `STRATA_LIB_DIR`: a directory holding `libstrata.so` (an install's lib dir);
//!    - `STRATA_BUILD_DIR`: a CMake build directory of strata (the library sits at its top);
//!    - `pkg-config strata` (honours `PKG_CONFIG_PATH`; a build tree has a `.pc` file in
//!      `<build>/pkgconfig-uninstalled`).
//! 2. With the `bindgen` feature, runs bindgen over `strata/kv.h` into `$OUT_DIR/bindings.rs`;
//!    without it the crate uses the committed `src/bindings.rs` and needs no libclang.
//!
//! Dependent build scripts receive `DEP_STRATA_LIB_DIR` and `DEP_STRATA_INCLUDE` (from the
//! `links = "strata"` metadata).

use std::env;
use std::path::{Path, PathBuf};

const LIB_DIR_VAR: &str = "STRATA_LIB_DIR";
const BUILD_DIR_VAR: &str = "STRATA_BUILD_DIR";
const INCLUDE_DIR_VAR: &str = "STRATA_INCLUDE_DIR";

fn main() {
    for var in [LIB_DIR_VAR, BUILD_DIR_VAR, INCLUDE_DIR_VAR] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let found = find_library();
    if let Some(lib_dir) = &found.lib_dir {
        println!("cargo:rustc-link-search=native={}", lib_dir.display());
        println!("cargo:lib_dir={}", lib_dir.display());
    }
    if found.emit_link_lib {
        println!("cargo:rustc-link-lib=dylib=strata");
    }
    let include_dir = choose_include_dir(&found.include_dirs);
    if let Some(dir) = &include_dir {
        println!("cargo:include={}", dir.display());
    }

    #[cfg(feature = "bindgen")]
    generate::write_bindings(include_dir.as_deref());
}

/// Where the library was found. pkg-config prints its own link lines, so
/// `emit_link_lib` is false in that case.
struct FoundLibrary {
    lib_dir: Option<PathBuf>,
    include_dirs: Vec<PathBuf>,
    emit_link_lib: bool,
}

fn env_path(var: &str) -> Option<PathBuf> {
    env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn find_library() -> FoundLibrary {
    if let Some(dir) = env_path(LIB_DIR_VAR) {
        require_library_in(&dir, LIB_DIR_VAR);
        return FoundLibrary { lib_dir: Some(dir), include_dirs: Vec::new(), emit_link_lib: true };
    }
    if let Some(dir) = env_path(BUILD_DIR_VAR) {
        require_library_in(&dir, BUILD_DIR_VAR);
        return FoundLibrary { lib_dir: Some(dir), include_dirs: Vec::new(), emit_link_lib: true };
    }
    match pkg_config::Config::new().atleast_version("0.2").probe("strata") {
        Ok(lib) => FoundLibrary {
            lib_dir: lib.link_paths.first().cloned(),
            include_dirs: lib.include_paths,
            emit_link_lib: false,
        },
        Err(e) => panic!(
            "strata-sys: libstrata not found. Set {BUILD_DIR_VAR} to a CMake build directory of \
             strata, {LIB_DIR_VAR} to the directory holding libstrata.so, or PKG_CONFIG_PATH so \
             that `pkg-config strata` finds it.\npkg-config said: {e}"
        ),
    }
}

/// Fails the build with a clear message when `dir` holds no libstrata, instead
/// of leaving the linker to report a missing `-lstrata` later.
fn require_library_in(dir: &Path, var: &str) {
    let names = ["libstrata.so", "libstrata.dylib", "libstrata.a", "strata.lib"];
    if !names.iter().any(|n| dir.join(n).exists()) {
        panic!("strata-sys: {var}={} holds no libstrata (looked for {names:?})", dir.display());
    }
}

/// The directory that holds `strata/kv.h`: `STRATA_INCLUDE_DIR`, else what
/// pkg-config reported, else the header in this source tree.
fn choose_include_dir(from_pkg_config: &[PathBuf]) -> Option<PathBuf> {
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../capi/include");
    env_path(INCLUDE_DIR_VAR)
        .into_iter()
        .chain(from_pkg_config.iter().cloned())
        .chain(std::iter::once(in_tree))
        .find(|dir| dir.join("strata/kv.h").is_file())
}

#[cfg(feature = "bindgen")]
mod generate {
    use std::path::{Path, PathBuf};

    use bindgen::callbacks::{IntKind, ParseCallbacks};

    /// Gives each integer macro of kv.h the C type its users pass it as:
    /// statuses are `int`, write flags `unsigned`. (bindgen alone would make
    /// every non-negative macro a `u32`.)
    #[derive(Debug)]
    struct MacroTypes;

    impl ParseCallbacks for MacroTypes {
        fn int_macro(&self, name: &str, _value: i64) -> Option<IntKind> {
            if name.starts_with("KV_WRITE_") || name.starts_with("KV_VERSION_") {
                Some(IntKind::UInt)
            } else {
                Some(IntKind::Int)
            }
        }
    }

    pub fn write_bindings(include_dir: Option<&Path>) {
        let include_dir = include_dir.unwrap_or_else(|| {
            panic!("strata-sys: the bindgen feature needs strata/kv.h; set STRATA_INCLUDE_DIR")
        });
        let header = include_dir.join("strata/kv.h");
        println!("cargo:rerun-if-changed={}", header.display());
        let bindings = bindgen::Builder::default()
            .header(header.to_string_lossy())
            .allowlist_function("kv_.*")
            .allowlist_type("kv_.*")
            .allowlist_var("KV_.*")
            .parse_callbacks(Box::new(MacroTypes))
            .merge_extern_blocks(true)
            // prettyplease, a crate pinned by Cargo.lock, rather than whatever
            // rustfmt is installed, so the output is the same on every machine.
            .formatter(bindgen::Formatter::Prettyplease)
            .raw_line(
                "// Generated by bindgen from capi/include/strata/kv.h; do not edit.\n\
                 // Regenerate with bindings/rust/regenerate-bindings.sh.",
            )
            .generate()
            .unwrap_or_else(|e| panic!("strata-sys: bindgen failed on {}: {e}", header.display()));
        let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
        bindings.write_to_file(out.join("bindings.rs")).expect("strata-sys: cannot write bindings.rs");
    }
}
