//! `Db`: an open database, the owner of a `kv_db` handle.

use std::ffi::CString;
use std::fmt;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::bounds::{CRange, KeyRange};
use crate::conversions::{bytes_arg, optional_bytes_arg, path_to_cstring, str_to_cstring, take_c_string};
use crate::cursor::Cursor;
use crate::error::{check_done, Error, Result};
use crate::iter::Iter;
use crate::multi_values::MultiValues;
use crate::options::Options;
use crate::read;
use crate::snapshot::Snapshot;
use crate::transaction::Transaction;
use crate::value::Value;
use crate::write_batch::WriteBatch;
use crate::write_options::WriteOptions;

/// An open database: a directory of logs and tables, held exclusively by this
/// handle until it is dropped (or [`close`](Db::close)d).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-db-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// use strata::{Db, Options};
///
/// let db = Db::open(&dir, Options::new().memtable_bytes(4 << 20))?;
/// db.put(b"apple", b"red")?;
/// db.put(b"empty", b"")?; // an empty value is a value
/// assert_eq!(db.get(b"apple")?, Some(b"red".to_vec()));
/// assert_eq!(db.get(b"empty")?, Some(Vec::new()));
/// assert_eq!(db.get(b"pear")?, None);
/// db.delete(b"apple")?;
/// assert_eq!(db.get(b"apple")?, None);
/// db.close()?; // or just drop it
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: `Db` is `Send + Sync`, as the C ABI makes a `kv_db` safe to
/// use from many threads at once; share it with `Arc<Db>` or scoped threads.
/// Writers are committed in groups; readers do not block writers.
///
/// Lifetimes: iterators, cursors and snapshots borrow the `Db`, so it cannot
/// be closed while they live.
pub struct Db {
    raw: NonNull<sys::kv_db>,
    path: PathBuf,
}

// SAFETY: kv.h convention 6: "a kv_db may be used from many threads at once".
// kv_close needs `self` by value (or Drop), so no call can race with it.
unsafe impl Send for Db {}
// SAFETY: as above; every method but close takes `&self`.
unsafe impl Sync for Db {}

impl Db {
    /// Opens the database in directory `path`, creating it if the options
    /// allow (they do by default). Another open handle on the same directory,
    /// in this process or another, makes this fail with
    /// [`ErrorKind::Busy`](crate::ErrorKind::Busy).
    pub fn open<P: AsRef<Path>>(path: P, options: Options) -> Result<Db> {
        let path = path.as_ref();
        let c_path = path_to_cstring(path, "Db::open")?;
        let c_options = options.to_c()?;
        let mut raw = ptr::null_mut();
        // SAFETY: the path and options are valid for the call; kv_open copies
        // both. The output points at a local.
        check_done(unsafe { sys::kv_open(c_path.as_ptr(), c_options.as_ptr(), &mut raw) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::no_memory("kv_open"))?;
        Ok(Db { raw, path: path.to_path_buf() })
    }

    /// The directory this database was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the database and reports whether that went well. Dropping a
    /// `Db` closes it too, ignoring the result.
    pub fn close(self) -> Result<()> {
        let mut this = ManuallyDrop::new(self);
        drop(std::mem::take(&mut this.path));
        // SAFETY: we own the handle; ManuallyDrop keeps Drop from closing it again.
        check_done(unsafe { sys::kv_close(this.raw.as_ptr()) })
    }

    pub(crate) fn as_ptr(&self) -> *mut sys::kv_db {
        self.raw.as_ptr()
    }

    /// Sets `key` to `value`.
    pub fn put<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, key: K, value: V) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let (v, v_len) = bytes_arg(value.as_ref());
        // SAFETY: the handle is open and the slices are valid for the call.
        check_done(unsafe { sys::kv_put(self.as_ptr(), k, k_len, v, v_len) })
    }

    /// Sets `key` to `value` with per-call settings (e.g. `sync`).
    pub fn put_opt<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        key: K,
        value: V,
        options: WriteOptions,
    ) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let (v, v_len) = bytes_arg(value.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_put_ex(self.as_ptr(), k, k_len, v, v_len, options.flags()) })
    }

    /// The value of `key`, or `None` if it is absent.
    pub fn get<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Vec<u8>>> {
        read::get_vec(self, None, key.as_ref())
    }

    /// Like [`get`](Db::get), but hands over the library's buffer instead of
    /// copying it into a `Vec`.
    pub fn get_value<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Value>> {
        read::get(self, None, key.as_ref())
    }

    /// Removes `key`. Removing an absent key is not an error.
    pub fn delete<K: AsRef<[u8]>>(&self, key: K) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_delete(self.as_ptr(), k, k_len) })
    }

    /// Removes `key` with per-call settings.
    pub fn delete_opt<K: AsRef<[u8]>>(&self, key: K, options: WriteOptions) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_delete_ex(self.as_ptr(), k, k_len, options.flags()) })
    }

    /// Removes every key in `[start, end)` with one range tombstone, in
    /// constant time whatever the number of keys (as RocksDB's and Pebble's
    /// `DeleteRange`). Snapshots and iterators made before still see the
    /// keys; compaction reclaims their space. An empty or reversed range
    /// (`start >= end`) does nothing. Follows the database's `sync` option.
    pub fn delete_range<S: AsRef<[u8]>, E: AsRef<[u8]>>(&self, start: S, end: E) -> Result<()> {
        let (s, s_len) = bytes_arg(start.as_ref());
        let (e, e_len) = bytes_arg(end.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_delete_range(self.as_ptr(), s, s_len, e, e_len) })
    }

    /// Adds the table files finished by [`SstWriter`](crate::SstWriter)s to
    /// the database atomically: their entries become visible together, newer
    /// than every write before the call (snapshots taken before do not see
    /// them), each file at the deepest level none of whose tables overlaps it.
    /// With `move_files` the files are moved into the database (their names
    /// removed); otherwise they are copied and left as they were. Files that
    /// overlap each other, are empty, or were not written by an `SstWriter`
    /// ([`InvalidArgument`](crate::ErrorKind::InvalidArgument)), or are
    /// unfinished or damaged ([`Corruption`](crate::ErrorKind::Corruption)),
    /// are refused as a whole, and nothing changes.
    pub fn ingest<P: AsRef<Path>>(&self, paths: &[P], move_files: bool) -> Result<()> {
        let c_paths: Vec<CString> =
            paths.iter().map(|p| path_to_cstring(p.as_ref(), "Db::ingest")).collect::<Result<_>>()?;
        let pointers: Vec<*const std::os::raw::c_char> = c_paths.iter().map(|p| p.as_ptr()).collect();
        let flags = if move_files { sys::KV_INGEST_MOVE as std::os::raw::c_uint } else { 0 };
        // SAFETY: the handle is open; `pointers` holds `paths.len()` C strings
        // owned by `c_paths`, alive for the call.
        check_done(unsafe { sys::kv_ingest(self.as_ptr(), pointers.as_ptr(), pointers.len(), flags) })
    }

    /// Applies every operation of `batch`, atomically.
    pub fn write(&self, batch: &WriteBatch) -> Result<()> {
        // SAFETY: the handle and the batch are valid for the call.
        check_done(unsafe { sys::kv_write(self.as_ptr(), batch.as_ptr()) })
    }

    /// Applies `batch` atomically with per-call settings.
    pub fn write_opt(&self, batch: &WriteBatch, options: WriteOptions) -> Result<()> {
        // SAFETY: as in `write`.
        check_done(unsafe { sys::kv_write_ex(self.as_ptr(), batch.as_ptr(), options.flags()) })
    }

    /// The values of `keys`, in the same order (`None` for an absent key), all
    /// read as of one state of the database, in one call into the library.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("strata-doc-multi-{}", std::process::id()));
    /// # let _ = strata::destroy(&dir);
    /// # let db = strata::Db::open(&dir, strata::Options::new())?;
    /// db.put(b"a", b"1")?;
    /// db.put(b"c", b"3")?;
    /// let values = db.multi_get(&[&b"a"[..], b"b", b"c"])?;
    /// assert_eq!(values, [Some(b"1".to_vec()), None, Some(b"3".to_vec())]);
    /// # drop(db);
    /// # strata::destroy(&dir)?;
    /// # Ok::<(), strata::Error>(())
    /// ```
    pub fn multi_get<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>> {
        Ok(read::multi_get(self, None, keys)?.to_vecs())
    }

    /// Like [`multi_get`](Db::multi_get), but the values stay in the one
    /// buffer the library returned instead of being copied into a `Vec` each.
    /// See [`MultiValues`].
    pub fn multi_get_values<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<MultiValues> {
        read::multi_get(self, None, keys)
    }

    /// Every entry, in key order. See [`Iter`].
    pub fn iter(&self) -> Iter<'_> {
        self.range(..)
    }

    /// The entries with keys in `range`, in key order (`.rev()` for
    /// descending), as the database is now: `db.range(b"a"..b"m")`,
    /// `db.range("k"..="q")`, `db.range(key.as_slice()..)`. See [`KeyRange`]
    /// and [`Iter`].
    pub fn range<R: KeyRange>(&self, range: R) -> Iter<'_> {
        Iter::new(self.cursor(range))
    }

    /// The entries whose keys begin with `prefix`, in key order. An empty
    /// prefix gives every entry.
    pub fn prefix<P: AsRef<[u8]>>(&self, prefix: P) -> Iter<'_> {
        Iter::new(self.prefix_cursor(prefix))
    }

    /// A [`Cursor`] over `range`, to seek and step by hand and read entries in
    /// place.
    pub fn cursor<R: KeyRange>(&self, range: R) -> Result<Cursor<'_>> {
        Cursor::over_range(self, None, &CRange::from_bounds(&range))
    }

    /// A [`Cursor`] over the keys that begin with `prefix`.
    pub fn prefix_cursor<P: AsRef<[u8]>>(&self, prefix: P) -> Result<Cursor<'_>> {
        Cursor::over_prefix(self, None, prefix.as_ref())
    }

    /// Pins the current state for consistent reads. See [`Snapshot`].
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        Snapshot::new(self)
    }

    /// Writes the memtable to a table; returns when it is durable.
    pub fn flush(&self) -> Result<()> {
        // SAFETY: the handle is open.
        check_done(unsafe { sys::kv_flush(self.as_ptr()) })
    }

    /// Returns when no flush or compaction is pending or running.
    pub fn wait_compactions(&self) -> Result<()> {
        // SAFETY: the handle is open.
        check_done(unsafe { sys::kv_wait_compactions(self.as_ptr()) })
    }

    /// Lets writes go on after they stopped for lack of disk space, once
    /// space is freed, without reopening (the database also retries by
    /// itself on a back-off). Returns the stop's error when it was not a
    /// lack of space; only reopening recovers from those.
    pub fn resume(&self) -> Result<()> {
        // SAFETY: the handle is open.
        check_done(unsafe { sys::kv_resume(self.as_ptr()) })
    }

    /// Merges the tables holding keys in `range` into one sorted run, dropping
    /// versions and tombstones nothing can see. `..` compacts everything.
    pub fn compact_range<R: KeyRange>(&self, range: R) -> Result<()> {
        let range = CRange::from_bounds(&range);
        let (start, start_len) = optional_bytes_arg(range.start());
        let (end, end_len) = optional_bytes_arg(range.end());
        // SAFETY: the handle is open and the bounds are valid for the call.
        check_done(unsafe { sys::kv_compact_range(self.as_ptr(), start, start_len, end, end_len) })
    }

    /// A property of the database as text: `"stats"`,
    /// `"num-files-at-level0"` … `"num-files-at-level6"`, `"total-table-bytes"`,
    /// `"memtable-bytes"`, `"last-sequence"`, `"sstables"` (one line per live
    /// table: level, number, bytes, entries, smallest and largest key in hex).
    /// An unknown name is an error.
    pub fn property(&self, name: &str) -> Result<String> {
        let c_name = str_to_cstring(name, "Db::property")?;
        let mut out = ptr::null_mut();
        // SAFETY: the handle is open; the name is valid for the call; on
        // KV_OK `out` is a string we own.
        let status = unsafe { sys::kv_property(self.as_ptr(), c_name.as_ptr(), &mut out) };
        // The status first: it reads this thread's error message, which the
        // kv_free inside take_c_string is allowed to replace.
        let result = check_done(status);
        // SAFETY: `out` is NULL or ours to free.
        let text = unsafe { take_c_string(out) };
        result.map(|()| text)
    }

    /// A human-readable summary: levels, files, bytes, memtables, cache,
    /// writes, stalls (the `"stats"` property).
    pub fn stats(&self) -> Result<String> {
        self.property("stats")
    }

    /// Makes an openable, consistent copy of the database in directory `dir`,
    /// which must not exist yet. Tables are hard-linked when `dir` is on the
    /// same filesystem. Writes may go on meanwhile; the copy holds every write
    /// acknowledged before the call.
    pub fn checkpoint<P: AsRef<Path>>(&self, dir: P) -> Result<()> {
        let c_dir: CString = path_to_cstring(dir.as_ref(), "Db::checkpoint")?;
        // SAFETY: the handle is open and the path valid for the call.
        check_done(unsafe { sys::kv_checkpoint(self.as_ptr(), c_dir.as_ptr()) })
    }

    /// Begins an optimistic [`Transaction`] reading the database as it is now.
    /// Fails with kind [`NotSupported`](crate::ErrorKind::NotSupported) on a
    /// read-only database.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        Transaction::new(self)
    }

    /// About how many bytes the database's tables take on disk for keys in
    /// `range` (`..` is everything), from the tables' indexes. Writes not yet
    /// flushed from the memtable count 0; an empty range is 0.
    pub fn approximate_size<R: KeyRange>(&self, range: R) -> Result<u64> {
        let range = CRange::from_bounds(&range);
        let (start, start_len) = optional_bytes_arg(range.start());
        let (end, end_len) = optional_bytes_arg(range.end());
        let mut bytes = 0u64;
        // SAFETY: the handle is open, the bounds are valid for the call and
        // the output points at a local.
        check_done(unsafe {
            sys::kv_approximate_size(self.as_ptr(), start, start_len, end, end_len, &mut bytes)
        })?;
        Ok(bytes)
    }

    /// Reads every block of every live table and checks its checksum and
    /// order: `Ok` when all are sound, an error of kind
    /// [`Corruption`](crate::ErrorKind::Corruption) naming the first bad file
    /// otherwise. Slow on a big database.
    pub fn verify(&self) -> Result<()> {
        // SAFETY: the handle is open.
        check_done(unsafe { sys::kv_verify(self.as_ptr()) })
    }
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        // SAFETY: we own the handle and close it once. Nothing can report a
        // failure from Drop; `close` is there for callers who want it.
        let _ = unsafe { sys::kv_close(self.raw.as_ptr()) };
    }
}
