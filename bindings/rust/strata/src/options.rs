//! `Options`: how a database is opened, as a builder over the option names of
//! the C ABI (docs/OPTIONS.md).

use std::ptr::{self, NonNull};

use strata_sys as sys;

use crate::conversions::{str_to_cstring, take_c_string};
use crate::error::{check_done, Error, Result};

/// The sorted container behind the memtable (option `memtable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Memtable {
    /// A skip list with lock-free reads (the default).
    #[default]
    SkipList,
    /// A red-black tree, meant for write-heavy use.
    RbTree,
    /// An AVL tree, meant for read-heavy use.
    Avl,
}

impl Memtable {
    /// The option value, e.g. `"skiplist"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Memtable::SkipList => "skiplist",
            Memtable::RbTree => "rbtree",
            Memtable::Avl => "avl",
        }
    }
}

/// The codec for table blocks (option `compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// No compression (the default).
    #[default]
    None,
    /// LZ4: fast, moderate ratio.
    Lz4,
    /// Zstandard: slower, better ratio.
    Zstd,
}

impl Compression {
    /// The option value, e.g. `"lz4"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }
}

/// Options for [`Db::open`](crate::Db::open) and [`repair`](crate::repair).
///
/// A builder: each method sets one option by its C ABI name and returns the
/// options. Options left unset keep the library's defaults. Values are checked
/// by the library when the database opens: an unknown name or a bad value
/// makes `Db::open` fail with [`ErrorKind::InvalidArgument`](crate::ErrorKind)
/// and a message naming the option.
///
/// ```
/// use strata::{Compression, Memtable, Options};
///
/// let options = Options::new()
///     .memtable_bytes(16 << 20)
///     .memtable(Memtable::Avl)
///     .compression(Compression::Lz4)
///     .set("l0_compaction_trigger", "8"); // any option of docs/OPTIONS.md by name
/// assert_eq!(options.get("memtable")?, "avl");
/// assert_eq!(options.get("bloom_bits_per_key")?, "10"); // the default
/// # Ok::<(), strata::Error>(())
/// ```
///
/// `Options` is plain data: `Clone`, `Send` and `Sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// (name, value) in the order set; a name appears at most once.
    settings: Vec<(String, String)>,
}

impl Options {
    /// No option set: the library's defaults.
    pub fn new() -> Options {
        Options::default()
    }

    /// Sets any option by its name, with the value as text, e.g.
    /// `set("max_open_files", "500")`. For the options of the contract the
    /// typed methods below are simpler.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Options {
        let (name, value) = (name.into(), value.into());
        match self.settings.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.settings.push((name, value)),
        }
        self
    }

    /// Create the database if it does not exist (default `true`).
    pub fn create_if_missing(self, yes: bool) -> Options {
        self.set("create_if_missing", bool_text(yes))
    }

    /// Fail if the database already exists (default `false`).
    pub fn error_if_exists(self, yes: bool) -> Options {
        self.set("error_if_exists", bool_text(yes))
    }

    /// Open an existing database as it stands and write nothing to its
    /// directory (default `false`): any number of read-only handles, in this
    /// process or others, may have it open at once; a writer and read-only
    /// handles exclude each other (kind [`Busy`](crate::ErrorKind::Busy)).
    /// Writes, flushes, compactions, checkpoints and transactions fail with
    /// kind [`NotSupported`](crate::ErrorKind::NotSupported). A missing
    /// database is never created.
    pub fn read_only(self, yes: bool) -> Options {
        self.set("read_only", bool_text(yes))
    }

    /// Fsync every write before acknowledging it (default `false`). See
    /// [`WriteOptions`](crate::WriteOptions) to sync single writes instead.
    pub fn sync(self, yes: bool) -> Options {
        self.set("sync", bool_text(yes))
    }

    /// Buffered write-ahead log (default 0, off): unsynced writes gather in
    /// the process and reach the OS in one write once `bytes` are buffered
    /// or [`wal_buffer_delay_ms`](Options::wal_buffer_delay_ms) after the
    /// first of them. A crash of the process loses what is still buffered
    /// (docs/DURABILITY.md); synced writes, flushes and close write it first.
    pub fn wal_buffer_bytes(self, bytes: u64) -> Options {
        self.set("wal_buffer_bytes", bytes.to_string())
    }

    /// The longest a buffered write waits before it reaches the OS
    /// (default 10 ms; used only with `wal_buffer_bytes`).
    pub fn wal_buffer_delay_ms(self, ms: u32) -> Options {
        self.set("wal_buffer_delay_ms", ms.to_string())
    }

    /// How the write-ahead log is written (`wal_mmap`; default `true`):
    /// records are copied into a shared mapping of the log, or with `false`
    /// written with one `write(2)` per write group. Either way an
    /// acknowledged write survives a crash of the process; the mapping
    /// saves a system call per write (docs/DURABILITY.md).
    pub fn wal_mmap(self, yes: bool) -> Options {
        self.set("wal_mmap", bool_text(yes))
    }

    /// Memtable size in bytes before it is flushed to a table (default 64 MiB).
    pub fn memtable_bytes(self, bytes: u64) -> Options {
        self.set("memtable_bytes", bytes.to_string())
    }

    /// The memtable's sorted container (default [`Memtable::SkipList`]).
    pub fn memtable(self, kind: Memtable) -> Options {
        self.set("memtable", kind.as_str())
    }

    /// With `true`, point lookups in the memtable go through a hash index
    /// from key to its newest entry (`memtable_index=hash`; default off):
    /// for read-heavy use, at some cost per write (docs/OPTIONS.md).
    pub fn memtable_hash_index(self, yes: bool) -> Options {
        self.set("memtable_index", if yes { "hash" } else { "none" })
    }

    /// With `true` every table file is read through a memory mapping, with
    /// `false` none (`mmap_reads`). Unset, strata maps a table while the live
    /// tables total at most [`Options::mmap_reads_max_bytes`] (`auto`): lookups
    /// of data that fits in memory take no copy and no cache insert, and
    /// once the tables outgrow memory pread is faster (docs/OPTIONS.md).
    pub fn mmap_reads(self, yes: bool) -> Options {
        self.set("mmap_reads", if yes { "true" } else { "false" })
    }

    /// The bound `auto` mapping keeps to (`mmap_reads_max_bytes`; default 0:
    /// half the memory this process may use, physical memory or its
    /// cgroup's limit).
    pub fn mmap_reads_max_bytes(self, bytes: u64) -> Options {
        self.set("mmap_reads_max_bytes", bytes.to_string())
    }

    /// Block cache budget in bytes; 0 disables caching (default 64 MiB).
    pub fn block_cache_bytes(self, bytes: u64) -> Options {
        self.set("block_cache_bytes", bytes.to_string())
    }

    /// Bloom filter bits per key; 0 disables filters (default 10).
    pub fn bloom_bits_per_key(self, bits: u32) -> Options {
        self.set("bloom_bits_per_key", bits.to_string())
    }

    /// Target size of a table's data blocks in bytes (default 4096).
    pub fn block_bytes(self, bytes: u64) -> Options {
        self.set("block_bytes", bytes.to_string())
    }

    /// Whether data blocks are aligned (`block_align`; default `true`): with
    /// no compression and a power of two for `block_bytes`, each block fits
    /// in `block_bytes` and starts at a multiple of it, so a lookup that
    /// misses memory reads one page; `false` lets blocks straddle.
    pub fn block_align(self, yes: bool) -> Options {
        self.set("block_align", bool_text(yes))
    }

    /// The codec for table blocks (default [`Compression::None`]).
    pub fn compression(self, codec: Compression) -> Options {
        self.set("compression", codec.as_str())
    }

    /// Threads for flushes and compactions (default 2).
    pub fn background_threads(self, threads: u32) -> Options {
        self.set("background_threads", threads.to_string())
    }

    /// How much nicer (0..=19) the compacting threads run than the process,
    /// so that on busy cores they give way to writers and the flusher
    /// (default 5; 0 keeps them at the process's priority).
    pub fn compaction_nice(self, nice: u32) -> Options {
        self.set("compaction_nice", nice.to_string())
    }

    /// `auto_resume`: after writes stop for lack of disk space, retry on a
    /// back-off and go on once space is back (default true); `false` leaves
    /// it to [`Db::resume`](crate::Db::resume).
    pub fn auto_resume(self, on: bool) -> Options {
        self.set("auto_resume", on.to_string())
    }

    /// The value the library would use for option `name` with these options:
    /// what was set (as the library normalised it) or the default. An unknown
    /// name, or a bad value among the options set, is an error.
    pub fn get(&self, name: &str) -> Result<String> {
        let handle = self.to_c()?;
        let name = str_to_cstring(name, "Options::get")?;
        let mut value = ptr::null_mut();
        // SAFETY: handle and name are valid; on KV_OK `value` is a string we own.
        let status = unsafe { sys::kv_options_get(handle.as_ptr(), name.as_ptr(), &mut value) };
        // The status first: it reads this thread's error message, which the
        // kv_free inside take_c_string is allowed to replace.
        let result = check_done(status);
        // SAFETY: `value` is NULL or ours to free.
        let text = unsafe { take_c_string(value) };
        result.map(|()| text)
    }

    /// A `kv_options` holding these settings, applied in order; the first one
    /// the library rejects is the error.
    pub(crate) fn to_c(&self) -> Result<OptionsHandle> {
        // SAFETY: kv_options_new has no preconditions.
        let raw = NonNull::new(unsafe { sys::kv_options_new() })
            .ok_or_else(|| Error::no_memory("kv_options_new"))?;
        let handle = OptionsHandle(raw);
        for (name, value) in &self.settings {
            let c_name = str_to_cstring(name, "option name")?;
            let c_value = str_to_cstring(value, &format!("option {name}"))?;
            // SAFETY: all three pointers are valid for the call.
            check_done(unsafe { sys::kv_options_set(raw.as_ptr(), c_name.as_ptr(), c_value.as_ptr()) })?;
        }
        Ok(handle)
    }
}

fn bool_text(yes: bool) -> &'static str {
    if yes {
        "true"
    } else {
        "false"
    }
}

/// An owned `kv_options`, freed on drop. Lives only for the call that needs it.
pub(crate) struct OptionsHandle(NonNull<sys::kv_options>);

impl OptionsHandle {
    pub(crate) fn as_ptr(&self) -> *mut sys::kv_options {
        self.0.as_ptr()
    }
}

impl Drop for OptionsHandle {
    fn drop(&mut self) {
        // SAFETY: we own the handle and free it once.
        unsafe { sys::kv_options_free(self.0.as_ptr()) }
    }
}
