//! `Db::delete_range` and `WriteBatch::delete_range`: what they hide, from
//! whom, and that the deletion survives a reopen and a compaction, which then
//! drops the tombstone.

mod common;

use common::TempDir;
use strata::{Db, ErrorKind, Options, WriteBatch};

fn key(i: u32) -> Vec<u8> {
    format!("k{i:05}").into_bytes()
}

fn fill(db: &Db, n: u32) {
    let mut batch = WriteBatch::new();
    for i in 0..n {
        batch.put(key(i), format!("v{i}")).unwrap();
    }
    db.write(&batch).unwrap();
}

#[test]
fn delete_range_hides_the_range_from_reads_scans_and_older_snapshots() {
    let dir = TempDir::new("range-delete");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    fill(&db, 500);
    let snapshot = db.snapshot().unwrap();
    db.delete_range(key(100), key(200)).unwrap();
    assert_eq!(db.get(key(99)).unwrap(), Some(b"v99".to_vec()));
    assert_eq!(db.get(key(100)).unwrap(), None);
    assert_eq!(db.get(key(199)).unwrap(), None);
    assert_eq!(db.get(key(200)).unwrap(), Some(b"v200".to_vec()));
    assert_eq!(db.iter().count(), 400);
    assert_eq!(db.iter().rev().count(), 400);
    assert_eq!(snapshot.iter().count(), 500);
    assert_eq!(snapshot.get(key(150)).unwrap(), Some(b"v150".to_vec()));
    assert_eq!(db.multi_get(&[key(99), key(150)]).unwrap(), vec![Some(b"v99".to_vec()), None]);
}

#[test]
fn empty_or_reversed_range_is_a_no_op() {
    let dir = TempDir::new("range-delete-empty");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    fill(&db, 10);
    let before = db.property("last-sequence").unwrap();
    db.delete_range(key(5), key(5)).unwrap();
    db.delete_range(key(9), key(1)).unwrap();
    assert_eq!(db.property("last-sequence").unwrap(), before);
    assert_eq!(db.iter().count(), 10);
}

#[test]
fn batch_delete_range_is_ordered_with_the_batch() {
    let dir = TempDir::new("range-delete-batch");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    fill(&db, 10);
    let mut batch = WriteBatch::new();
    batch.put(key(20), b"before").unwrap();
    batch.delete_range(key(0), key(30)).unwrap();
    batch.put(key(5), b"after").unwrap();
    batch.delete_range(b"z", b"a").unwrap(); // reversed: adds nothing
    let too_long = vec![b'x'; 70_000];
    assert_eq!(batch.delete_range(b"a", &too_long).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(batch.len(), 3);
    db.write(&batch).unwrap();
    let all: Vec<_> = db.iter().map(|e| e.unwrap()).collect();
    assert_eq!(all, vec![(key(5), b"after".to_vec())]);
}

#[test]
fn survives_reopen_and_compaction_drops_the_tombstone() {
    let dir = TempDir::new("range-delete-reopen");
    {
        let db = Db::open(dir.path(), Options::new()).unwrap();
        fill(&db, 500);
        db.delete_range(key(0), key(400)).unwrap();
    }
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert_eq!(db.iter().count(), 100);
    db.flush().unwrap();
    assert_eq!(db.property("range-deletions").unwrap(), "1");
    db.compact_range(..).unwrap();
    assert_eq!(db.property("range-deletions").unwrap(), "0");
    assert_eq!(db.get(key(399)).unwrap(), None);
    assert_eq!(db.get(key(400)).unwrap(), Some(b"v400".to_vec()));
}
