//! Compile-fail tests: the borrow rules that keep the C ABI's handles valid.
//! Nothing here is compiled into the crate; `cargo test` runs the examples.
//!
//! Each `compile_fail` example names the error it must fail with, so an
//! example that broke for another reason (a typo) would not pass. The first
//! example is the same code used correctly, to show it compiles.
//!
//! Used correctly:
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("strata-doc-ok-{}", std::process::id()));
//! let db = strata::Db::open(&dir, strata::Options::new()).unwrap();
//! let snapshot = db.snapshot().unwrap();
//! let count = db.iter().count() + snapshot.iter().count();
//! let mut cursor = db.cursor(..).unwrap();
//! cursor.first().unwrap();
//! let key = cursor.key().map(<[u8]>::to_vec);
//! cursor.next().unwrap();
//! drop((cursor, snapshot));
//! drop(db);
//! # strata::destroy(&dir).unwrap();
//! # let _ = (count, key);
//! ```
//!
//! An iterator cannot outlive its `Db` (E0505: `db` moved while borrowed):
//!
//! ```compile_fail,E0505
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! let iter = db.iter();
//! drop(db);
//! let _ = iter.count();
//! ```
//!
//! Nor be returned past it (E0515: returns a value referencing a local):
//!
//! ```compile_fail,E0515
//! fn scan() -> strata::Iter<'static> {
//!     let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//!     db.prefix(b"a")
//! }
//! ```
//!
//! A cursor cannot outlive its `Db`:
//!
//! ```compile_fail,E0505
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! let mut cursor = db.cursor(..).unwrap();
//! drop(db);
//! let _ = cursor.first();
//! ```
//!
//! A snapshot cannot outlive its `Db`:
//!
//! ```compile_fail,E0505
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! let snapshot = db.snapshot().unwrap();
//! drop(db);
//! let _ = snapshot.get(b"k");
//! ```
//!
//! An iterator over a snapshot cannot outlive the snapshot:
//!
//! ```compile_fail,E0505
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! let snapshot = db.snapshot().unwrap();
//! let iter = snapshot.iter();
//! drop(snapshot);
//! let _ = iter.count();
//! ```
//!
//! A key borrowed from a cursor is gone once the cursor moves (E0502: the
//! library reuses that memory):
//!
//! ```compile_fail,E0502
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! let mut cursor = db.cursor(..).unwrap();
//! cursor.first().unwrap();
//! let key = cursor.key();
//! cursor.next().unwrap();
//! let _ = key;
//! ```
//!
//! Iterators, cursors and batches belong to one thread at a time: they are
//! `Send` but not `Sync` (E0277: trait bound not satisfied).
//!
//! ```compile_fail,E0277
//! fn shared<T: Sync>(_: &T) {}
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! shared(&db.iter());
//! ```
//!
//! ```compile_fail,E0277
//! fn shared<T: Sync>(_: &T) {}
//! let db = strata::Db::open("/tmp/never-opened", strata::Options::new()).unwrap();
//! shared(&db.cursor(..).unwrap());
//! ```
//!
//! ```compile_fail,E0277
//! fn shared<T: Sync>(_: &T) {}
//! shared(&strata::WriteBatch::new());
//! ```
