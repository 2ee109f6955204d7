//! `SstWriter`: a table file written outside any database for
//! [`Db::ingest`](crate::Db::ingest), the owner of a `kv_sst_writer` handle.

use std::fmt;
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::conversions::{bytes_arg, path_to_cstring};
use crate::error::{check_done, Error, Result};
use crate::options::Options;

/// Writes a sorted table file for [`Db::ingest`](crate::Db::ingest): a large
/// sorted data set loaded without the write-ahead log or the memtable.
///
/// Keys must be added in strictly increasing bytewise order; a key at or
/// before the previous one is an error of kind
/// [`InvalidArgument`](crate::ErrorKind::InvalidArgument), is not written,
/// and the writer stays usable. [`finish`](SstWriter::finish) completes the
/// file; dropping a writer that was not finished removes its partial file.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("strata-doc-sst-{}", std::process::id()));
/// # let _ = strata::destroy(&dir);
/// # std::fs::create_dir_all(&dir).unwrap();
/// use strata::{Db, Options, SstWriter};
///
/// let file = dir.join("part-1.sst");
/// let mut writer = SstWriter::new(&file, &Options::new())?;
/// for i in 0..100u32 {
///     writer.put(format!("key{i:03}"), b"value")?;
/// }
/// writer.finish()?;
/// let db = Db::open(dir.join("db"), Options::new())?;
/// db.ingest(&[&file], true)?; // moved into the database
/// assert_eq!(db.get(b"key042")?, Some(b"value".to_vec()));
/// # drop(db);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), strata::Error>(())
/// ```
///
/// Thread safety: `Send` but not `Sync`; adding takes `&mut self`, as kv.h
/// lets one thread at a time use a writer. A writer is not tied to a
/// database.
pub struct SstWriter {
    raw: NonNull<sys::kv_sst_writer>,
    path: PathBuf,
}

// SAFETY: kv.h: "A writer is used by one thread at a time"; it may move to
// another thread, and freeing it needs no particular thread.
unsafe impl Send for SstWriter {}

impl SstWriter {
    /// Creates the file at `path` (unlinking, never truncating, one already there). The table settings of
    /// `options` shape the table (block size, compression, bloom filter bits,
    /// ...); the others are checked and ignored.
    pub fn new<P: AsRef<Path>>(path: P, options: &Options) -> Result<SstWriter> {
        let path = path.as_ref();
        let c_path = path_to_cstring(path, "SstWriter::new")?;
        let c_options = options.to_c()?;
        let mut raw = ptr::null_mut();
        // SAFETY: the path and options are valid for the call; the output
        // points at a local.
        check_done(unsafe { sys::kv_sst_writer_new(c_path.as_ptr(), c_options.as_ptr(), &mut raw) })?;
        let raw = NonNull::new(raw).ok_or_else(|| Error::no_memory("kv_sst_writer_new"))?;
        Ok(SstWriter { raw, path: path.to_path_buf() })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds `key` with `value`; `key` must sort after every key added before.
    pub fn put<K: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, key: K, value: V) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        let (v, v_len) = bytes_arg(value.as_ref());
        // SAFETY: the writer is live; key and value are valid for the call.
        check_done(unsafe { sys::kv_sst_writer_put(self.raw.as_ptr(), k, k_len, v, v_len) })
    }

    /// Adds a tombstone for `key`: once ingested, it hides the key's older
    /// versions. Same order rule as [`put`](SstWriter::put).
    pub fn delete<K: AsRef<[u8]>>(&mut self, key: K) -> Result<()> {
        let (k, k_len) = bytes_arg(key.as_ref());
        // SAFETY: the writer is live and the key valid for the call.
        check_done(unsafe { sys::kv_sst_writer_delete(self.raw.as_ptr(), k, k_len) })
    }

    /// Completes and syncs the file, ready for [`Db::ingest`](crate::Db::ingest).
    /// An error of kind [`InvalidArgument`](crate::ErrorKind::InvalidArgument)
    /// when nothing was added; on any error the partial file is removed.
    pub fn finish(self) -> Result<()> {
        // SAFETY: the writer is live; Drop frees it afterwards (keeping the
        // file when the finish succeeded).
        check_done(unsafe { sys::kv_sst_writer_finish(self.raw.as_ptr()) })
    }
}

impl fmt::Debug for SstWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SstWriter").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Drop for SstWriter {
    fn drop(&mut self) {
        // SAFETY: we own the writer and free it once; kv_sst_writer_free
        // removes the file of a writer that was not finished.
        unsafe { sys::kv_sst_writer_free(self.raw.as_ptr()) }
    }
}
