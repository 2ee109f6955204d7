//! `SstWriter` and `Db::ingest`: files written outside the database, then
//! added to it atomically, moved or copied.

mod common;

use std::path::PathBuf;

use common::TempDir;
use strata::{Db, ErrorKind, Options, SstWriter};

fn key(prefix: &str, i: u32) -> Vec<u8> {
    format!("{prefix}{i:05}").into_bytes()
}

/// A finished file holding `prefix` keys `range`, with value `v<i>`.
fn write_sst(path: PathBuf, prefix: &str, range: std::ops::Range<u32>) -> PathBuf {
    let mut writer = SstWriter::new(&path, &Options::new()).unwrap();
    for i in range {
        writer.put(key(prefix, i), format!("v{i}")).unwrap();
    }
    writer.finish().unwrap();
    path
}

fn count(db: &Db) -> usize {
    db.iter().count()
}

#[test]
fn ingested_keys_are_visible_and_newer_than_earlier_writes() {
    let dir = TempDir::new("ingest-visible");
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    db.put(key("a", 3), "old").unwrap();
    db.put(key("a", 5), "doomed").unwrap();
    db.put("z", "untouched").unwrap();
    let mut writer = SstWriter::new(dir.sub("one.sst"), &Options::new().block_bytes(1024)).unwrap();
    for i in 0..100 {
        if i == 5 {
            writer.delete(key("a", i)).unwrap();
        } else {
            writer.put(key("a", i), format!("v{i}")).unwrap();
        }
    }
    assert_eq!(writer.path(), dir.sub("one.sst"));
    writer.finish().unwrap();
    let snapshot = db.snapshot().unwrap();
    db.ingest(&[dir.sub("one.sst")], false).unwrap();
    assert_eq!(db.get(key("a", 3)).unwrap(), Some(b"v3".to_vec()));
    assert_eq!(db.get(key("a", 5)).unwrap(), None);
    assert_eq!(db.get("z").unwrap(), Some(b"untouched".to_vec()));
    assert_eq!(count(&db), 100);
    // A snapshot taken before the ingest does not see it.
    assert_eq!(snapshot.get(key("a", 3)).unwrap(), Some(b"old".to_vec()));
    assert_eq!(snapshot.get(key("a", 50)).unwrap(), None);
    assert_eq!(snapshot.iter().count(), 3);
    // A later write wins over the file.
    db.put(key("a", 3), "after").unwrap();
    assert_eq!(db.get(key("a", 3)).unwrap(), Some(b"after".to_vec()));
}

#[test]
fn unsorted_keys_are_refused_and_the_writer_stays_usable() {
    let dir = TempDir::new("ingest-unsorted");
    let mut writer = SstWriter::new(dir.sub("w.sst"), &Options::new()).unwrap();
    writer.put("k2", "x").unwrap();
    assert_eq!(writer.put("k1", "x").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(writer.put("k2", "again").unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(writer.delete("k0").unwrap_err().kind(), ErrorKind::InvalidArgument);
    writer.put("k3", "y").unwrap();
    writer.finish().unwrap();
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    db.ingest(&[dir.sub("w.sst")], true).unwrap();
    let items: Vec<(Vec<u8>, Vec<u8>)> = db.iter().map(|r| r.unwrap()).collect();
    assert_eq!(items, vec![(b"k2".to_vec(), b"x".to_vec()), (b"k3".to_vec(), b"y".to_vec())]);
}

#[test]
fn dropping_an_unfinished_writer_removes_its_file_and_an_empty_one_cannot_finish() {
    let dir = TempDir::new("ingest-drop");
    let path = dir.sub("partial.sst");
    let mut writer = SstWriter::new(&path, &Options::new()).unwrap();
    writer.put("k", "v").unwrap();
    assert!(path.exists());
    drop(writer);
    assert!(!path.exists());

    let empty = SstWriter::new(dir.sub("empty.sst"), &Options::new()).unwrap();
    assert_eq!(empty.finish().unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(!dir.sub("empty.sst").exists());

    let bad = SstWriter::new(dir.sub("bad.sst"), &Options::new().set("no_such_option", "1"));
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(!dir.sub("bad.sst").exists());
}

#[test]
fn overlapping_files_are_refused_and_nothing_changes() {
    let dir = TempDir::new("ingest-overlap");
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    db.put(key("c", 1), "mine").unwrap();
    let first = write_sst(dir.sub("1.sst"), "c", 0..50);
    let second = write_sst(dir.sub("2.sst"), "c", 40..90);
    let sequence = db.property("last-sequence").unwrap();
    let tables = db.property("sstables").unwrap();
    let err = db.ingest(&[&first, &second], true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(count(&db), 1);
    assert_eq!(db.get(key("c", 1)).unwrap(), Some(b"mine".to_vec()));
    assert_eq!(db.property("last-sequence").unwrap(), sequence);
    assert_eq!(db.property("sstables").unwrap(), tables);
    assert!(first.exists() && second.exists());
}

#[test]
fn an_unfinished_file_is_refused() {
    let dir = TempDir::new("ingest-unfinished");
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    let mut writer = SstWriter::new(dir.sub("w.sst"), &Options::new()).unwrap();
    writer.put("k", "v").unwrap();
    assert_eq!(db.ingest(&[writer.path()], false).unwrap_err().kind(), ErrorKind::Corruption);
    assert_eq!(db.get("k").unwrap(), None);
}

#[test]
fn move_removes_the_source_and_copy_keeps_it() {
    let dir = TempDir::new("ingest-move");
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    let moved = write_sst(dir.sub("moved.sst"), "d", 0..20);
    let copied = write_sst(dir.sub("copied.sst"), "e", 0..20);
    let copied_bytes = std::fs::read(&copied).unwrap();
    db.ingest(&[&moved], true).unwrap();
    assert!(!moved.exists());
    db.ingest(&[copied.as_path()], false).unwrap();
    assert_eq!(std::fs::read(&copied).unwrap(), copied_bytes);
    assert_eq!(db.get(key("d", 19)).unwrap(), Some(b"v19".to_vec()));
    assert_eq!(db.get(key("e", 0)).unwrap(), Some(b"v0".to_vec()));
    assert_eq!(count(&db), 40);
}

#[test]
fn several_files_at_once_survive_a_reopen_and_a_compaction() {
    let dir = TempDir::new("ingest-reopen");
    let files: Vec<PathBuf> =
        (0..3).map(|i| write_sst(dir.sub(&format!("{i}.sst")), &format!("f{i}-"), 0..300)).collect();
    {
        let db = Db::open(dir.sub("db"), Options::new()).unwrap();
        db.put(key("f1-", 7), "older").unwrap();
        db.ingest(&files, true).unwrap();
        assert_eq!(db.get(key("f1-", 7)).unwrap(), Some(b"v7".to_vec()));
    }
    let db = Db::open(dir.sub("db"), Options::new()).unwrap();
    assert_eq!(count(&db), 900);
    assert_eq!(db.get(key("f1-", 7)).unwrap(), Some(b"v7".to_vec()));
    db.compact_range(..).unwrap();
    db.verify().unwrap();
    assert_eq!(db.get(key("f2-", 299)).unwrap(), Some(b"v299".to_vec()));
}
