//! `WriteOptions`: per-call settings of a write.

use std::os::raw::c_uint;

use strata_sys as sys;

/// Settings for one write ([`Db::put_opt`](crate::Db::put_opt),
/// [`Db::delete_opt`](crate::Db::delete_opt), [`Db::write_opt`](crate::Db::write_opt)).
///
/// ```
/// use strata::WriteOptions;
/// let durable = WriteOptions { sync: true };
/// assert_ne!(durable, WriteOptions::default());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct WriteOptions {
    /// Fsync this write before it is acknowledged, so it survives power loss,
    /// on a database opened with `sync = false`. (With `sync = true` every
    /// write is synced anyway.)
    pub sync: bool,
}

impl WriteOptions {
    /// The `KV_WRITE_*` flags of `kv_*_ex`.
    pub(crate) fn flags(self) -> c_uint {
        if self.sync {
            sys::KV_WRITE_SYNC
        } else {
            0
        }
    }
}
