//! The error type, and the one function that turns a C status into a `Result`.

use std::ffi::{CStr, NulError};
use std::fmt;
use std::os::raw::c_int;

use strata_sys as sys;

/// The result of every fallible strata call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kind of an [`Error`], taken from the C status code.
///
/// More kinds may be added as the C ABI grows, so match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `KV_INVALID_ARGUMENT`: a bad argument (an over-long key, an unknown option
    /// name or a malformed value, a path with a NUL byte, ...). Nothing was changed.
    InvalidArgument,
    /// `KV_IO_ERROR`: the operating system refused a file operation.
    Io,
    /// `KV_CORRUPTION`: data on disk failed a checksum or is inconsistent.
    Corruption,
    /// `KV_BUSY`: the database is open in another handle or process.
    Busy,
    /// `KV_NO_MEMORY`: an allocation failed.
    NoMemory,
    /// `KV_NOT_SUPPORTED`: the library does not support the request.
    NotSupported,
    /// `KV_INTERNAL`: a bug in strata; the message says what.
    Internal,
    /// `KV_CONFLICT`: a [`Transaction`](crate::Transaction)'s commit found that
    /// a key it read or wrote was written by someone else after it began;
    /// nothing was applied. Retry the transaction from the start.
    Conflict,
    /// A status code this version of the crate does not know.
    Unknown,
}

impl ErrorKind {
    fn from_status(status: c_int) -> ErrorKind {
        match status {
            sys::KV_INVALID_ARGUMENT => ErrorKind::InvalidArgument,
            sys::KV_IO_ERROR => ErrorKind::Io,
            sys::KV_CORRUPTION => ErrorKind::Corruption,
            sys::KV_BUSY => ErrorKind::Busy,
            sys::KV_NO_MEMORY => ErrorKind::NoMemory,
            sys::KV_NOT_SUPPORTED => ErrorKind::NotSupported,
            sys::KV_INTERNAL => ErrorKind::Internal,
            sys::KV_CONFLICT => ErrorKind::Conflict,
            _ => ErrorKind::Unknown,
        }
    }
}

/// A failed strata call: its kind, the C status code and the library's message
/// (`kv_last_error`), which names the call and what was wrong.
///
/// [`source`](std::error::Error::source) is the Rust error underneath, when
/// there is one: a path or string with a NUL byte, which the binding refuses
/// before calling the library, carries the [`NulError`]. Errors reported by
/// the library itself have none: the C ABI hands over a status and a message
/// (which, for `KV_IO_ERROR`, includes the operating system's reason), not
/// an `errno` to rebuild an `std::io::Error` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    status: c_int,
    message: String,
    cause: Option<Cause>,
}

/// The underlying error an [`Error`] was made from. An enum rather than a
/// `Box<dyn Error>` so that `Error` stays `Clone + PartialEq + Eq`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cause {
    Nul(NulError),
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The C status code, e.g. `strata_sys::KV_BUSY`.
    pub fn status(&self) -> i32 {
        self.status
    }

    /// The library's message, e.g. `"kv_open: ... is locked by another process"`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Builds the error for a failed call from the calling thread's last error
    /// message. Must run right after that call, on the same thread, before
    /// any other call into strata replaces the message.
    fn from_failed_call(status: c_int) -> Error {
        // SAFETY: kv_last_error never returns NULL, and the string stays valid
        // until this thread's next call into strata; it is copied at once.
        let message = unsafe { CStr::from_ptr(sys::kv_last_error()) };
        Error {
            kind: ErrorKind::from_status(status),
            status,
            message: message.to_string_lossy().into_owned(),
            cause: None,
        }
    }

    /// An argument the binding rejects before calling into C.
    #[cfg(not(unix))] // only for non-Unicode paths, which Unix accepts
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::InvalidArgument,
            status: sys::KV_INVALID_ARGUMENT,
            message: message.into(),
            cause: None,
        }
    }

    /// A path or string argument with a NUL byte, which a C string cannot
    /// carry; the `NulError` becomes the error's source.
    pub(crate) fn interior_nul(message: impl Into<String>, nul: NulError) -> Error {
        Error {
            kind: ErrorKind::InvalidArgument,
            status: sys::KV_INVALID_ARGUMENT,
            message: message.into(),
            cause: Some(Cause::Nul(nul)),
        }
    }

    /// A constructor of the C ABI returned NULL, which it does only when out
    /// of memory.
    pub(crate) fn no_memory(call: &str) -> Error {
        Error {
            kind: ErrorKind::NoMemory,
            status: sys::KV_NO_MEMORY,
            message: format!("{call}: out of memory"),
            cause: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: kv_status_name returns a static string for any code.
        let name = unsafe { CStr::from_ptr(sys::kv_status_name(self.status)) };
        write!(f, "{} ({})", self.message, name.to_string_lossy())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Some(Cause::Nul(nul)) => Some(nul),
            None => None,
        }
    }
}

/// What a C call that did not fail reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Success {
    /// `KV_OK`.
    Done,
    /// `KV_NOT_FOUND`: an absent key (kv_get), not an error.
    NotFound,
    /// `KV_END`: an iterator moved off its range, not an error.
    End,
}

/// Turns the status of a C call into a `Result`. Every call into strata that
/// returns a status goes through here, so none can drop an error, and the
/// message is captured while it is still this thread's last error.
pub(crate) fn check(status: c_int) -> Result<Success> {
    match status {
        sys::KV_OK => Ok(Success::Done),
        sys::KV_NOT_FOUND => Ok(Success::NotFound),
        sys::KV_END => Ok(Success::End),
        _ => Err(Error::from_failed_call(status)),
    }
}

/// [`check`] for calls whose only success is `KV_OK`: `KV_NOT_FOUND` or
/// `KV_END` from them would be a broken contract, reported as an error.
pub(crate) fn check_done(status: c_int) -> Result<()> {
    match check(status)? {
        Success::Done => Ok(()),
        other => Err(Error::broken_contract(other)),
    }
}

impl Error {
    /// A success the called function is not allowed to return.
    pub(crate) fn broken_contract(unexpected: Success) -> Error {
        Error {
            kind: ErrorKind::Internal,
            status: sys::KV_INTERNAL,
            message: format!("strata returned {unexpected:?} where the C ABI does not allow it"),
            cause: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error code kv.h defines has its own kind.
    #[test]
    fn every_error_code_has_a_kind() {
        let codes = [
            sys::KV_INVALID_ARGUMENT,
            sys::KV_IO_ERROR,
            sys::KV_CORRUPTION,
            sys::KV_BUSY,
            sys::KV_NO_MEMORY,
            sys::KV_NOT_SUPPORTED,
            sys::KV_INTERNAL,
            sys::KV_CONFLICT,
        ];
        let kinds: std::collections::HashSet<ErrorKind> =
            codes.iter().map(|&c| ErrorKind::from_status(c)).collect();
        assert!(!kinds.contains(&ErrorKind::Unknown), "{kinds:?}");
        assert_eq!(kinds.len(), codes.len(), "two codes share a kind: {kinds:?}");
        assert_eq!(ErrorKind::from_status(sys::KV_CONFLICT), ErrorKind::Conflict);
        assert_eq!(ErrorKind::from_status(-99), ErrorKind::Unknown);
    }
}
