//! `Value`: bytes strata allocated and handed to the caller, owned without a
//! copy and released with `kv_free`.

use std::ffi::c_void;
use std::fmt;
use std::ops::Deref;
use std::ptr::NonNull;

use strata_sys as sys;

use crate::conversions::borrowed_bytes;

/// A value as strata returned it: the buffer `kv_get` allocated, owned by this
/// `Value` and freed with `kv_free` when it is dropped.
///
/// [`Db::get_value`](crate::Db::get_value) returns one to spare the copy into a
/// `Vec<u8>` that [`Db::get`](crate::Db::get) makes. It dereferences to `[u8]`.
///
/// Thread safety: a `Value` is plain memory; it is `Send` and `Sync`.
pub struct Value {
    ptr: NonNull<c_void>,
    len: usize,
}

// SAFETY: the buffer is exclusively owned, immutable, and kv_free may be
// called from any thread.
unsafe impl Send for Value {}
// SAFETY: shared access only reads the bytes.
unsafe impl Sync for Value {}

impl Value {
    /// Takes ownership of a buffer strata allocated.
    ///
    /// # Safety
    /// `ptr` must have been handed out by strata for the caller to free with
    /// `kv_free`, valid for `len` bytes, and not owned by anything else.
    pub(crate) unsafe fn from_raw(ptr: *mut c_void, len: usize) -> Option<Value> {
        NonNull::new(ptr).map(|ptr| Value { ptr, len })
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the buffer holds `len` bytes and lives as long as `self`.
        unsafe { borrowed_bytes(self.ptr.as_ptr(), self.len) }
    }
}

impl Deref for Value {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Value {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Value {}

impl PartialEq<[u8]> for Value {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl From<Value> for Vec<u8> {
    fn from(value: Value) -> Vec<u8> {
        value.as_bytes().to_vec()
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Value").field(&self.as_bytes()).finish()
    }
}

impl Drop for Value {
    fn drop(&mut self) {
        // SAFETY: strata allocated this buffer for us to free, exactly once.
        unsafe { sys::kv_free(self.ptr.as_ptr()) }
    }
}
