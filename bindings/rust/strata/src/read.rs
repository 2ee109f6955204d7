//! Point reads shared by `Db` and `Snapshot`: `get` and `multi_get`.

use std::cell::RefCell;
use std::ffi::c_void;
use std::os::raw::c_int;
use std::ptr;

use strata_sys as sys;

use crate::conversions::bytes_arg;
use crate::db::Db;
use crate::error::{check, check_done, Error, Result, Success};
use crate::multi_values::MultiValues;
use crate::snapshot::Snapshot;
use crate::value::Value;

/// `kv_get` (or `kv_get_at` with a snapshot).
pub(crate) fn get(db: &Db, snapshot: Option<&Snapshot<'_>>, key: &[u8]) -> Result<Option<Value>> {
    let (k, k_len) = bytes_arg(key);
    let mut value: *mut c_void = ptr::null_mut();
    let mut value_len = 0usize;
    // SAFETY: db, snapshot and key are valid for the call; the outputs point
    // at locals.
    let status = unsafe {
        match snapshot {
            None => sys::kv_get(db.as_ptr(), k, k_len, &mut value, &mut value_len),
            Some(s) => sys::kv_get_at(db.as_ptr(), s.as_ptr(), k, k_len, &mut value, &mut value_len),
        }
    };
    match check(status)? {
        // SAFETY: on KV_OK `value` is a non-NULL buffer of `value_len` bytes
        // that we now own.
        Success::Done => match unsafe { Value::from_raw(value, value_len) } {
            Some(v) => Ok(Some(v)),
            None => Err(Error::broken_contract(Success::Done)),
        },
        Success::NotFound => Ok(None),
        other @ Success::End => Err(Error::broken_contract(other)),
    }
}

thread_local! {
    /// The buffer `get_vec` has `kv_get_into` copy values into, one per
    /// thread so that a get allocates only its result. It grows to hold
    /// larger values, up to `SCRATCH_KEPT_MAX`.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; SCRATCH_LEN]);
}

const SCRATCH_LEN: usize = 4096;
/// A value larger than this is read straight into a `Vec` of its own size
/// rather than into the thread's buffer, which therefore stays this small.
const SCRATCH_KEPT_MAX: usize = 1 << 20;

/// `kv_get_into` (or `kv_get_into_at` with a snapshot): the value is copied
/// from the engine into this thread's buffer, then into the `Vec` returned.
/// A value that does not fit is not copied; the buffer grows (or, past
/// `SCRATCH_KEPT_MAX`, a `Vec` of the value's size is made) and the get runs
/// again, in a loop since the value may grow in between.
pub(crate) fn get_vec(db: &Db, snapshot: Option<&Snapshot<'_>>, key: &[u8]) -> Result<Option<Vec<u8>>> {
    let (k, k_len) = bytes_arg(key);
    SCRATCH.with(|cell| {
        // Taken out of the cell for the call (a get cannot re-enter itself
        // on one thread, but this needs no proof of it) and put back after.
        let mut scratch = cell.take();
        let mut own: Option<Vec<u8>> = None;
        let result = loop {
            let buf = own.as_mut().unwrap_or(&mut scratch);
            let mut len = 0usize;
            // SAFETY: db, snapshot and key are valid for the call; `buf` is
            // writable for buf.len() bytes; `len` is a local.
            let status = unsafe {
                let (b, cap) = (buf.as_mut_ptr().cast::<c_void>(), buf.len());
                match snapshot {
                    None => sys::kv_get_into(db.as_ptr(), k, k_len, b, cap, &mut len),
                    Some(s) => sys::kv_get_into_at(db.as_ptr(), s.as_ptr(), k, k_len, b, cap, &mut len),
                }
            };
            if status == sys::KV_BUFFER_TOO_SMALL {
                if len <= SCRATCH_KEPT_MAX {
                    let grown = len.max((2 * scratch.len()).min(SCRATCH_KEPT_MAX));
                    scratch.resize(grown, 0);
                    own = None;
                } else {
                    own = Some(vec![0; len]);
                }
                continue;
            }
            break match check(status) {
                Err(e) => Err(e),
                Ok(Success::Done) => Ok(Some(match own.take() {
                    Some(mut v) => {
                        v.truncate(len);
                        v
                    }
                    None => scratch[..len].to_vec(),
                })),
                Ok(Success::NotFound) => Ok(None),
                Ok(other @ Success::End) => Err(Error::broken_contract(other)),
            };
        };
        cell.replace(scratch);
        result
    })
}

/// `kv_multi_get`: every key looked up as of one state, in one call; the
/// values stay in the one buffer the library filled.
pub(crate) fn multi_get<K: AsRef<[u8]>>(
    db: &Db,
    snapshot: Option<&Snapshot<'_>>,
    keys: &[K],
) -> Result<MultiValues> {
    let n = keys.len();
    // The C ABI takes the keys packed back to back with a length each.
    let mut packed = Vec::with_capacity(keys.iter().map(|k| k.as_ref().len()).sum());
    let mut key_lens = Vec::with_capacity(n);
    for key in keys {
        packed.extend_from_slice(key.as_ref());
        key_lens.push(key.as_ref().len());
    }
    let mut buffer: *mut c_void = ptr::null_mut();
    let mut value_lens = vec![0usize; n];
    let mut statuses: Vec<c_int> = vec![0; n];
    let snap = snapshot.map_or(ptr::null(), Snapshot::as_ptr);
    // SAFETY: every input is valid for the call, every output array holds n
    // entries, and `vals` may be NULL (the lengths locate the values).
    let status = unsafe {
        sys::kv_multi_get(
            db.as_ptr(),
            snap,
            n,
            packed.as_ptr().cast(),
            key_lens.as_ptr(),
            &mut buffer,
            ptr::null_mut(),
            value_lens.as_mut_ptr(),
            statuses.as_mut_ptr(),
        )
    };
    let found_bytes =
        statuses.iter().zip(&value_lens).filter(|(s, _)| **s == sys::KV_OK).map(|(_, l)| l).sum();
    // SAFETY: the buffer (NULL when nothing was found) is ours to free and
    // holds every found value back to back. Owning it first frees it on the
    // error path too.
    let values = unsafe { Value::from_raw(buffer, found_bytes) };
    check_done(status)?;
    // Where each value lies in the buffer: the found ones back to back, in
    // key order.
    let mut offset = 0;
    let spans = statuses
        .iter()
        .zip(&value_lens)
        .map(|(&s, &len)| match check(s)? {
            Success::Done => {
                let span = offset..offset + len;
                offset += len;
                Ok(Some(span))
            }
            Success::NotFound => Ok(None),
            other @ Success::End => Err(Error::broken_contract(other)),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MultiValues::new(values, spans))
}
