//! The `bundled` feature: compiles the engine from its C++ sources with the
//! repository's own CMakeLists.txt (`STRATA_LIBRARY_ONLY=ON`, target
//! `strata_static`) and links it statically, so a program needs nothing
//! installed at run time but the C and C++ runtimes.
//!
//! What is linked, in the order the linker needs:
//! - `libstrata_static.a` (the C ABI) and `libstrata_core.a` (the engine),
//!   from the CMake build in `target/<profile>/strata-engine/` (see
//!   [`cmake_dir`]), which stays there between builds like the rest of
//!   `target/`;
//! - lz4, zstd and xxhash, the libraries CMakeLists.txt takes from
//!   pkg-config: statically when their `lib*.a` can be found (Debian's -dev
//!   packages ship them), else the shared library;
//! - libstdc++ (libc++ on Apple platforms), as a shared library like every
//!   other C++ crate links it, so that two of them in one program share one.
//!
//! The engine is built optimised (CMake's Release) whatever Cargo's profile:
//! a debug build of a storage engine makes every test and `cargo run` slow,
//! and nobody steps into it from a Rust program.

use std::env;
use std::path::{Path, PathBuf};

/// The pkg-config modules CMakeLists.txt links the engine with. Keep this
/// list in step with its `pkg_check_modules` lines.
const COMPRESSION_MODULES: [&str; 3] = ["liblz4", "libzstd", "libxxhash"];

/// Builds the engine, prints the link lines, and returns the include
/// directory of kv.h in the sources it built from.
pub fn build_and_link() -> Vec<PathBuf> {
    let sources = crate::source_tree().unwrap_or_else(|| {
        panic!(
            "strata-kv-sys: the `bundled` feature needs the engine's sources, and there are none: \
             neither a strata checkout around this crate (../../..) nor a copy in strata-src/. A \
             crate for crates.io must be made with bindings/rust/package-crates.sh, which copies \
             them in. Or turn `bundled` off (default-features = false) to link an installed libstrata."
        )
    });
    // Cargo scans a directory given to rerun-if-changed for any changed file.
    for part in ["CMakeLists.txt", "cmake", "core", "capi"] {
        println!("cargo:rerun-if-changed={}", sources.join(part).display());
    }
    for var in ["PKG_CONFIG_PATH", "CMAKE_GENERATOR", "CMAKE_BUILD_PARALLEL_LEVEL"] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    // Checked before CMake runs, so a missing package gets a message that
    // says what to install rather than CMake's pkg-config error.
    let compression: Vec<pkg_config::Library> = COMPRESSION_MODULES
        .iter()
        .map(|module| {
            pkg_config::Config::new().cargo_metadata(false).probe(module).unwrap_or_else(|e| {
                panic!(
                    "strata-kv-sys: building the engine (the `bundled` feature) needs the development \
                     files of lz4, zstd and xxhash, found through pkg-config; on Debian or Ubuntu: \
                     `apt-get install pkg-config liblz4-dev libzstd-dev libxxhash-dev`.\n\
                     pkg-config said about {module}: {e}"
                )
            })
        })
        .collect();

    // The engine's own flags, not the cc crate's defaults (-ffunction-sections,
    // -march, ...): it is then compiled exactly as `cmake --install` and
    // the other packages compile it, and a compiler cache shared with those
    // builds serves it (CMakeLists.txt sets position-independent code). The
    // cmake crate adds `-w` even without default flags unless CMAKE_C_FLAGS
    // and CMAKE_CXX_FLAGS are given, so they are: the user's CFLAGS and
    // CXXFLAGS, as CMake itself would take them.
    let env_flags = |name: &str| {
        println!("cargo:rerun-if-env-changed={name}");
        env::var(name).unwrap_or_default()
    };
    let out = cmake::Config::new(&sources)
        .no_default_flags(true)
        .define("CMAKE_C_FLAGS", env_flags("CFLAGS"))
        .define("CMAKE_CXX_FLAGS", env_flags("CXXFLAGS"))
        .define("STRATA_LIBRARY_ONLY", "ON")
        .profile("Release")
        .build_target("strata_static")
        .out_dir(cmake_dir(&sources))
        .build();
    let build_dir = out.join("build");
    for archive in ["libstrata_static.a", "libstrata_core.a"] {
        if !build_dir.join(archive).is_file() {
            panic!("strata-kv-sys: CMake finished but {} is missing", build_dir.join(archive).display());
        }
    }
    println!("cargo:rustc-link-search=native={}", build_dir.display());
    println!("cargo:rustc-link-lib=static=strata_static");
    println!("cargo:rustc-link-lib=static=strata_core");

    for (module, lib) in COMPRESSION_MODULES.iter().zip(&compression) {
        link_dependency(module, lib);
    }

    let cxx_runtime = if env::var("CARGO_CFG_TARGET_VENDOR").as_deref() == Ok("apple") { "c++" } else { "stdc++" };
    println!("cargo:rustc-link-lib=dylib={cxx_runtime}");

    vec![sources.join("capi/include")]
}

/// Where CMake builds the engine. Cargo gives each feature set, and each
/// tool (clippy wraps rustc, which changes the hash), its own `OUT_DIR`, so a
/// build there would compile the engine again for `cargo clippy`, for
/// `--features bindgen`, for a `cargo package` check... The engine does not
/// depend on any of those, so the build goes one level up instead:
/// `<target-dir>/<profile>/strata-engine/<target>-<sources hash>`, shared by
/// every build of this crate for one target and profile in that target
/// directory. Cargo's lock on the target directory keeps two builds out of it
/// at once; the sources' path is in the name because a CMake build
/// directory belongs to one source tree. Should `OUT_DIR` ever not have the
/// layout this expects, the build stays in `OUT_DIR`.
fn cmake_dir(sources: &Path) -> PathBuf {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <target-dir>/<profile>/build/<package>-<hash>/out.
    let build = out_dir.ancestors().nth(2);
    let profile_dir = match (build, out_dir.ancestors().nth(3)) {
        (Some(build), Some(profile_dir)) if build.file_name() == Some("build".as_ref()) => profile_dir,
        _ => return out_dir,
    };
    let mut hasher = DefaultHasher::new();
    sources.hash(&mut hasher);
    let target = env::var("TARGET").expect("cargo sets TARGET");
    profile_dir.join("strata-engine").join(format!("{target}-{:016x}", hasher.finish()))
}

/// Links one of the engine's dependencies, statically when its archive can
/// be found.
fn link_dependency(module: &str, lib: &pkg_config::Library) {
    // pkg-config leaves the system's own library directory out of its -L
    // flags; the module's `libdir` variable usually names it.
    let mut dirs: Vec<PathBuf> = lib.link_paths.clone();
    if let Ok(libdir) = pkg_config::get_variable(module, "libdir") {
        if !libdir.is_empty() {
            dirs.push(PathBuf::from(libdir));
        }
    }
    for name in &lib.libs {
        match find_archive(name, &dirs).or_else(|| ask_compiler_for_archive(name)) {
            Some(dir) => {
                println!("cargo:rustc-link-search=native={}", dir.display());
                println!("cargo:rustc-link-lib=static={name}");
            }
            None => {
                for dir in &lib.link_paths {
                    println!("cargo:rustc-link-search=native={}", dir.display());
                }
                println!("cargo:rustc-link-lib=dylib={name}");
            }
        }
    }
}

fn find_archive(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter().find(|dir| Path::new(dir).join(format!("lib{name}.a")).is_file()).cloned()
}

/// The directory of `lib<name>.a` in the C compiler's own library search
/// path, for a `.pc` file whose `libdir` is wrong (Debian's libzstd.pc says
/// /usr/lib while the library is in /usr/lib/x86_64-linux-gnu).
/// `-print-file-name` prints the full path when it finds the file and the
/// bare name when it does not.
fn ask_compiler_for_archive(name: &str) -> Option<PathBuf> {
    let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
    let file = format!("lib{name}.a");
    let output = compiler.to_command().arg(format!("-print-file-name={file}")).output().ok()?;
    let printed = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    if output.status.success() && printed.is_absolute() && printed.is_file() {
        printed.parent().map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
    } else {
        None
    }
}
