//! redb (crates.io `redb` 4.x): a copy-on-write B-tree in one file, pure
//! Rust. A different design from the LSM trees; included as the B-tree
//! reference a Rust user would also weigh.
//!
//! Mapping of the shared settings: only the cache maps (`set_cache_size`).
//! redb has no memtable, no bloom filters, no compression and no background
//! threads; its pages are 4 KiB.
//!
//! The fill writes one run of 1,000 keys in five by single puts (each its
//! own transaction) and the rest in transactions of 1,000, timed apart as
//! "put" and "batch put" (see `Engine::single_put_one_run_in`): a million
//! single-put transactions would take most of the benchmark's time budget.
//!
//! Durability: each `put` is its own write transaction committed with
//! `Durability::None`, and each batch one such transaction. redb has no mode
//! that hands every commit to the OS without an fsync: a `None` commit is
//! not persisted at all until a later `Immediate` commit, which makes it a
//! weaker promise than strata's and fjall's (a process crash loses it).
//! `settle` makes one `Immediate` (fsynced) commit, as strata's `flush` is
//! durable too.
//!
//! Reads: one read transaction and table handle serve the whole read phase
//! (redb's usual pattern; a transaction per get would mostly measure the
//! transaction). `get` borrows the value from the page (`AccessGuard`), no
//! copy; scans borrow each key and value the same way.

use std::ops::Range;
use std::path::Path;

use redb::{Database, Durability, ReadOnlyTable, ReadableDatabase, ReadableTable, TableDefinition};

use crate::engine::{Engine, IterScanner, Scanner, Settings};
use crate::workload::Workload;
use crate::BenchResult;

/// One item of a redb table iterator: the key and value, borrowed from the page.
type RedbEntry<'a> =
    Result<(redb::AccessGuard<'a, &'static [u8]>, redb::AccessGuard<'a, &'static [u8]>), redb::StorageError>;

const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("bench");

pub struct RedbEngine {
    db: Database,
    /// The table as of `begin_reads`, used by every read after it.
    reader: Option<ReadOnlyTable<&'static [u8], &'static [u8]>>,
}

impl RedbEngine {
    pub fn create(dir: &Path, s: &Settings) -> BenchResult<RedbEngine> {
        std::fs::create_dir_all(dir)?;
        let db = Database::builder()
            .set_cache_size(usize::try_from(s.cache_bytes)?)
            .create(dir.join("bench.redb"))?;
        Ok(RedbEngine { db, reader: None })
    }

    fn commit(
        &mut self,
        durability: Durability,
        write: impl FnOnce(&mut redb::Table<&[u8], &[u8]>) -> BenchResult<()>,
    ) -> BenchResult<()> {
        self.reader = None;
        let mut txn = self.db.begin_write()?;
        txn.set_durability(durability)?;
        {
            let mut table = txn.open_table(TABLE)?;
            write(&mut table)?;
        }
        Ok(txn.commit()?)
    }
}

/// The bytes of one entry, borrowed from its page.
fn visit(entry: RedbEntry<'_>) -> BenchResult<usize> {
    let (k, v) = entry?;
    Ok(k.value().len() + v.value().len())
}

impl Engine for RedbEngine {
    fn name(&self) -> &'static str {
        "redb"
    }

    fn single_put_one_run_in(&self) -> usize {
        5
    }

    fn put(&mut self, key: &[u8], value: &[u8]) -> BenchResult<()> {
        self.commit(Durability::None, |table| {
            table.insert(key, value)?;
            Ok(())
        })
    }

    fn put_batch(&mut self, workload: &Workload, items: Range<usize>) -> BenchResult<()> {
        self.commit(Durability::None, |table| {
            for i in items {
                table.insert(workload.key(i), workload.value(i))?;
            }
            Ok(())
        })
    }

    fn settle(&mut self) -> BenchResult<()> {
        self.commit(Durability::Immediate, |_| Ok(()))
    }

    fn begin_reads(&mut self) -> BenchResult<()> {
        self.reader = Some(self.db.begin_read()?.open_table(TABLE)?);
        Ok(())
    }

    fn get(&self, key: &[u8]) -> BenchResult<Option<usize>> {
        let table = self.reader.as_ref().ok_or("redb: get before begin_reads")?;
        Ok(table.get(key)?.map(|v| v.value().len()))
    }

    fn scanner(&self, reverse: bool) -> BenchResult<Box<dyn Scanner + '_>> {
        let table = self.reader.as_ref().ok_or("redb: scan before begin_reads")?;
        Ok(if reverse {
            Box::new(IterScanner::new(table.iter()?.rev(), visit))
        } else {
            Box::new(IterScanner::new(table.iter()?, visit))
        })
    }

    fn close(self: Box<Self>) -> BenchResult<()> {
        let RedbEngine { db, reader } = *self;
        drop(reader);
        drop(db);
        Ok(())
    }
}
