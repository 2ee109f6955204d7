//! `Transaction`: an optimistic transaction, the owner of a `kv_txn` handle.

use std::ffi::c_void;
use std::fmt;
use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::conversions::bytes_arg;
use crate::db::Db;
use crate::error::{check, check_done, Error, Result, Success};
use crate::value::Value;

/// Reads and writes applied all at once by [`commit`](Transaction::commit),
/// or not at all (RocksDB's optimistic transactions).
///
/// Reads see the transaction's own writes, else the database as it was when
/// [`Db::transaction`] returned. Writes stay invisible to everyone else until
/// the commit, which applies them atomically unless a key the transaction read
/// or wrote was written by someone else since it began: then it returns an
/// error of kind [`Conflict`](crate::ErrorKind::Conflict) and applies nothing.
/// Nothing is locked meanwhile, so retry on a conflict:
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-txn-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// use strata::{Db, ErrorKind, Options};
///
/// let db = Db::open(&dir, Options::new())?;
/// loop {
///     let txn = db.transaction()?;
///     let n: u64 = match txn.get(b"counter")? {
///         Some(v) => String::from_utf8_lossy(&v).parse().unwrap_or(0),
///         None => 0,
///     };
///     txn.put(b"counter", (n + 1).to_string())?;
///     match txn.commit() {
///         Ok(()) => break,
///         Err(e) if e.kind() == ErrorKind::Conflict => continue, // someone else won
///         Err(e) => return Err(e),
///     }
/// }
/// assert_eq!(db.get(b"counter")?, Some(b"1".to_vec()));
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Dropping a transaction without committing discards its writes. `commit`
/// takes the transaction by value: once committed (or refused) it is gone.
///
/// Thread safety: `Send` but not `Sync`. The C ABI lets a transaction be used
/// by one thread at a time, which `&self` methods on a `!Sync` type ensure;
/// many transactions may run on one `Db` from many threads. It borrows its
/// [`Db`], so the database outlives it.
pub struct Transaction<'db> {
    raw: NonNull<sys::kv_txn>,
    _db: &'db Db,
}

// SAFETY: kv.h: "A kv_txn belongs to one thread at a time"; it may move to
// another thread, and freeing it needs no particular thread.
unsafe impl Send for Transaction<'_> {}

impl<'db> Transaction<'db> {
    pub(crate) fn new(db: &'db Db) -> Result<Transaction<'db>> {
        let mut raw = ptr::null_mut();
        // SAFETY: db is open; the output points at a local.
        check_done(unsafe { sys::kv_txn_begin(db.as_ptr(), &mut raw) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::no_memory("kv_txn_begin"))?;
        Ok(Transaction { raw, _db: db })
    }

    /// The transaction's own latest write of `key`, else its value as of the
    /// start; `None` when absent (or deleted by this transaction). The key is
    /// checked for conflicts at commit.
    pub fn get<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Vec<u8>>> {
        Ok(self.get_value(key)?.map(Vec::from))
    }

    /// Like [`get`](Transaction::get), without copying the value out of the
    /// library's buffer.
    pub fn get_value<K: AsRef<[u8]>>(&self, key: K) -> Result<Option<Value>> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let mut value: *mut c_void = ptr::null_mut();
        let mut value_len = 0usize;
        // SAFETY: the transaction is live and the key valid for the call; the
        // outputs point at locals.
        let status = unsafe { sys::kv_txn_get(self.raw.as_ptr(), k, k_len, &mut value, &mut value_len) };
        match check(status)? {
            // SAFETY: on KV_OK `value` is a buffer of `value_len` bytes we own.
            Success::Done => match unsafe { Value::from_raw(value, value_len) } {
                Some(v) => Ok(Some(v)),
                None => Err(Error::broken_contract(Success::Done)),
            },
            Success::NotFound => Ok(None),
            other @ Success::End => Err(Error::broken_contract(other)),
        }
    }

    /// Sets `key` to `value` when the transaction commits.
    pub fn put<K: AsRef<[u8]>, V: AsRef<[u8]>>(&self, key: K, value: V) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let (v, v_len) = bytes_arg(value.as_ref());
        // SAFETY: the transaction is live; key and value are valid for the call.
        check_done(unsafe { sys::kv_txn_put(self.raw.as_ptr(), k, k_len, v, v_len) })
    }

    /// Deletes `key` when the transaction commits (an absent key is fine).
    pub fn delete<K: AsRef<[u8]>>(&self, key: K) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        // SAFETY: the transaction is live and the key valid for the call.
        check_done(unsafe { sys::kv_txn_delete(self.raw.as_ptr(), k, k_len) })
    }

    /// Applies every write of the transaction atomically. An error of kind
    /// [`Conflict`](crate::ErrorKind::Conflict) means a key it read or wrote
    /// was written by someone else since it began, and nothing was applied.
    pub fn commit(self) -> Result<()> {
        // SAFETY: the transaction is live; Drop frees it afterwards.
        check_done(unsafe { sys::kv_txn_commit(self.raw.as_ptr()) })
    }

    /// Drops the transaction and its writes; the same as dropping it, under a
    /// name that says so.
    pub fn rollback(self) {}
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction").finish_non_exhaustive()
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        // SAFETY: we own the transaction and free it once.
        unsafe { sys::kv_txn_free(self.raw.as_ptr()) }
    }
}
