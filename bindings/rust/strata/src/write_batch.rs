//! `WriteBatch`: puts and deletes applied atomically by `Db::write`.

use std::fmt;
use std::ptr::NonNull;

use strata_sys as sys;

use crate::conversions::bytes_arg;
use crate::error::{check_done, Result};

/// An ordered list of puts and deletes that [`Db::write`](crate::Db::write)
/// applies all together or not at all, also across crashes. Later operations
/// win over earlier ones on the same key. A batch can be written many times,
/// and reused after [`clear`](WriteBatch::clear).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-batch-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// let db = strata::Db::open(&dir, strata::Options::new())?;
/// let mut batch = strata::WriteBatch::new();
/// batch.put(b"fruit:kiwi", b"green")?;
/// batch.put(b"fruit:plum", b"purple")?;
/// batch.delete(b"fruit:kiwi")?;
/// assert_eq!(batch.len(), 3);
/// db.write(&batch)?;
/// assert_eq!(db.get(b"fruit:kiwi")?, None);
/// assert_eq!(db.get(b"fruit:plum")?.as_deref(), Some(&b"purple"[..]));
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: a batch may move between threads (`Send`) but is not shared
/// (`!Sync`), as the C ABI gives a `kv_batch` to one thread at a time.
pub struct WriteBatch {
    raw: NonNull<sys::kv_batch>,
}

// SAFETY: a kv_batch may be used from any thread, one at a time; `&mut self`
// on every mutation and `!Sync` keep it to one.
unsafe impl Send for WriteBatch {}

impl WriteBatch {
    /// An empty batch.
    ///
    /// # Panics
    /// When out of memory, like `Vec::new` growing.
    pub fn new() -> WriteBatch {
        // SAFETY: kv_batch_new has no preconditions.
        let raw = NonNull::new(unsafe { sys::kv_batch_new() });
        WriteBatch { raw: raw.expect("kv_batch_new: out of memory") }
    }

    /// Adds a put. Fails (leaving the batch unchanged) on an over-long key or value.
    pub fn put<K: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, key: K, value: V) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let (v, v_len) = bytes_arg(value.as_ref());
        // SAFETY: the batch is ours and the slices are valid for the call.
        check_done(unsafe { sys::kv_batch_put(self.raw.as_ptr(), k, k_len, v, v_len) })
    }

    /// Adds a delete. Fails (leaving the batch unchanged) on an over-long key.
    pub fn delete<K: AsRef<[u8]>>(&mut self, key: K) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_batch_delete(self.raw.as_ptr(), k, k_len) })
    }

    /// Adds the removal of every key in `[start, end)` (see
    /// [`Db::delete_range`](crate::Db::delete_range)), ordered with the
    /// batch's other operations. An empty or reversed range adds nothing.
    pub fn delete_range<S: AsRef<[u8]>, E: AsRef<[u8]>>(&mut self, start: S, end: E) -> Result<()> {
        let (s, s_len) = bytes_arg(start.as_ref());
        let (e, e_len) = bytes_arg(end.as_ref());
        // SAFETY: as in `put`.
        check_done(unsafe { sys::kv_batch_delete_range(self.raw.as_ptr(), s, s_len, e, e_len) })
    }

    /// Removes every operation.
    pub fn clear(&mut self) {
        // SAFETY: the batch is ours.
        unsafe { sys::kv_batch_clear(self.raw.as_ptr()) }
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        // SAFETY: the batch is ours.
        unsafe { sys::kv_batch_count(self.raw.as_ptr()) }
    }

    /// Whether the batch holds no operation.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn as_ptr(&self) -> *const sys::kv_batch {
        self.raw.as_ptr()
    }
}

impl Default for WriteBatch {
    fn default() -> WriteBatch {
        WriteBatch::new()
    }
}

impl fmt::Debug for WriteBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteBatch").field("len", &self.len()).finish()
    }
}

impl Drop for WriteBatch {
    fn drop(&mut self) {
        // SAFETY: we own the batch and free it once.
        unsafe { sys::kv_batch_free(self.raw.as_ptr()) }
    }
}
