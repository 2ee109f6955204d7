//! strata: an embeddable, ordered key-value store (a log-structured merge
//! tree), through its C ABI `libstrata`.
//!
//! Keys and values are arbitrary bytes; keys are ordered bytewise. Writes go
//! to a write-ahead log and a memtable, flushed into tables and compacted in
//! the background. Every read sees a consistent state.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("strata-doc-crate-{}", std::process::id()));
//! # let _ = strata::destroy(&dir);
//! use strata::{Db, Options, WriteBatch, WriteOptions};
//!
//! let db = Db::open(&dir, Options::new().memtable_bytes(16 << 20))?;
//! db.put(b"apple", b"red")?;
//! assert_eq!(db.get(b"apple")?, Some(b"red".to_vec()));
//!
//! let mut batch = WriteBatch::new(); // all or nothing
//! batch.put(b"fruit:kiwi", b"green")?;
//! batch.put(b"fruit:lime", b"green")?;
//! batch.delete(b"apple")?;
//! db.write_opt(&batch, WriteOptions { sync: true })?; // durable before it returns
//!
//! for entry in db.prefix(b"fruit:").rev() {
//!     let (key, value) = entry?; // errors are items, never hidden
//!     println!("{} = {}", String::from_utf8_lossy(&key), String::from_utf8_lossy(&value));
//! }
//! # drop(db);
//! # strata::destroy(&dir)?;
//! # Ok::<(), strata::Error>(())
//! ```
//!
//! # The types
//!
//! - [`Db`]: an open database; `Send + Sync`, share it across threads.
//! - [`Options`]: every option of the C ABI, as a builder.
//! - [`WriteBatch`] and [`WriteOptions`]: atomic and durable writes.
//! - [`Iter`]: a key range as a double-ended `Iterator` of `Result` items.
//! - [`Cursor`]: seek and step by hand, reading entries in place.
//! - [`Snapshot`]: a pinned state to read from consistently.
//! - [`Transaction`]: optimistic read-modify-write, committed all at once
//!   or refused with [`ErrorKind::Conflict`].
//! - [`Value`] and [`MultiValues`]: values read without a copy out of the
//!   library's buffer (`get_value`, `multi_get_values`).
//! - [`Error`] and [`ErrorKind`]: the C status code and message.
//!
//! Iterators, cursors and snapshots borrow the `Db` that made them, so the
//! compiler rejects any use after the database is dropped.
//!
//! # Linking
//!
//! With the default `bundled` feature, `strata-kv-sys` compiles the engine
//! from its C++ sources (CMake, a C++20 compiler, pkg-config and the lz4,
//! zstd and xxhash development files are needed at build time) and links it
//! statically: the program needs nothing at run time. With
//! `default-features = false` it links an installed `libstrata` found
//! through `pkg-config strata`. See docs/RUST.md.

#![warn(missing_docs)]

mod bounds;
mod conversions;
mod cursor;
mod db;
mod error;
mod iter;
mod lifetimes;
mod multi_values;
mod offline;
mod options;
mod read;
mod snapshot;
mod sst_writer;
mod transaction;
mod value;
mod write_batch;
mod write_options;

pub use bounds::KeyRange;
pub use cursor::Cursor;
pub use db::Db;
pub use error::{Error, ErrorKind, Result};
pub use iter::Iter;
pub use multi_values::MultiValues;
pub use offline::{destroy, repair};
pub use options::{Compression, Memtable, Options};
pub use snapshot::Snapshot;
pub use sst_writer::SstWriter;
pub use transaction::Transaction;
pub use value::Value;
pub use write_batch::WriteBatch;
pub use write_options::WriteOptions;

/// The longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = strata_sys::KV_MAX_KEY_LEN;
/// The longest value accepted, in bytes.
pub const MAX_VALUE_LEN: usize = strata_sys::KV_MAX_VALUE_LEN;

/// The version of the library linked at run time, e.g. `"0.2.0"`.
///
/// ```
/// assert!(strata::version().starts_with("0."));
/// ```
pub fn version() -> &'static str {
    // SAFETY: kv_version returns a static NUL-terminated string.
    let version = unsafe { std::ffi::CStr::from_ptr(strata_sys::kv_version()) };
    version.to_str().unwrap_or("unknown")
}
