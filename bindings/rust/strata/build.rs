//! Build script of strata-kv. Without the `bundled` feature, strata-kv-sys
//! links a shared libstrata and passes on the directory the program must
//! find it in as `DEP_STRATA_RPATH`; Cargo gives a build script's link
//! arguments to that package's own binaries only, so this script repeats the
//! rpath for strata-kv's tests, examples and doctests. (With `bundled` the
//! engine is linked statically and there is nothing to find.)

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(rpath) = std::env::var_os("DEP_STRATA_RPATH") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", rpath.to_string_lossy());
    }
}
