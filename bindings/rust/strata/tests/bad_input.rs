//! Bad input gets a clear error, never a crash: over-long keys and values,
//! bad option names and values, paths with NUL bytes, unknown properties.

mod common;

use common::TempDir;
use strata::{
    destroy, repair, Db, Error, ErrorKind, Options, WriteBatch, WriteOptions, MAX_KEY_LEN, MAX_VALUE_LEN,
};

fn assert_invalid(result: Result<impl std::fmt::Debug, Error>, mentions: &str) {
    let err = result.expect_err("bad input was accepted");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert_eq!(err.status(), strata_sys::KV_INVALID_ARGUMENT);
    assert!(err.message().contains(mentions), "message {:?} should mention {mentions:?}", err.message());
    assert!(err.to_string().contains("KV_INVALID_ARGUMENT"), "{err}");
}

#[test]
fn over_long_keys_are_rejected_everywhere() {
    let dir = TempDir::new("long-keys");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let longest = vec![b'k'; MAX_KEY_LEN];
    let too_long = vec![b'k'; MAX_KEY_LEN + 1];
    db.put(&longest, b"fits").unwrap();
    assert_eq!(db.get(&longest).unwrap(), Some(b"fits".to_vec()));

    assert_invalid(db.put(&too_long, b"v"), "KV_MAX_KEY_LEN");
    assert_invalid(db.put_opt(&too_long, b"v", WriteOptions { sync: true }), "KV_MAX_KEY_LEN");
    assert_invalid(db.get(&too_long), "KV_MAX_KEY_LEN");
    assert_invalid(db.get_value(&too_long), "KV_MAX_KEY_LEN");
    assert_invalid(db.delete(&too_long), "KV_MAX_KEY_LEN");
    assert_invalid(db.delete_opt(&too_long, WriteOptions::default()), "KV_MAX_KEY_LEN");
    assert_invalid(db.multi_get(&[&b"ok"[..], &too_long]), "KV_MAX_KEY_LEN");
    assert_invalid(db.multi_get_values(&[&b"ok"[..], &too_long]), "KV_MAX_KEY_LEN");
    let snapshot = db.snapshot().unwrap();
    assert_invalid(snapshot.get(&too_long), "KV_MAX_KEY_LEN");
    assert_invalid(snapshot.multi_get(&[&too_long]), "KV_MAX_KEY_LEN");
    assert_invalid(snapshot.multi_get_values(&[&too_long]), "KV_MAX_KEY_LEN");

    let mut batch = WriteBatch::new();
    assert_invalid(batch.put(&too_long, b"v"), "KV_MAX_KEY_LEN");
    assert_invalid(batch.delete(&too_long), "KV_MAX_KEY_LEN");
    assert!(batch.is_empty()); // a rejected operation is not added

    let mut cursor = db.cursor(..).unwrap();
    assert_invalid(cursor.seek(&too_long), "KV_MAX_KEY_LEN");
    assert!(!cursor.valid());
    assert_invalid(cursor.seek_for_prev(&too_long), "KV_MAX_KEY_LEN");
    assert!(cursor.first().unwrap()); // still usable after a rejected target
    assert_invalid(db.prefix_cursor(&too_long), "KV_MAX_KEY_LEN");
    assert_invalid(db.cursor(too_long.as_slice()..), "KV_MAX_KEY_LEN");
    assert_invalid(db.cursor(..too_long.as_slice()), "KV_MAX_KEY_LEN");
    assert_invalid(db.compact_range(too_long.as_slice()..), "KV_MAX_KEY_LEN");

    // An iterator reports a bad bound as its first item, then ends.
    let mut iter = db.range(too_long.as_slice()..);
    assert_invalid(iter.next().unwrap(), "KV_MAX_KEY_LEN");
    assert!(iter.next().is_none());
    let mut iter = snapshot.prefix(&too_long);
    assert_invalid(iter.next_back().unwrap(), "KV_MAX_KEY_LEN");
    assert!(iter.next_back().is_none());

    // A bound at the longest key is valid, inclusive or not.
    assert_eq!(db.range(..=longest.as_slice()).count(), 1);
    assert_eq!(db.range(longest.as_slice()..=longest.as_slice()).count(), 1);
    let after: (std::ops::Bound<&[u8]>, std::ops::Bound<&[u8]>) =
        (std::ops::Bound::Excluded(&longest), std::ops::Bound::Unbounded);
    assert_eq!(db.range(after).count(), 0);
}

#[test]
fn over_long_values_are_rejected() {
    let dir = TempDir::new("long-values");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    // Zeroed memory is mapped lazily: the library rejects the length without
    // reading the bytes, so this does not touch 1 GiB.
    let too_long = vec![0u8; MAX_VALUE_LEN + 1];
    assert_invalid(db.put(b"k", &too_long), "KV_MAX_VALUE_LEN");
    assert_invalid(db.put_opt(b"k", &too_long, WriteOptions { sync: true }), "KV_MAX_VALUE_LEN");
    assert_invalid(WriteBatch::new().put(b"k", &too_long), "KV_MAX_VALUE_LEN");
    assert_eq!(db.get(b"k").unwrap(), None);
}

#[test]
fn bad_option_names_and_values_name_the_option() {
    let dir = TempDir::new("bad-options");
    let cases = [
        (Options::new().set("no_such_option", "1"), "no_such_option"),
        (Options::new().set("memtable", "btree"), "memtable"),
        (Options::new().set("create_if_missing", "maybe"), "create_if_missing"),
        (Options::new().set("memtable_bytes", "12Q"), "memtable_bytes"),
        (Options::new().set("compression", "brotli"), "compression"),
        (Options::new().set("bloom_bits_per_key", "-1"), "bloom_bits_per_key"),
        (Options::new().memtable_bytes(1), "memtable_bytes"),
        (Options::new().memtable_bytes(1 << 50), "memtable_bytes"),
    ];
    for (options, name) in cases {
        assert_invalid(Db::open(dir.sub("db"), options.clone()), name);
        assert_invalid(options.get("memtable"), name);
        assert_invalid(repair(dir.sub("db"), options), name);
    }
    assert!(!dir.sub("db").exists(), "a rejected open must not create the database");
    assert_invalid(Options::new().get("no_such_option"), "no_such_option");
    assert_nul(Db::open(dir.sub("db"), Options::new().set("memtable", "skip\0list")), 4);
    assert_nul(Db::open(dir.sub("db"), Options::new().set("sync\0", "true")), 4);
    assert_nul(Options::new().get("sync\0"), 4);
}

/// A NUL byte in a path or string: refused before the library is called,
/// with the `NulError` (and where the NUL was) as the error's source.
fn assert_nul(result: Result<impl std::fmt::Debug, Error>, nul_position: usize) {
    let err = result.expect_err("a NUL byte was accepted");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.message().contains("NUL"), "{err}");
    let source = std::error::Error::source(&err).expect("a NUL error has a source");
    let nul = source.downcast_ref::<std::ffi::NulError>().expect("the source is the NulError");
    assert_eq!(nul.nul_position(), nul_position);
}

#[test]
fn paths_with_nul_bytes_are_rejected() {
    let dir = TempDir::new("nul-paths");
    let bad = dir.path().join("a\0b");
    let nul_at = dir.path().as_os_str().len() + 2; // after "<dir>/a"
    assert_nul(Db::open(&bad, Options::new()), nul_at);
    assert_nul(destroy(&bad), nul_at);
    assert_nul(repair(&bad, Options::new()), nul_at);
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    assert_nul(db.checkpoint(&bad), nul_at);
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "nothing but the database was created");
}

#[test]
fn other_bad_arguments() {
    let dir = TempDir::new("bad-misc");
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    assert_invalid(db.property("no-such-property"), "no-such-property");
    assert_nul(db.property("stats\0"), 5);
    assert_invalid(repair("", Options::new()), "empty");

    // A file where a directory is expected.
    let file = dir.sub("file");
    std::fs::write(&file, b"not a database").unwrap();
    let err = Db::open(&file, Options::new()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Io | ErrorKind::InvalidArgument), "{err}");
    let err = db.checkpoint(&file).unwrap_err();
    assert!(!err.message().is_empty());
}

#[test]
fn errors_are_std_errors_with_kind_status_and_message() {
    let dir = TempDir::new("error-type");
    let err = Db::open(dir.sub("missing"), Options::new().create_if_missing(false)).unwrap_err();
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err.clone());
    assert!(boxed.source().is_none(), "an error from the library has no Rust error underneath");
    assert_eq!(boxed.to_string(), format!("{} (KV_INVALID_ARGUMENT)", err.message()));
    assert!(err.message().contains("create_if_missing"), "{err}");
    assert!(format!("{err:?}").contains("InvalidArgument"));
}
