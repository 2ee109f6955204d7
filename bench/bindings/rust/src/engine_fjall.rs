//! fjall (crates.io `fjall` 3.x): an LSM tree in pure Rust, the closest peer.
//! One `Database` with one keyspace.
//!
//! Mapping of the shared settings:
//! - memtable: the keyspace's `max_memtable_size` (its default is also 64 MiB);
//! - block cache: `Database::builder(..).cache_size` (fjall's one cache holds
//!   data, index and filter blocks; strata's block cache holds data blocks);
//! - bloom filters: `filter_policy` = a bloom filter of `bloom_bits_per_key`
//!   bits per key in every level (fjall's default is 10 bits per key, with a
//!   0.01% false-positive target in L0); `expect_point_read_hits` stays false
//!   so the last level keeps its filters, as strata's does;
//! - block size: `data_block_size_policy`;
//! - compression: none for data and index blocks (the crate is built without
//!   its `lz4` feature, and the policies say `None` explicitly);
//! - background threads: `worker_threads`;
//! - durability: `manual_journal_persist(false)`, fjall's default, under
//!   which every write (and batch) flushes its journal entry to the OS
//!   (`PersistMode::Buffer`) and never fsyncs: the same promise as strata's
//!   `sync=false`.
//!
//! Reads: `Keyspace::get` returns an owned `Slice` (fjall's reference-counted
//! bytes); scans call `Guard::into_inner`, giving an owned key and value
//! `Slice` per entry.

use std::ops::Range;
use std::path::Path;
use std::thread;
use std::time::Duration;

use fjall::config::{
    BlockSizePolicy, BloomConstructionPolicy, CompressionPolicy, FilterPolicy, FilterPolicyEntry,
};
use fjall::{CompressionType, Database, Keyspace, KeyspaceCreateOptions};

use crate::engine::{Engine, IterScanner, Scanner, Settings};
use crate::workload::Workload;
use crate::BenchResult;

pub struct FjallEngine {
    db: Database,
    keyspace: Keyspace,
}

impl FjallEngine {
    pub fn create(dir: &Path, s: &Settings) -> BenchResult<FjallEngine> {
        let db = Database::builder(dir)
            .cache_size(s.cache_bytes)
            .worker_threads(s.background_threads as usize)
            .manual_journal_persist(false)
            .open()?;
        let bloom =
            FilterPolicyEntry::Bloom(BloomConstructionPolicy::BitsPerKey(s.bloom_bits_per_key as f32));
        let block_bytes = u32::try_from(s.block_bytes)?;
        let keyspace = db.keyspace("bench", || {
            KeyspaceCreateOptions::default()
                .max_memtable_size(s.memtable_bytes)
                .filter_policy(FilterPolicy::all(bloom))
                .expect_point_read_hits(false)
                .data_block_size_policy(BlockSizePolicy::all(block_bytes))
                .data_block_compression_policy(CompressionPolicy::all(CompressionType::None))
                .index_block_compression_policy(CompressionPolicy::all(CompressionType::None))
        })?;
        Ok(FjallEngine { db, keyspace })
    }

    /// Whether a flush or compaction is queued or running.
    fn busy(&self) -> bool {
        self.db.outstanding_flushes() > 0
            || self.db.active_compactions() > 0
            || self.keyspace.sealed_memtable_count() > 0
    }
}

/// The bytes of one entry, taken out of fjall's guard as owned `Slice`s.
fn visit(guard: fjall::Guard) -> BenchResult<usize> {
    let (k, v) = guard.into_inner()?;
    Ok(k.len() + v.len())
}

impl Engine for FjallEngine {
    fn name(&self) -> &'static str {
        "fjall"
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> BenchResult<()> {
        Ok(self.keyspace.insert(key, value)?)
    }

    fn put_batch(&mut self, workload: &Workload, items: Range<usize>) -> BenchResult<()> {
        // `Database::batch` follows the journal setting: flushed to the OS.
        let mut batch = self.db.batch();
        for i in items {
            batch.insert(&self.keyspace, workload.key(i), workload.value(i));
        }
        Ok(batch.commit()?)
    }

    fn settle(&mut self) -> BenchResult<()> {
        // Writes the active memtable out and waits for the flush queue (a
        // hidden, test-oriented call of fjall's; the only way to force a
        // flush). fjall has no "wait for compactions": poll its counters
        // every millisecond until they first read idle.
        self.keyspace.rotate_memtable_and_wait()?;
        while self.busy() {
            thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    fn quiesce(&mut self) -> BenchResult<()> {
        // A compaction may start right after the counters read idle; wait
        // until they have read idle for 100 ms in a row.
        let mut quiet_polls = 0;
        while quiet_polls < 10 {
            thread::sleep(Duration::from_millis(10));
            quiet_polls = if self.busy() { 0 } else { quiet_polls + 1 };
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> BenchResult<Option<usize>> {
        Ok(self.keyspace.get(key)?.map(|v| v.len()))
    }

    fn scanner(&self, reverse: bool) -> BenchResult<Box<dyn Scanner + '_>> {
        Ok(if reverse {
            Box::new(IterScanner::new(self.keyspace.iter().rev(), visit))
        } else {
            Box::new(IterScanner::new(self.keyspace.iter(), visit))
        })
    }

    fn close(self: Box<Self>) -> BenchResult<()> {
        // Dropping the last handle stops fjall's workers (and fsyncs the journal).
        let FjallEngine { db, keyspace } = *self;
        drop(keyspace);
        drop(db);
        Ok(())
    }
}
