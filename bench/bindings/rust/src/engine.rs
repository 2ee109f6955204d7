//! What the benchmark needs from an engine, the settings each engine maps to
//! its own options, and opening an engine by name.
//!
//! The trait is object-safe: a round keeps every engine's database open at
//! once, so their reads can be interleaved block by block.

use std::ops::Range;
use std::path::Path;

use strata::Db;

use crate::workload::Workload;
use crate::BenchResult;

/// The engines, in the order of the tables' columns.
pub const ENGINES: [&str; 3] = ["strata", "fjall", "redb"];

/// Settings shared by every engine, as far as each has an equivalent
/// (each engine file says how it maps them).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Memtable (write buffer) size.
    pub memtable_bytes: u64,
    /// Block (page) cache size.
    pub cache_bytes: u64,
    /// Bloom filter bits per key.
    pub bloom_bits_per_key: u32,
    /// Data block size.
    pub block_bytes: u64,
    /// Background flush/compaction threads.
    pub background_threads: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            memtable_bytes: 64 << 20,
            cache_bytes: 64 << 20,
            bloom_bits_per_key: 10,
            block_bytes: 4096,
            background_threads: 2,
        }
    }
}

/// Creates a new database of engine `name` in the empty directory `dir`.
/// Durability is off (writes handed to the OS or less, never fsynced),
/// compression off.
pub fn create(name: &str, dir: &Path, settings: &Settings) -> BenchResult<Box<dyn Engine>> {
    Ok(match name {
        "strata" => Box::new(crate::engine_strata::StrataEngine::create(dir, settings)?),
        "fjall" => Box::new(crate::engine_fjall::FjallEngine::create(dir, settings)?),
        "redb" => Box::new(crate::engine_redb::RedbEngine::create(dir, settings)?),
        other => return Err(format!("unknown engine {other:?} (known: {ENGINES:?})").into()),
    })
}

/// One open database of one engine. Every method reports failure as an error
/// (the benchmark stops); reads return what they found so the caller can
/// check it and the optimiser cannot drop them.
pub trait Engine {
    /// The name in the results ("strata", "fjall", "redb").
    fn name(&self) -> &'static str;

    /// 1: the fill writes every key by a single put, and a second fill in a
    /// new directory measures batches. k > 1 (redb, whose single-put
    /// transactions take tens of microseconds): the fill writes one run of
    /// `batch` keys in k by single puts and the others as batches, each
    /// kind timed on its own, and there is no second fill. The timed puts
    /// and batches are then spread over the whole growth of the database,
    /// so they are not biased towards a small or a large one.
    fn single_put_one_run_in(&self) -> usize {
        1
    }

    /// Writes one key, as its own write.
    fn put(&mut self, key: &[u8], value: &[u8]) -> BenchResult<()>;

    /// Writes keys `items` of the workload atomically in one batch (or
    /// transaction).
    fn put_batch(&mut self, workload: &Workload, items: Range<usize>) -> BenchResult<()>;

    /// Brings the database to rest after a fill: memtables written out and
    /// background work finished, so reads see the same shape in every engine
    /// and no compaction competes with them.
    fn settle(&mut self) -> BenchResult<()>;

    /// Called after the timed `settle`: makes sure the database stays at
    /// rest (fjall can only be polled for that). Not timed.
    fn quiesce(&mut self) -> BenchResult<()> {
        Ok(())
    }

    /// Called once after `quiesce` and before the reads (redb opens its read
    /// transaction here).
    fn begin_reads(&mut self) -> BenchResult<()> {
        Ok(())
    }

    /// The length of the value of `key`, or `None` if absent. The value is
    /// handed to the caller the engine's usual way (each engine file says how).
    fn get(&self, key: &[u8]) -> BenchResult<Option<usize>>;

    /// A walk over every entry, forward or backward, taken a few entries at a
    /// time.
    fn scanner(&self, reverse: bool) -> BenchResult<Box<dyn Scanner + '_>>;

    /// strata's database, for the measurements only strata has.
    fn strata_db(&self) -> Option<&Db> {
        None
    }

    /// Closes the database.
    fn close(self: Box<Self>) -> BenchResult<()>;
}

/// A walk over a database's entries that can stop and resume.
pub trait Scanner {
    /// Moves over up to `n` more entries; returns how many it passed (fewer
    /// than `n` only at the end) and their key and value bytes.
    fn advance(&mut self, n: usize) -> BenchResult<(usize, usize)>;
}

/// A `Scanner` over any Rust iterator, with `visit` giving an item's key and
/// value bytes (or its error).
pub struct IterScanner<I, F> {
    iter: I,
    visit: F,
}

impl<I: Iterator, F: FnMut(I::Item) -> BenchResult<usize>> IterScanner<I, F> {
    pub fn new(iter: I, visit: F) -> IterScanner<I, F> {
        IterScanner { iter, visit }
    }
}

impl<I: Iterator, F: FnMut(I::Item) -> BenchResult<usize>> Scanner for IterScanner<I, F> {
    fn advance(&mut self, n: usize) -> BenchResult<(usize, usize)> {
        let (mut entries, mut bytes) = (0, 0);
        while entries < n {
            let Some(item) = self.iter.next() else { break };
            bytes += (self.visit)(item)?;
            entries += 1;
        }
        Ok((entries, bytes))
    }
}
