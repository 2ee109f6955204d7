//! Checks the raw declarations against the library they link to: the
//! version, the status names, and the two limits written out by hand in
//! lib.rs (bindgen cannot evaluate their casts).

use std::ffi::CStr;
use std::ptr;

use strata_sys::*;

fn c_str(p: *const std::os::raw::c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

#[test]
fn library_version_matches_header_major_and_minor() {
    let library = c_str(unsafe { kv_version() });
    let header = CStr::from_bytes_with_nul(KV_VERSION_STRING).unwrap().to_str().unwrap();
    assert_eq!(header, format!("{KV_VERSION_MAJOR}.{KV_VERSION_MINOR}.{KV_VERSION_PATCH}"));
    let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    assert_eq!(major_minor(&library), major_minor(header));
}

#[test]
fn status_constants_have_the_library_names() {
    let expected = [
        (KV_OK, "KV_OK"),
        (KV_NOT_FOUND, "KV_NOT_FOUND"),
        (KV_END, "KV_END"),
        (KV_INVALID_ARGUMENT, "KV_INVALID_ARGUMENT"),
        (KV_IO_ERROR, "KV_IO_ERROR"),
        (KV_CORRUPTION, "KV_CORRUPTION"),
        (KV_BUSY, "KV_BUSY"),
        (KV_NO_MEMORY, "KV_NO_MEMORY"),
        (KV_NOT_SUPPORTED, "KV_NOT_SUPPORTED"),
        (KV_INTERNAL, "KV_INTERNAL"),
        (KV_CONFLICT, "KV_CONFLICT"),
        (KV_BUFFER_TOO_SMALL, "KV_BUFFER_TOO_SMALL"),
    ];
    for (code, name) in expected {
        assert_eq!(c_str(unsafe { kv_status_name(code) }), name);
    }
}

#[test]
fn key_limit_matches_the_library() {
    unsafe {
        let batch = kv_batch_new();
        assert!(!batch.is_null());
        let longest = vec![b'k'; KV_MAX_KEY_LEN];
        assert_eq!(kv_batch_put(batch, longest.as_ptr().cast(), longest.len(), ptr::null(), 0), KV_OK);
        let too_long = vec![b'k'; KV_MAX_KEY_LEN + 1];
        let rc = kv_batch_put(batch, too_long.as_ptr().cast(), too_long.len(), ptr::null(), 0);
        assert_eq!(rc, KV_INVALID_ARGUMENT);
        assert!(c_str(kv_last_error()).contains("KV_MAX_KEY_LEN"));
        assert_eq!(kv_batch_count(batch), 1);
        kv_batch_free(batch);
    }
}

#[test]
fn value_limit_matches_the_library() {
    // The library checks a value's length before reading it, so a 1-byte
    // buffer with an over-long length is rejected without being read past
    // its end; allocating 1 GiB + 1 just to be refused would be wasteful.
    unsafe {
        let batch = kv_batch_new();
        let byte = [0u8; 1];
        let rc = kv_batch_put(batch, b"k".as_ptr().cast(), 1, byte.as_ptr().cast(), KV_MAX_VALUE_LEN + 1);
        assert_eq!(rc, KV_INVALID_ARGUMENT);
        let message = c_str(kv_last_error());
        assert!(message.contains(&KV_MAX_VALUE_LEN.to_string()), "{message}");
        kv_batch_free(batch);
    }
}

#[test]
fn write_flag_and_null_destructors() {
    assert_eq!(KV_WRITE_SYNC, 1);
    unsafe {
        kv_batch_free(ptr::null_mut());
        kv_iter_free(ptr::null_mut());
        kv_options_free(ptr::null_mut());
        kv_snapshot_free(ptr::null_mut());
        kv_free(ptr::null_mut());
        assert_eq!(kv_close(ptr::null_mut()), KV_INVALID_ARGUMENT);
    }
}
