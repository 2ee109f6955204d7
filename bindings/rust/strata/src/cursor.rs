//! `Cursor`: the raw, zero-copy iterator of the C ABI, moved by hand.

use std::ffi::c_void;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::c_int;
use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::bounds::CRange;
use crate::conversions::{borrowed_bytes, bytes_arg, optional_bytes_arg};
use crate::db::Db;
use crate::error::{check, Error, Result, Success};
use crate::snapshot::Snapshot;

/// A cursor over a key range, as the C ABI's `kv_iter`: it is at one entry,
/// before the first, or after the last, and moves both ways. It reads the
/// database as it was when the cursor was made (or as of its snapshot).
///
/// Each move returns `Ok(true)` when the cursor landed on an entry, `Ok(false)`
/// when it moved off the range, or an error (after which every move repeats
/// it). [`key`](Cursor::key) and [`value`](Cursor::value) borrow the entry
/// from the library without copying; the borrow checker ends those borrows at
/// the next move. A new cursor is before the first entry.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-cursor-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// let db = strata::Db::open(&dir, strata::Options::new())?;
/// for k in [b"a", b"c", b"e"] {
///     db.put(k, b"v")?;
/// }
/// let mut cursor = db.cursor(..)?;
/// assert!(cursor.seek(b"b")?); // the first key >= "b"
/// assert_eq!(cursor.key(), Some(&b"c"[..]));
/// assert!(cursor.seek_for_prev(b"d")?); // the last key <= "d"
/// assert_eq!(cursor.key(), Some(&b"c"[..]));
/// assert!(cursor.last()? && cursor.key() == Some(&b"e"[..]));
/// assert!(cursor.prev()? && cursor.key() == Some(&b"c"[..]));
/// assert!(!cursor.seek(b"f")?); // after the last
/// assert!(cursor.prev()? && cursor.key() == Some(&b"e"[..]));
/// # drop(cursor);
/// # drop(db);
/// # strata::destroy(&dir)?;
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: a cursor may move to another thread (`Send`) but is not
/// shared (`!Sync`); the C ABI gives a `kv_iter` to one thread at a time.
/// Lifetime: it borrows the [`Db`] (or [`Snapshot`]) that made it.
pub struct Cursor<'a> {
    raw: NonNull<sys::kv_iter>,
    /// The entry the cursor is at: pointers into the library, valid until the
    /// next call on `raw`.
    entry: Option<RawEntry>,
    _source: PhantomData<&'a Db>,
}

// SAFETY: a kv_iter may be used from any thread, one at a time; every move
// takes `&mut self`, and `Cursor` is not `Sync`. The borrowed `Db` is `Sync`.
unsafe impl Send for Cursor<'_> {}

/// One `kv_iter_next_batch` result: `count` entries, their keys and values
/// back to back at `data`, and `2 * count` lengths at `lens` (key, value, key,
/// value, ...), all in the library's memory until the next call on the cursor.
#[derive(Clone, Copy)]
pub(crate) struct RawBatch {
    data: *const c_void,
    lens: *const usize,
    count: usize,
}

// SAFETY: the batch points into memory owned by the kv_iter of the cursor
// that made it, which is `Send`; the batch is only read by the owner of that
// cursor (`Iter`), on whichever thread has both.
unsafe impl Send for RawBatch {}

impl RawBatch {
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Entry `i`'s key and value, which start `offset` bytes into the data
    /// (the sum of the lengths before them).
    ///
    /// # Safety
    /// The cursor that made the batch has not been called since, `i` is below
    /// `len()`, and `offset` is the sum of the lengths of the entries before i.
    pub(crate) unsafe fn entry(&self, i: usize, offset: usize) -> (&[u8], &[u8]) {
        // SAFETY: per the contract, `lens` holds 2 * count lengths and `data`
        // holds the entries back to back, all live.
        unsafe {
            let key_len = *self.lens.add(2 * i);
            let value_len = *self.lens.add(2 * i + 1);
            let key = self.data.cast::<u8>().add(offset);
            (
                borrowed_bytes(key.cast(), key_len),
                borrowed_bytes(key.add(key_len).cast(), value_len),
            )
        }
    }
}

#[derive(Clone, Copy)]
struct RawEntry {
    key: *const c_void,
    key_len: usize,
    value: *const c_void,
    value_len: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor over `range`, as of `snapshot` (the latest state when `None`).
    pub(crate) fn over_range(
        db: &'a Db,
        snapshot: Option<&'a Snapshot<'_>>,
        range: &CRange<'_>,
    ) -> Result<Cursor<'a>> {
        let (start, start_len) = optional_bytes_arg(range.start());
        let (end, end_len) = optional_bytes_arg(range.end());
        let mut raw = ptr::null_mut();
        // SAFETY: db, snapshot and the bounds are valid for the call.
        let status = unsafe {
            match snapshot {
                None => sys::kv_iter_new(db.as_ptr(), start, start_len, end, end_len, &mut raw),
                Some(s) => {
                    sys::kv_iter_new_at(db.as_ptr(), s.as_ptr(), start, start_len, end, end_len, &mut raw)
                }
            }
        };
        Cursor::from_new(status, raw)
    }

    /// A cursor over the keys that begin with `prefix`.
    pub(crate) fn over_prefix(
        db: &'a Db,
        snapshot: Option<&'a Snapshot<'_>>,
        prefix: &[u8],
    ) -> Result<Cursor<'a>> {
        let (p, p_len) = bytes_arg(prefix);
        let snap = snapshot.map_or(ptr::null(), Snapshot::as_ptr);
        let mut raw = ptr::null_mut();
        // SAFETY: db, snap (NULL or live) and the prefix are valid for the call.
        let status = unsafe { sys::kv_iter_new_prefix(db.as_ptr(), snap, p, p_len, &mut raw) };
        Cursor::from_new(status, raw)
    }

    fn from_new(status: c_int, raw: *mut sys::kv_iter) -> Result<Cursor<'a>> {
        match check(status)? {
            Success::Done => {}
            other => return Err(Error::broken_contract(other)),
        }
        let raw = NonNull::new(raw).ok_or_else(|| Error::no_memory("kv_iter_new"))?;
        Ok(Cursor { raw, entry: None, _source: PhantomData })
    }

    /// Moves to the first entry of the range.
    pub fn first(&mut self) -> Result<bool> {
        // SAFETY (all moves): `raw` is our live iterator and the out pointers
        // point into `e`.
        self.step(|it, e| unsafe {
            sys::kv_iter_first(it, &mut e.key, &mut e.key_len, &mut e.value, &mut e.value_len)
        })
    }

    /// Moves to the last entry of the range.
    pub fn last(&mut self) -> Result<bool> {
        self.step(|it, e| unsafe {
            sys::kv_iter_last(it, &mut e.key, &mut e.key_len, &mut e.value, &mut e.value_len)
        })
    }

    /// Moves one entry forward; from "before the first", to the first.
    // The names mirror kv_iter_next/prev; a cursor is not an `Iterator`
    // (that is `Iter`), so clippy's advice to implement the trait is moot.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<bool> {
        self.step(|it, e| unsafe {
            sys::kv_iter_next(it, &mut e.key, &mut e.key_len, &mut e.value, &mut e.value_len)
        })
    }

    /// Moves one entry backward; from "after the last", to the last.
    pub fn prev(&mut self) -> Result<bool> {
        self.step(|it, e| unsafe {
            sys::kv_iter_prev(it, &mut e.key, &mut e.key_len, &mut e.value, &mut e.value_len)
        })
    }

    /// Moves to the first key `>= target` (a target outside the range is
    /// clamped to it). `Ok(false)`: no such key; the cursor is after the last.
    pub fn seek<K: AsRef<[u8]>>(&mut self, target: K) -> Result<bool> {
        let (t, t_len) = bytes_arg(target.as_ref());
        self.step(|it, e| unsafe {
            sys::kv_iter_seek(it, t, t_len, &mut e.key, &mut e.key_len, &mut e.value, &mut e.value_len)
        })
    }

    /// Moves to the last key `<= target` (clamped to the range). `Ok(false)`:
    /// no such key; the cursor is before the first.
    pub fn seek_for_prev<K: AsRef<[u8]>>(&mut self, target: K) -> Result<bool> {
        let (t, t_len) = bytes_arg(target.as_ref());
        self.step(|it, e| unsafe {
            sys::kv_iter_seek_for_prev(
                it,
                t,
                t_len,
                &mut e.key,
                &mut e.key_len,
                &mut e.value,
                &mut e.value_len,
            )
        })
    }

    /// Whether the cursor is at an entry.
    pub fn valid(&self) -> bool {
        self.entry.is_some()
    }

    /// The key of the entry the cursor is at, borrowed until the next move.
    pub fn key(&self) -> Option<&[u8]> {
        self.entry().map(|(k, _)| k)
    }

    /// The value of the entry the cursor is at, borrowed until the next move.
    pub fn value(&self) -> Option<&[u8]> {
        self.entry().map(|(_, v)| v)
    }

    /// The key and value of the entry the cursor is at, borrowed until the
    /// next move.
    pub fn entry(&self) -> Option<(&[u8], &[u8])> {
        self.entry.map(|e| {
            // SAFETY: the library keeps these valid until the next call on the
            // iterator, and every such call takes `&mut self`, which cannot
            // happen while the returned borrows of `self` live.
            unsafe { (borrowed_bytes(e.key, e.key_len), borrowed_bytes(e.value, e.value_len)) }
        })
    }

    /// `kv_iter_next_batch`: moves forward over up to `max_entries` entries
    /// (or about `max_bytes` of them) in one call and hands them out packed,
    /// `None` at the end of the range. The batch points into the library's
    /// buffer, valid until the next call on this cursor: the caller (`Iter`)
    /// must read it before moving again, which the raw pointers leave to it
    /// to honour. Afterwards the cursor is at the batch's last entry (or past
    /// the range), but `entry()` is `None`: it is read from the batch.
    pub(crate) fn next_batch(&mut self, max_entries: usize, max_bytes: usize) -> Result<Option<RawBatch>> {
        self.entry = None;
        let mut batch = RawBatch { data: ptr::null(), lens: ptr::null(), count: 0 };
        // SAFETY: `raw` is our live iterator and the out pointers point into
        // `batch`.
        let status = unsafe {
            sys::kv_iter_next_batch(
                self.raw.as_ptr(),
                max_entries,
                max_bytes,
                &mut batch.count,
                &mut batch.data,
                &mut batch.lens,
            )
        };
        match check(status)? {
            Success::Done if batch.count > 0 && !batch.data.is_null() && !batch.lens.is_null() => {
                Ok(Some(batch))
            }
            Success::End => Ok(None),
            other => Err(Error::broken_contract(other)),
        }
    }

    /// Runs one move and records where it landed.
    fn step(&mut self, mv: impl FnOnce(*mut sys::kv_iter, &mut RawEntry) -> c_int) -> Result<bool> {
        self.entry = None;
        let mut e = RawEntry { key: ptr::null(), key_len: 0, value: ptr::null(), value_len: 0 };
        match check(mv(self.raw.as_ptr(), &mut e))? {
            Success::Done => {
                self.entry = Some(e);
                Ok(true)
            }
            Success::End => Ok(false),
            other @ Success::NotFound => Err(Error::broken_contract(other)),
        }
    }
}

impl fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cursor").field("entry", &self.entry()).finish()
    }
}

impl Drop for Cursor<'_> {
    fn drop(&mut self) {
        // SAFETY: we own the iterator and free it once.
        unsafe { sys::kv_iter_free(self.raw.as_ptr()) }
    }
}
