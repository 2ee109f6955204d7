//! What the benchmark needs from an engine, and the settings each engine maps
//! to its own options.

use std::path::Path;

use crate::workload::Workload;
use crate::BenchResult;

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

/// One open database of one engine. Every method reports failure as an error
/// (the benchmark stops); reads return what they found so the caller can
/// check it and the optimiser cannot drop them.
pub trait Engine: Sized {
    /// The name in the results ("strata", "fjall", "redb").
    const NAME: &'static str;

    /// 1: the fill writes every key by a single put, and a second fill in a
    /// new directory measures batches. k > 1 (redb, whose single-put
    /// transactions take tens of microseconds): the fill writes one run of
    /// `batch` keys in k by single puts and the others as batches, each
    /// kind timed on its own, and there is no second fill. The timed puts
    /// and batches are then spread over the whole growth of the database,
    /// so they are not biased towards a small or a large one.
    const SINGLE_PUT_ONE_RUN_IN: usize = 1;

    /// Creates a new database in the empty directory `dir`. Durability is off
    /// (writes handed to the OS or less, never fsynced), compression off.
    fn create(dir: &Path, settings: &Settings) -> BenchResult<Self>;

    /// Writes one key, as its own write.
    fn put(&mut self, key: &[u8], value: &[u8]) -> BenchResult<()>;

    /// Writes `items` atomically in one batch (or transaction).
    fn put_batch(&mut self, workload: &Workload, items: std::ops::Range<usize>) -> BenchResult<()>;

    /// Brings the database to rest after a fill: memtables written out and
    /// background work finished, so reads see the same shape in every engine
    /// and no compaction competes with them.
    fn settle(&mut self) -> BenchResult<()>;

    /// Called after the timed `settle`: makes sure the database stays at
    /// rest (fjall can only be polled for that). Not timed.
    fn quiesce(&mut self) -> BenchResult<()> {
        Ok(())
    }

    /// Called once after `settle` and before the reads (redb opens its read
    /// transaction here).
    fn begin_reads(&mut self) -> BenchResult<()> {
        Ok(())
    }

    /// The length of the value of `key`, or `None` if absent. The value is
    /// handed to the caller the engine's usual way (each engine file says how).
    fn get(&self, key: &[u8]) -> BenchResult<Option<usize>>;

    /// Walks every entry forward (or backward) and returns (entries, key and
    /// value bytes seen).
    fn scan(&self, reverse: bool) -> BenchResult<(usize, usize)>;

    /// Closes the database.
    fn close(self) -> BenchResult<()>;
}
