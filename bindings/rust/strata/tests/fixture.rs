//! Reads back the database that the C program strata-fixture-writer writes
//! (tests/fixture/README.md): a database written by another language, whose
//! recovery replays a write-ahead log on top of a table.

mod common;

use std::process::Command;

use common::{collect, fixture_writer, TempDir};
use strata::{Db, Options};

/// The 902 entries the fixture holds, in key order.
fn expected_entries() -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut entries: Vec<(Vec<u8>, Vec<u8>)> = (0..1000)
        .filter(|i| i % 10 != 3)
        .map(|i| (format!("fixture/{i:04}").into_bytes(), format!("value-{i:04}").into_bytes()))
        .collect();
    entries.push((vec![0x00, 0xFF, 0x00, 0x01], vec![0x00, 0x00, 0xFF]));
    entries.push((b"empty".to_vec(), Vec::new()));
    entries.sort();
    entries
}

#[test]
fn reads_the_database_written_by_the_c_fixture_writer() {
    let writer = fixture_writer();
    assert!(writer.is_file(), "{} is missing: build strata first", writer.display());
    let dir = TempDir::new("fixture");
    let path = dir.sub("db");
    let status = Command::new(&writer).arg(&path).status().expect("cannot run the fixture writer");
    assert!(status.success(), "{} failed: {status}", writer.display());

    let db = Db::open(&path, Options::new().create_if_missing(false)).unwrap();
    let expected = expected_entries();
    assert_eq!(expected.len(), 902);
    assert_eq!(collect(db.iter()), expected);
    let mut reversed = collect(db.iter().rev());
    reversed.reverse();
    assert_eq!(reversed, expected);

    assert_eq!(db.get(b"fixture/0000").unwrap(), Some(b"value-0000".to_vec()));
    assert_eq!(db.get(b"fixture/0999").unwrap(), Some(b"value-0999".to_vec()));
    assert_eq!(db.get(b"fixture/0003").unwrap(), None);
    assert_eq!(db.get(b"fixture/0513").unwrap(), None);
    assert_eq!(db.get([0x00, 0xFF, 0x00, 0x01]).unwrap(), Some(vec![0x00, 0x00, 0xFF]));
    assert_eq!(db.get(b"empty").unwrap(), Some(Vec::new()));
    assert_eq!(db.prefix(b"fixture/").count(), 900);
    assert_eq!(collect(db.prefix(b"fixture/05")).len(), 90);
    let keys: Vec<&[u8]> = expected.iter().map(|(k, _)| k.as_slice()).collect();
    let values: Vec<Option<Vec<u8>>> = expected.iter().map(|(_, v)| Some(v.clone())).collect();
    assert_eq!(db.multi_get(&keys).unwrap(), values);
    db.verify().unwrap();
}
