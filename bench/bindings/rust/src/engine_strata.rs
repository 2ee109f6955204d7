//! strata through its safe Rust binding (the `strata` crate over
//! libstrata.so), used as an application would.
//!
//! Mapping of the shared settings: `memtable_bytes`, `block_cache_bytes`,
//! `bloom_bits_per_key`, `block_bytes` and `background_threads` one to one;
//! `compression(None)`; `sync(false)`: each write is handed to the OS
//! (survives a process crash, not power loss), never fsynced.
//!
//! Reads: `Db::get` returns an owned `Vec<u8>` (the library's buffer copied,
//! then freed); scans use `Db::iter`, whose items own their key and value
//! (`Vec<u8>` each). The zero-copy paths (`get_value`, `Cursor`) are measured
//! separately in `strata_calls`.

use std::ops::Range;
use std::path::Path;

use strata::{Compression, Db, Options, WriteBatch};

use crate::engine::{Engine, IterScanner, Scanner, Settings};
use crate::workload::Workload;
use crate::BenchResult;

pub struct StrataEngine {
    db: Db,
    /// Reused between batches, as an application would.
    batch: WriteBatch,
}

impl StrataEngine {
    pub fn create(dir: &Path, s: &Settings) -> BenchResult<StrataEngine> {
        let options = Options::new()
            .error_if_exists(true)
            .sync(false)
            .memtable_bytes(s.memtable_bytes)
            .block_cache_bytes(s.cache_bytes)
            .bloom_bits_per_key(s.bloom_bits_per_key)
            .block_bytes(s.block_bytes)
            .compression(Compression::None)
            .background_threads(s.background_threads);
        Ok(StrataEngine { db: Db::open(dir, options)?, batch: WriteBatch::new() })
    }
}

/// The bytes of one `Iter` item, which owns its key and value.
fn visit(entry: strata::Result<(Vec<u8>, Vec<u8>)>) -> BenchResult<usize> {
    let (k, v) = entry?;
    Ok(k.len() + v.len())
}

impl Engine for StrataEngine {
    fn name(&self) -> &'static str {
        "strata"
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> BenchResult<()> {
        Ok(self.db.put(key, value)?)
    }

    fn put_batch(&mut self, workload: &Workload, items: Range<usize>) -> BenchResult<()> {
        self.batch.clear();
        for i in items {
            self.batch.put(workload.key(i), workload.value(i))?;
        }
        Ok(self.db.write(&self.batch)?)
    }

    fn settle(&mut self) -> BenchResult<()> {
        self.db.flush()?;
        Ok(self.db.wait_compactions()?)
    }

    fn get(&self, key: &[u8]) -> BenchResult<Option<usize>> {
        Ok(self.db.get(key)?.map(|v| v.len()))
    }

    fn scanner(&self, reverse: bool) -> BenchResult<Box<dyn Scanner + '_>> {
        Ok(if reverse {
            Box::new(IterScanner::new(self.db.iter().rev(), visit))
        } else {
            Box::new(IterScanner::new(self.db.iter(), visit))
        })
    }

    fn strata_db(&self) -> Option<&Db> {
        Some(&self.db)
    }

    fn close(self: Box<Self>) -> BenchResult<()> {
        let StrataEngine { db, batch } = *self;
        drop(batch);
        Ok(db.close()?)
    }
}
