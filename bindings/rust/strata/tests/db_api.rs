//! Every call of the safe API on a real database directory, except
//! iteration (iteration.rs) and bad input (bad_input.rs).

mod common;

use common::TempDir;
use strata::{destroy, repair, Compression, Db, ErrorKind, Memtable, Options, WriteBatch, WriteOptions};

#[test]
fn put_get_delete_with_binary_keys_and_empty_values() {
    let dir = TempDir::new("basic");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert_eq!(db.path(), dir.path());
    let binary_key = [0u8, 0xFF, 0, 1];
    db.put(binary_key, [0u8, 0, 0xFF]).unwrap();
    db.put(b"empty", b"").unwrap();
    db.put(b"", b"the empty key").unwrap();
    assert_eq!(db.get(binary_key).unwrap(), Some(vec![0, 0, 0xFF]));
    assert_eq!(db.get(b"empty").unwrap(), Some(vec![]));
    assert_eq!(db.get(b"").unwrap(), Some(b"the empty key".to_vec()));
    assert_eq!(db.get(b"absent").unwrap(), None);

    db.put(b"empty", b"now full").unwrap();
    assert_eq!(db.get(b"empty").unwrap().as_deref(), Some(&b"now full"[..]));
    db.delete(b"empty").unwrap();
    assert_eq!(db.get(b"empty").unwrap(), None);
    db.delete(b"never there").unwrap(); // not an error

    let value = db.get_value(binary_key).unwrap().unwrap();
    assert_eq!(&*value, &[0, 0, 0xFF]);
    assert_eq!(Vec::from(value), vec![0, 0, 0xFF]);
    assert!(db.get_value(b"absent").unwrap().is_none());
    let empty = db.get_value(b"").unwrap().unwrap();
    assert_eq!(empty.as_bytes(), b"the empty key");
    db.close().unwrap();
}

#[test]
fn data_survives_close_and_reopen() {
    let dir = TempDir::new("reopen");
    {
        let db = Db::open(dir.path(), Options::new()).unwrap();
        db.put(b"k", b"v").unwrap();
        db.put_opt(b"synced", b"yes", WriteOptions { sync: true }).unwrap();
        db.delete_opt(b"k", WriteOptions { sync: true }).unwrap();
        db.put_opt(b"unsynced", b"also", WriteOptions::default()).unwrap();
        db.delete_opt(b"nothing", WriteOptions::default()).unwrap();
    } // dropped: closed
    let db = Db::open(dir.path(), Options::new().create_if_missing(false)).unwrap();
    assert_eq!(db.get(b"k").unwrap(), None);
    assert_eq!(db.get(b"synced").unwrap(), Some(b"yes".to_vec()));
    assert_eq!(db.get(b"unsynced").unwrap(), Some(b"also".to_vec()));
}

#[test]
fn batches_apply_in_order_and_can_be_reused() {
    let dir = TempDir::new("batch");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.put(b"gone", b"x").unwrap();
    let mut batch = WriteBatch::new();
    assert!(batch.is_empty());
    batch.put(b"a", b"1").unwrap();
    batch.put(b"a", b"2").unwrap(); // later wins
    batch.delete(b"gone").unwrap();
    batch.put(b"b", b"").unwrap();
    assert_eq!(batch.len(), 4);
    assert_eq!(format!("{batch:?}"), "WriteBatch { len: 4 }");
    db.write(&batch).unwrap();
    assert_eq!(db.get(b"a").unwrap(), Some(b"2".to_vec()));
    assert_eq!(db.get(b"gone").unwrap(), None);
    assert_eq!(db.get(b"b").unwrap(), Some(vec![]));

    batch.clear();
    assert_eq!(batch.len(), 0);
    batch.delete(b"a").unwrap();
    db.write_opt(&batch, WriteOptions { sync: true }).unwrap();
    assert_eq!(db.get(b"a").unwrap(), None);
    db.put(b"a", b"3").unwrap();
    db.write(&batch).unwrap(); // written twice
    assert_eq!(db.get(b"a").unwrap(), None);

    let empty = WriteBatch::default();
    db.write(&empty).unwrap();
}

#[test]
fn batches_move_between_threads() {
    let dir = TempDir::new("batch-send");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let mut batch = WriteBatch::new();
    batch.put(b"from", b"another thread").unwrap();
    let batch = std::thread::spawn(move || {
        let mut batch = batch;
        batch.put(b"and", b"back").unwrap();
        batch
    })
    .join()
    .unwrap();
    db.write(&batch).unwrap();
    assert_eq!(db.get(b"and").unwrap(), Some(b"back".to_vec()));
}

#[test]
fn multi_get_reads_many_keys_in_one_call() {
    let dir = TempDir::new("multi");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.put(b"a", b"1").unwrap();
    db.put(b"c", b"").unwrap();
    db.put(b"d", vec![7u8; 10_000]).unwrap();
    let keys: [&[u8]; 6] = [b"d", b"a", b"b", b"c", b"a", b""];
    let values = db.multi_get(&keys).unwrap();
    assert_eq!(
        values,
        [Some(vec![7u8; 10_000]), Some(b"1".to_vec()), None, Some(vec![]), Some(b"1".to_vec()), None]
    );
    assert!(db.multi_get::<&[u8]>(&[]).unwrap().is_empty());
    assert_eq!(db.multi_get(&[b"x", b"y"]).unwrap(), [None, None]); // nothing found
    let owned_keys = vec![b"a".to_vec(), b"d".to_vec()];
    assert_eq!(db.multi_get(&owned_keys).unwrap()[0], Some(b"1".to_vec()));
}

#[test]
fn multi_get_values_reads_in_place_what_multi_get_copies() {
    let dir = TempDir::new("multi-values");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.put(b"a", b"1").unwrap();
    db.put(b"c", b"").unwrap();
    db.put(b"d", vec![7u8; 10_000]).unwrap();
    let keys: [&[u8]; 6] = [b"d", b"a", b"b", b"c", b"a", b""];
    fn send_and_sync<T: Send + Sync>(_: &T) {}
    let values = db.multi_get_values(&keys).unwrap();
    send_and_sync(&values);
    assert_eq!(values.len(), keys.len());
    assert_eq!(values.to_vecs(), db.multi_get(&keys).unwrap());
    assert_eq!(values.value(0), Some(&[7u8; 10_000][..]));
    assert_eq!(values.value(2), None);
    assert_eq!(values.value(3), Some(&b""[..]));
    let backward: Vec<Option<&[u8]>> = values.iter().rev().collect();
    assert_eq!(
        backward,
        [None, Some(&b"1"[..]), Some(&b""[..]), None, Some(&b"1"[..]), Some(&[7u8; 10_000][..])]
    );
    assert!(db.multi_get_values::<&[u8]>(&[]).unwrap().is_empty());
    let nothing = db.multi_get_values(&[b"x", b"y"]).unwrap(); // no buffer at all
    assert_eq!(nothing.iter().collect::<Vec<_>>(), [None, None]);
    assert_eq!(format!("{nothing:?}"), "[None, None]");

    // The values outlive the database handle's later writes: they are a copy
    // the library made for this call.
    db.put(b"a", b"changed").unwrap();
    assert_eq!(values.value(1), Some(&b"1"[..]));
    let snapshot = db.snapshot().unwrap();
    db.put(b"b", b"later").unwrap();
    assert_eq!(
        snapshot.multi_get_values(&[b"a", b"b"]).unwrap().to_vecs(),
        [Some(b"changed".to_vec()), None]
    );
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn multi_values_index_past_the_end_panics() {
    let dir = TempDir::new("multi-values-panic");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.multi_get_values(&[b"a"]).unwrap().value(1);
}

#[test]
fn options_are_applied_and_readable() {
    let options = Options::new()
        .create_if_missing(true)
        .error_if_exists(false)
        .sync(true)
        .memtable_bytes(1 << 20)
        .memtable(Memtable::RbTree)
        .block_cache_bytes(8 << 20)
        .bloom_bits_per_key(12)
        .block_bytes(8192)
        .compression(Compression::Zstd)
        .background_threads(1)
        .set("max_open_files", "100");
    let expected = [
        ("create_if_missing", "true"),
        ("error_if_exists", "false"),
        ("sync", "true"),
        ("memtable", "rbtree"),
        ("bloom_bits_per_key", "12"),
        ("compression", "zstd"),
        ("background_threads", "1"),
        ("max_open_files", "100"),
    ];
    for (name, value) in expected {
        assert_eq!(options.get(name).unwrap(), value, "option {name}");
    }
    for name in ["memtable_bytes", "block_cache_bytes", "block_bytes"] {
        assert!(!options.get(name).unwrap().is_empty());
    }
    // Setting a name again replaces its value.
    assert_eq!(options.clone().memtable(Memtable::Avl).get("memtable").unwrap(), "avl");
    assert_eq!(Options::new().get("memtable").unwrap(), "skiplist");
    assert_eq!(Options::new().compression(Compression::Lz4).get("compression").unwrap(), "lz4");
    assert_eq!(Options::new().memtable(Memtable::SkipList).get("memtable").unwrap(), "skiplist");
    // Mapping: auto unless forced either way; auto's bound in bytes.
    assert_eq!(Options::new().get("mmap_reads").unwrap(), "auto");
    assert_eq!(Options::new().mmap_reads(false).get("mmap_reads").unwrap(), "false");
    assert_eq!(Options::new().mmap_reads(true).get("mmap_reads").unwrap(), "true");
    let bounded = Options::new().mmap_reads_max_bytes(1 << 30);
    assert_eq!(bounded.get("mmap_reads_max_bytes").unwrap(), "1073741824");
    // The log through a mapping unless turned off.
    assert_eq!(Options::new().get("wal_mmap").unwrap(), "true");
    assert_eq!(Options::new().wal_mmap(false).get("wal_mmap").unwrap(), "false");
    assert_eq!(Options::new().get("block_align").unwrap(), "true");
    assert_eq!(Options::new().block_align(false).get("block_align").unwrap(), "false");

    for memtable in [Memtable::SkipList, Memtable::RbTree, Memtable::Avl] {
        let dir = TempDir::new("memtables");
        let db = Db::open(dir.path(), options.clone().memtable(memtable)).unwrap();
        for i in 0..200u32 {
            db.put(i.to_be_bytes(), i.to_le_bytes()).unwrap();
        }
        assert_eq!(db.get(7u32.to_be_bytes()).unwrap(), Some(7u32.to_le_bytes().to_vec()));
        assert_eq!(db.iter().count(), 200);
    }
}

#[test]
fn create_if_missing_and_error_if_exists() {
    let dir = TempDir::new("create");
    let err = Db::open(dir.sub("missing"), Options::new().create_if_missing(false)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    drop(Db::open(dir.sub("db"), Options::new()).unwrap());
    let err = Db::open(dir.sub("db"), Options::new().error_if_exists(true)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.message().contains("exists"), "{err}");
}

#[test]
fn a_second_handle_is_busy() {
    let dir = TempDir::new("busy");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let err = Db::open(dir.path(), Options::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy);
    assert_eq!(err.status(), strata_sys::KV_BUSY);
    assert!(err.to_string().ends_with("(KV_BUSY)"), "{err}");
    let err = destroy(dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
    drop(db);
    drop(Db::open(dir.path(), Options::new()).unwrap()); // the lock was released
}

#[test]
fn maintenance_calls_and_properties() {
    let dir = TempDir::new("maintenance");
    let db = Db::open(dir.path(), Options::new().memtable_bytes(64 << 10)).unwrap();
    for i in 0..3000u32 {
        db.put(format!("key{i:05}"), vec![b'v'; 100]).unwrap();
    }
    db.flush().unwrap();
    db.wait_compactions().unwrap();
    db.resume().unwrap(); // writes were never stopped: nothing to do
    let tables: u64 = (0..7)
        .map(|level| db.property(&format!("num-files-at-level{level}")).unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(tables > 0);
    assert!(db.property("total-table-bytes").unwrap().parse::<u64>().unwrap() > 100_000);
    assert!(db.property("memtable-bytes").unwrap().parse::<u64>().is_ok());
    assert!(db.property("last-sequence").unwrap().parse::<u64>().unwrap() >= 3000);
    let sstables = db.property("sstables").unwrap();
    assert_eq!(sstables.lines().count() as u64, tables, "{sstables}");
    let stats = db.stats().unwrap();
    assert!(!stats.is_empty());
    assert!(stats.lines().count() > 1, "{stats}");

    for i in (0..3000u32).step_by(2) {
        db.delete(format!("key{i:05}")).unwrap();
    }
    db.compact_range(b"key00000"..b"key01000").unwrap();
    db.compact_range(..).unwrap();
    db.compact_range("key02000"..).unwrap();
    db.wait_compactions().unwrap();
    db.verify().unwrap();
    assert_eq!(db.iter().count(), 1500);
    assert_eq!(db.get(b"key00001").unwrap(), Some(vec![b'v'; 100]));
    assert_eq!(db.get(b"key00002").unwrap(), None);
}

#[test]
fn checkpoint_is_an_openable_copy() {
    let dir = TempDir::new("checkpoint");
    let db = Db::open(dir.sub("db"), Options::new().memtable_bytes(32 << 10)).unwrap();
    for i in 0..1000u32 {
        db.put(i.to_be_bytes(), format!("value {i}")).unwrap();
    }
    db.flush().unwrap();
    db.put(b"in the log only", b"yes").unwrap();
    db.checkpoint(dir.sub("copy")).unwrap();
    db.put(b"after the checkpoint", b"not in the copy").unwrap();
    let err = db.checkpoint(dir.sub("copy")).unwrap_err(); // exists already
    assert_ne!(err.message(), "");

    let copy = Db::open(dir.sub("copy"), Options::new().create_if_missing(false)).unwrap();
    assert_eq!(copy.get(b"in the log only").unwrap(), Some(b"yes".to_vec()));
    assert_eq!(copy.get(b"after the checkpoint").unwrap(), None);
    assert_eq!(copy.get(999u32.to_be_bytes()).unwrap(), Some(b"value 999".to_vec()));
    assert_eq!(copy.iter().count(), 1001);
    copy.verify().unwrap();
}

#[test]
fn destroy_removes_a_closed_database() {
    let dir = TempDir::new("destroy");
    let path = dir.sub("db");
    let db = Db::open(&path, Options::new()).unwrap();
    db.put(b"k", b"v").unwrap();
    db.close().unwrap();
    assert!(path.exists());
    destroy(&path).unwrap();
    assert!(!path.exists());
    destroy(&path).unwrap(); // nothing there: fine
    let db = Db::open(&path, Options::new()).unwrap();
    assert_eq!(db.get(b"k").unwrap(), None);
}

#[test]
fn repair_rebuilds_a_lost_manifest() {
    let dir = TempDir::new("repair");
    let path = dir.sub("db");
    {
        let db = Db::open(&path, Options::new().memtable_bytes(32 << 10)).unwrap();
        for i in 0..2000u32 {
            db.put(format!("k{i:05}"), format!("v{i}")).unwrap();
        }
        db.flush().unwrap();
        db.put(b"log only", b"still here").unwrap();
    }
    let err = repair(&path, Options::new().set("memtable", "nonsense")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");

    // Lose the manifest and CURRENT: the database no longer opens as it was.
    for entry in std::fs::read_dir(&path).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "CURRENT" || name.starts_with("MANIFEST") {
            std::fs::remove_file(path.join(&name)).unwrap();
        }
    }
    let report = repair(&path, Options::new()).unwrap();
    assert!(report.contains("tables kept"), "{report}");
    let db = Db::open(&path, Options::new().create_if_missing(false)).unwrap();
    assert_eq!(db.iter().count(), 2001);
    assert_eq!(db.get(b"k01999").unwrap(), Some(b"v1999".to_vec()));
    assert_eq!(db.get(b"log only").unwrap(), Some(b"still here".to_vec()));

    let err = repair(&path, Options::new()).unwrap_err(); // open: busy
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
}

#[test]
fn version_is_the_library_version() {
    let version = strata::version();
    let parts: Vec<&str> = version.split('.').collect();
    assert_eq!(parts.len(), 3, "{version}");
    assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{version}");
    // The library linked is the one kv.h describes (major and minor).
    let header = [strata_sys::KV_VERSION_MAJOR.to_string(), strata_sys::KV_VERSION_MINOR.to_string()];
    assert_eq!(parts[..2], header, "library {version}, kv.h {}.{}", header[0], header[1]);
}

#[test]
fn handles_are_send_and_sync_as_the_c_abi_allows() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Db>();
    sync::<Db>();
    send::<strata::Snapshot<'static>>();
    sync::<strata::Snapshot<'static>>();
    send::<strata::Iter<'static>>();
    send::<strata::Cursor<'static>>();
    send::<WriteBatch>();
    send::<strata::Value>();
    sync::<strata::Value>();
    send::<strata::Error>();
    sync::<strata::Error>();
    sync::<Options>();
}
