//! Damage on disk surfaces as `ErrorKind::Corruption` from reads, iteration
//! and `verify`, never as data and never hidden by an iterator.

mod common;

use std::fs;

use common::TempDir;
use strata::{Db, ErrorKind, Options};

#[test]
fn a_damaged_table_is_reported_by_every_read_path() {
    let dir = TempDir::new("corrupt");
    let value = vec![b'v'; 200];
    {
        // No block cache and no bloom filter, so every read goes to the file.
        let db = Db::open(dir.path(), Options::new().block_cache_bytes(0)).unwrap();
        for i in 0..500u32 {
            db.put(format!("key{i:04}"), &value).unwrap();
        }
        db.flush().unwrap();
    }
    let table = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sst"))
        .expect("the flush wrote a table");
    // Flip bytes in the middle of the data blocks (the index and footer at
    // the end stay intact, so the table still opens).
    let mut bytes = fs::read(&table).unwrap();
    let middle = bytes.len() / 3;
    for b in &mut bytes[middle..middle + 16] {
        *b ^= 0x5A;
    }
    fs::write(&table, &bytes).unwrap();

    let db = Db::open(dir.path(), Options::new().block_cache_bytes(0).bloom_bits_per_key(0)).unwrap();
    let err = db.verify().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corruption, "{err}");

    // A full scan meets the damaged block: the error is an item, then the end.
    let mut scan = db.iter();
    let failure = scan.by_ref().find_map(Result::err).expect("the scan reported no error");
    assert_eq!(failure.kind(), ErrorKind::Corruption, "{failure}");
    assert!(scan.next().is_none());
    let failure = db.iter().rev().find_map(Result::err).expect("the reverse scan reported no error");
    assert_eq!(failure.kind(), ErrorKind::Corruption, "{failure}");

    // A cursor fails, and keeps failing.
    let mut cursor = db.cursor(..).unwrap();
    let mut first_error = None;
    for _ in 0..1000 {
        match cursor.next() {
            Ok(true) => continue,
            Ok(false) => break,
            Err(e) => {
                first_error = Some(e);
                break;
            }
        }
    }
    let first_error = first_error.expect("the cursor reported no error");
    assert_eq!(first_error.kind(), ErrorKind::Corruption);
    assert_eq!(cursor.prev().unwrap_err().kind(), ErrorKind::Corruption);

    // Point reads of keys in the damaged block fail rather than return data.
    let keys: Vec<String> = (0..500u32).map(|i| format!("key{i:04}")).collect();
    let failed = keys.iter().filter(|k| db.get(k.as_bytes()).is_err()).count();
    assert!(failed > 0, "no point read hit the damaged block");
    let err = db.multi_get(&keys).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corruption, "{err}");
    let err = db.multi_get_values(&keys).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Corruption, "{err}");
}
