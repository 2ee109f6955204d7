//! `Snapshot`: a pinned, consistent state of the database to read from.

use std::fmt;
use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::bounds::{CRange, KeyRange};
use crate::cursor::Cursor;
use crate::db::Db;
use crate::error::{check_done, Error, Result};
use crate::iter::Iter;
use crate::multi_values::MultiValues;
use crate::read;
use crate::value::Value;

/// The database as it was when [`Db::snapshot`] returned: reads through it see
/// exactly the writes acknowledged before, whatever is written later.
///
/// Hold snapshots briefly: while one lives, compaction keeps every version it
/// can see, so the space of overwritten data is not reclaimed. Dropping it
/// releases them.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-snapshot-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// let db = strata::Db::open(&dir, strata::Options::new())?;
/// db.put(b"k", b"before")?;
/// let snapshot = db.snapshot()?;
/// db.put(b"k", b"after")?;
/// db.put(b"new", b"x")?;
/// assert_eq!(snapshot.get(b"k")?.as_deref(), Some(&b"before"[..]));
/// assert_eq!(snapshot.multi_get(&[&b"k"[..], b"new"])?, [Some(b"before".to_vec()), None]);
/// assert_eq!(snapshot.iter().count(), 1);
/// assert_eq!(db.iter().count(), 2);
/// # drop(snapshot);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: `Send` and `Sync`; the C ABI allows a snapshot to be used
/// from many threads at once. It borrows its [`Db`], and iterators made from
/// it borrow the snapshot.
pub struct Snapshot<'db> {
    raw: NonNull<sys::kv_snapshot>,
    db: &'db Db,
}

// SAFETY: kv.h: "A snapshot may be used from many threads at once", and
// freeing it needs no particular thread.
unsafe impl Send for Snapshot<'_> {}
// SAFETY: as above; every method takes `&self` and only reads.
unsafe impl Sync for Snapshot<'_> {}

impl<'db> Snapshot<'db> {
    pub(crate) fn new(db: &'db Db) -> Result<Snapshot<'db>> {
        let mut raw = ptr::null_mut();
        // SAFETY: db is open; the output points at a local.
        check_done(unsafe { sys::kv_snapshot_new(db.as_ptr(), &mut raw) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::no_memory("kv_snapshot_new"))?;
        Ok(Snapshot { raw, db })
    }

    pub(crate) fn as_ptr(&self) -> *const sys::kv_snapshot {
        self.raw.as_ptr()
    }

    /// The sequence number this snapshot reads at.
    pub fn sequence(&self) -> u64 {
        // SAFETY: the snapshot is live.
        unsafe { sys::kv_snapshot_sequence(self.raw.as_ptr()) }
    }

    /// The value of `key` as of the snapshot, or `None` if it was absent.
    pub fn get<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Vec<u8>>> {
        read::get_vec(self.db, Some(self), key.as_ref())
    }

    /// Like [`get`](Snapshot::get), without copying the value out of the
    /// library's buffer.
    pub fn get_value<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Value>> {
        read::get(self.db, Some(self), key.as_ref())
    }

    /// The values of `keys` (in the same order; `None` for an absent key) as
    /// of the snapshot, in one call into the library.
    pub fn multi_get<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<Vec<u8>>>> {
        Ok(read::multi_get(self.db, Some(self), keys)?.to_vecs())
    }

    /// Like [`multi_get`](Snapshot::multi_get), without copying the values
    /// out of the library's buffer. See [`MultiValues`].
    pub fn multi_get_values<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<MultiValues> {
        read::multi_get(self.db, Some(self), keys)
    }

    /// Every entry as of the snapshot, in key order.
    pub fn iter(&self) -> Iter<'_> {
        self.range(..)
    }

    /// The entries with keys in `range` as of the snapshot, in key order.
    pub fn range<R: KeyRange>(&self, range: R) -> Iter<'_> {
        Iter::new(self.cursor(range))
    }

    /// The entries whose keys begin with `prefix` as of the snapshot.
    pub fn prefix<P: AsRef<[u8]>>(&self, prefix: P) -> Iter<'_> {
        Iter::new(self.prefix_cursor(prefix))
    }

    /// A [`Cursor`] over `range` as of the snapshot.
    pub fn cursor<R: KeyRange>(&self, range: R) -> Result<Cursor<'_>> {
        Cursor::over_range(self.db, Some(self), &CRange::from_bounds(&range))
    }

    /// A [`Cursor`] over the keys that begin with `prefix` as of the snapshot.
    pub fn prefix_cursor<P: AsRef<[u8]>>(&self, prefix: P) -> Result<Cursor<'_>> {
        Cursor::over_prefix(self.db, Some(self), prefix.as_ref())
    }
}

impl fmt::Debug for Snapshot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot").field("sequence", &self.sequence()).finish()
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // SAFETY: we own the snapshot and free it once.
        unsafe { sys::kv_snapshot_free(self.raw.as_ptr()) }
    }
}
