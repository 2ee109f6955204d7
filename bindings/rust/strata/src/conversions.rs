//! Conversions between Rust values and the C ABI's arguments, kept in one
//! place: paths and names as C strings, borrowed byte slices as pointer and
//! length, and pointers handed out by strata back into slices.

use std::ffi::{c_void, CString};
use std::path::Path;

use crate::error::{Error, Result};

/// A path as a C string. On Unix any bytes but NUL are allowed; elsewhere the
/// path must be valid Unicode.
pub(crate) fn path_to_cstring(path: &Path, what: &str) -> Result<CString> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| Error::invalid_argument(format!("{what}: path is not valid Unicode")))?
        .as_bytes()
        .to_vec();
    CString::new(bytes)
        .map_err(|nul| Error::interior_nul(format!("{what}: path {} contains a NUL byte", path.display()), nul))
}

/// A string argument (an option name or value, a property name) as a C string.
pub(crate) fn str_to_cstring(s: &str, what: &str) -> Result<CString> {
    CString::new(s).map_err(|nul| Error::interior_nul(format!("{what}: {s:?} contains a NUL byte"), nul))
}

/// A borrowed byte slice as the (pointer, length) pair kv.h takes. The
/// pointer is never NULL, so an empty slice is the empty key, not "no bound".
pub(crate) fn bytes_arg(bytes: &[u8]) -> (*const c_void, usize) {
    (bytes.as_ptr().cast(), bytes.len())
}

/// An optional bound: `None` becomes NULL (an open end).
pub(crate) fn optional_bytes_arg(bytes: Option<&[u8]>) -> (*const c_void, usize) {
    bytes.map_or((std::ptr::null(), 0), bytes_arg)
}

/// The bytes at a pointer strata handed out.
///
/// # Safety
/// `ptr` must be valid for `len` bytes for the caller-chosen lifetime `'a`
/// (or `len` must be 0).
pub(crate) unsafe fn borrowed_bytes<'a>(ptr: *const c_void, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(ptr.cast(), len) }
    }
}

/// Copies a NUL-terminated string strata allocated for the caller, then frees
/// it with `kv_free`. NULL gives the empty string.
///
/// # Safety
/// `ptr` must be NULL or a string strata handed out for the caller to free,
/// not used again afterwards.
pub(crate) unsafe fn take_c_string(ptr: *mut std::os::raw::c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: guaranteed by the caller; the copy is made before the free.
    unsafe {
        let text = std::ffi::CStr::from_ptr(ptr).to_string_lossy().into_owned();
        strata_sys::kv_free(ptr.cast());
        text
    }
}
