//! Helpers shared by the integration tests: scratch directories on the real
//! filesystem, a small deterministic random generator, and the location of
//! the C fixture writer.
#![allow(dead_code)] // each test file uses a different subset

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the target's scratch area, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let dir = base.join(format!("{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cannot create a scratch directory");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the directory that does not exist yet.
    pub fn sub(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// SplitMix64: deterministic, so a failing seed can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// The C program that writes the cross-language fixture:
/// `STRATA_FIXTURE_WRITER`, else `tests/fixture/strata-fixture-writer` in
/// the CMake build directory `STRATA_BUILD_DIR`. (The first exists for test
/// runs that must not set `STRATA_BUILD_DIR`, which the build script reads
/// when `bundled` is off.) The test script sets one; without either the
/// test fails loudly rather than skip.
pub fn fixture_writer() -> PathBuf {
    if let Some(path) = std::env::var_os("STRATA_FIXTURE_WRITER") {
        return PathBuf::from(path);
    }
    let dir = std::env::var_os("STRATA_BUILD_DIR").expect(
        "STRATA_BUILD_DIR must name strata's CMake build directory, or STRATA_FIXTURE_WRITER the \
         fixture writer (scripts/test-rust.sh sets them)",
    );
    PathBuf::from(dir).join("tests/fixture/strata-fixture-writer")
}

/// Collects an iterator of entries, failing the test on an error item.
pub fn collect(iter: impl Iterator<Item = strata::Result<(Vec<u8>, Vec<u8>)>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    iter.collect::<strata::Result<Vec<_>>>().expect("iteration failed")
}

pub fn keys(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<Vec<u8>> {
    entries.iter().map(|(k, _)| k.clone()).collect()
}
