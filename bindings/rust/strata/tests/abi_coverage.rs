//! The safe crate keeps step with the C ABI: every function kv.h exports is
//! called somewhere in strata/src (error.rs's unit tests check that every
//! error code has its ErrorKind). Fails when kv.h grows and the crate does
//! not.

use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_header_function_is_called_by_the_crate() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../../../capi/include/strata/kv.h");
    if !header_path.exists() {
        // A packaged crate (cargo package) carries no kv.h to compare with;
        // the strata-kv-sys bindings test covers the header there.
        eprintln!("skipped: {} not found", header_path.display());
        return;
    }
    let header = read(&header_path);
    let exported: Vec<&str> = header
        .lines()
        .filter(|l| l.starts_with("KV_EXPORT"))
        .filter_map(|l| l.split('(').next()?.split_whitespace().last())
        .map(|name| name.trim_start_matches('*'))
        .collect();
    assert!(exported.len() >= 45, "found only {} functions in kv.h", exported.len());
    let mut source = String::new();
    for entry in std::fs::read_dir(crate_dir.join("src")).unwrap() {
        source += &read(&entry.unwrap().path());
    }
    let unused: Vec<&str> =
        exported.iter().copied().filter(|name| !source.contains(&format!("sys::{name}("))).collect();
    assert!(unused.is_empty(), "kv.h functions the crate never calls: {unused:?}");
}
