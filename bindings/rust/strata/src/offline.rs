//! Operations on a database that is not open: `repair` and `destroy`.

use std::path::Path;
use std::ptr;

use strata_sys as sys;

use crate::conversions::{path_to_cstring, take_c_string};
use crate::error::{check_done, Result};
use crate::options::Options;

/// Rebuilds the manifest of the closed database at `path` from the tables and
/// logs that can still be read, keeping a backup of what it replaces, and
/// returns the library's report of what was recovered and exactly what was
/// dropped. Fails with [`ErrorKind::Busy`](crate::ErrorKind::Busy) if the
/// database is open.
pub fn repair<P: AsRef<Path>>(path: P, options: Options) -> Result<String> {
    let c_path = path_to_cstring(path.as_ref(), "repair")?;
    let c_options = options.to_c()?;
    let mut report = ptr::null_mut();
    // SAFETY: path and options are valid for the call; on return `report` is
    // NULL or a string we own.
    let status = unsafe { sys::kv_repair(c_path.as_ptr(), c_options.as_ptr(), &mut report) };
    // The status first: it reads this thread's error message, which the
    // kv_free inside take_c_string is allowed to replace.
    let result = check_done(status);
    // SAFETY: `report` is NULL or ours to free.
    let text = unsafe { take_c_string(report) };
    result.map(|()| text)
}

/// Deletes the database at `path`: its files, then the directory if it is
/// left empty. Nothing there is not an error; an open database is
/// [`ErrorKind::Busy`](crate::ErrorKind::Busy).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("strata-doc-destroy-{}", std::process::id()));
/// drop(strata::Db::open(&dir, strata::Options::new())?);
/// strata::destroy(&dir)?;
/// assert!(!dir.exists());
/// strata::destroy(&dir)?; // nothing there: fine
/// # Ok::<(), strata::Error>(())
/// ```
pub fn destroy<P: AsRef<Path>>(path: P) -> Result<()> {
    let c_path = path_to_cstring(path.as_ref(), "destroy")?;
    // SAFETY: the path is valid for the call.
    check_done(unsafe { sys::kv_destroy(c_path.as_ptr()) })
}
