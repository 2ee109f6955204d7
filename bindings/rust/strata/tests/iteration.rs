//! Range reads: `Iter` in both directions, prefixes, `Cursor` moves, and
//! reads through snapshots.

mod common;

use std::ops::Bound;

use common::{collect, keys, TempDir};
use strata::{Db, Options};

fn db_with(dir: &TempDir, entries: &[&[u8]]) -> Db {
    let db = Db::open(dir.path(), Options::new()).unwrap();
    for key in entries {
        let mut value = b"v:".to_vec();
        value.extend_from_slice(key);
        db.put(key, value).unwrap();
    }
    db
}

fn k(s: &[&[u8]]) -> Vec<Vec<u8>> {
    s.iter().map(|k| k.to_vec()).collect()
}

#[test]
fn every_kind_of_range() {
    let dir = TempDir::new("ranges");
    let db = db_with(&dir, &[b"a", b"b", b"b\0", b"ba", b"c", b"d"]);
    assert_eq!(keys(&collect(db.iter())), k(&[b"a", b"b", b"b\0", b"ba", b"c", b"d"]));
    assert_eq!(keys(&collect(db.range(..))), keys(&collect(db.iter())));
    assert_eq!(keys(&collect(db.range(b"b"..b"c"))), k(&[b"b", b"b\0", b"ba"]));
    assert_eq!(keys(&collect(db.range(b"b"..=b"c"))), k(&[b"b", b"b\0", b"ba", b"c"]));
    assert_eq!(keys(&collect(db.range(b"c"..))), k(&[b"c", b"d"]));
    assert_eq!(keys(&collect(db.range(..b"b"))), k(&[b"a"]));
    assert_eq!(keys(&collect(db.range(..=b"b"))), k(&[b"a", b"b"]));
    let b: &[u8] = b"b";
    let exclusive = (Bound::Excluded(b), Bound::Excluded(&b"c"[..]));
    assert_eq!(keys(&collect(db.range(exclusive))), k(&[b"b\0", b"ba"]));
    let owned = b"b".to_vec()..b"c".to_vec();
    assert_eq!(keys(&collect(db.range(&owned))), k(&[b"b", b"b\0", b"ba"])); // a range by reference
    assert_eq!(keys(&collect(db.range(owned))), k(&[b"b", b"b\0", b"ba"]));
    assert_eq!(keys(&collect(db.range("ba".."zz"))), k(&[b"ba", b"c", b"d"]));
    assert_eq!(keys(&collect(db.range(b"b".to_vec()..b"b\x01".to_vec()))), k(&[b"b", b"b\0"]));
    // Empty and inverted ranges hold nothing.
    assert!(collect(db.range(b"c"..b"c")).is_empty());
    assert!(collect(db.range(b"d"..b"a")).is_empty());
    assert!(collect(db.range(b"zz"..)).is_empty());
    // Values come with their keys.
    let entries = collect(db.range(b"ba"..=b"ba"));
    assert_eq!(entries, [(b"ba".to_vec(), b"v:ba".to_vec())]);
}

/// Keys of different lengths as byte-string literals: Rust gives `b"a"` and
/// `b"user/01"` different array types, so one end is written as a slice and
/// the other coerces to it (src/bounds.rs explains why the bare literals
/// cannot compile; a compile_fail example there pins it).
#[test]
fn ranges_between_keys_of_different_lengths() {
    let dir = TempDir::new("ranges-lengths");
    let db = db_with(&dir, &[b"a", b"user/00", b"user/01", b"user/010", b"user/1", b"z"]);
    let expected = k(&[b"a", b"user/00"]);
    assert_eq!(keys(&collect(db.range(b"a".as_slice()..b"user/01"))), expected);
    assert_eq!(keys(&collect(db.range(&b"a"[..]..b"user/01"))), expected);
    assert_eq!(keys(&collect(db.range(b"user/01".as_slice()..=b"z"))), k(&[b"user/01", b"user/010", b"user/1", b"z"]));
    assert_eq!(keys(&collect(db.range("a".."user/01"))), expected);
    assert_eq!(keys(&collect(db.range("user/01"..="user/1"))), k(&[b"user/01", b"user/010", b"user/1"]));
    assert_eq!(keys(&collect(db.range(b"user/010".as_slice()..b"z").rev())), k(&[b"user/1", b"user/010"]));
    let mut cursor = db.cursor(b"a".as_slice()..b"user/01").unwrap();
    assert!(cursor.last().unwrap());
    assert_eq!(cursor.key(), Some(&b"user/00"[..]));
    db.compact_range(b"a".as_slice()..b"user/1").unwrap();
    let snapshot = db.snapshot().unwrap();
    assert_eq!(keys(&collect(snapshot.range(b"a".as_slice()..b"user/01"))), expected);
}

#[test]
fn reverse_and_double_ended() {
    let dir = TempDir::new("reverse");
    let all: Vec<Vec<u8>> = (0u8..20).map(|i| vec![b'k', i]).collect();
    let refs: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
    let db = db_with(&dir, &refs);
    let reversed: Vec<Vec<u8>> = db.iter().rev().map(|e| e.unwrap().0).collect();
    assert_eq!(reversed, all.iter().rev().cloned().collect::<Vec<_>>());
    let tail: Vec<Vec<u8>> = db.range(&all[15][..]..).rev().map(|e| e.unwrap().0).collect();
    assert_eq!(tail, all[15..].iter().rev().cloned().collect::<Vec<_>>());

    // Every interleaving pattern of next/next_back meets in the middle.
    for pattern in 0u32..64 {
        let mut iter = db.range(&all[3][..]..&all[17][..]);
        let (mut front, mut back) = (Vec::new(), Vec::new());
        for step in 0.. {
            let from_back = (pattern >> (step % 6)) & 1 == 1;
            let item = if from_back { iter.next_back() } else { iter.next() };
            match item {
                Some(entry) => {
                    let key = entry.unwrap().0;
                    if from_back {
                        back.push(key)
                    } else {
                        front.push(key)
                    }
                }
                None => break,
            }
        }
        assert!(iter.next().is_none() && iter.next_back().is_none());
        front.extend(back.into_iter().rev());
        assert_eq!(front, all[3..17].to_vec(), "pattern {pattern:06b}");
    }
    let mut single = db.range(&all[5][..]..=&all[5][..]);
    assert_eq!(single.next_back().unwrap().unwrap().0, all[5]);
    assert!(single.next().is_none());
}

#[test]
fn prefixes_including_0xff_bytes() {
    let dir = TempDir::new("prefix");
    let db = db_with(
        &dir,
        &[b"app", b"apple", b"apply", b"apq", b"b", b"\xff", b"\xff\xff", b"\xff\xff\x00", b"\xfe\xff"],
    );
    assert_eq!(keys(&collect(db.prefix(b"app"))), k(&[b"app", b"apple", b"apply"]));
    assert_eq!(keys(&collect(db.prefix("appl").rev())), k(&[b"apply", b"apple"]));
    assert_eq!(keys(&collect(db.prefix(b"\xff"))), k(&[b"\xff", b"\xff\xff", b"\xff\xff\x00"]));
    assert_eq!(keys(&collect(db.prefix(b"\xff\xff"))), k(&[b"\xff\xff", b"\xff\xff\x00"]));
    assert_eq!(keys(&collect(db.prefix(b"\xfe"))), k(&[b"\xfe\xff"]));
    assert_eq!(collect(db.prefix(b"")).len(), 9);
    assert!(collect(db.prefix(b"zzz")).is_empty());

    let mut cursor = db.prefix_cursor(b"ap").unwrap();
    assert!(cursor.last().unwrap());
    assert_eq!(cursor.key(), Some(&b"apq"[..]));
    assert!(cursor.seek(b"apple").unwrap());
    assert_eq!(cursor.entry(), Some((&b"apple"[..], &b"v:apple"[..])));
    assert!(!cursor.seek(b"b").unwrap()); // clamped: past the prefix
}

#[test]
fn cursor_moves() {
    let dir = TempDir::new("cursor");
    let db = db_with(&dir, &[b"b", b"d", b"f", b"h"]);
    let mut c = db.cursor(b"c"..b"h").unwrap(); // holds d, f
    assert!(!c.valid());
    assert_eq!(c.key(), None);
    assert!(!c.prev().unwrap()); // before the first stays there
    assert!(c.next().unwrap());
    assert_eq!(c.key(), Some(&b"d"[..]));
    assert_eq!(c.value(), Some(&b"v:d"[..]));
    assert!(c.next().unwrap() && c.key() == Some(&b"f"[..]));
    assert!(!c.next().unwrap());
    assert!(!c.valid() && c.entry().is_none());
    assert!(c.prev().unwrap() && c.key() == Some(&b"f"[..])); // back from after the last
    assert!(c.first().unwrap() && c.key() == Some(&b"d"[..]));
    assert!(c.last().unwrap() && c.key() == Some(&b"f"[..]));
    assert!(c.seek(b"e").unwrap() && c.key() == Some(&b"f"[..]));
    assert!(c.seek(b"a").unwrap() && c.key() == Some(&b"d"[..])); // clamped to the range
    assert!(!c.seek(b"g").unwrap());
    assert!(c.seek_for_prev(b"e").unwrap() && c.key() == Some(&b"d"[..]));
    assert!(c.seek_for_prev(b"z").unwrap() && c.key() == Some(&b"f"[..])); // clamped
    assert!(!c.seek_for_prev(b"c").unwrap());
    assert!(c.next().unwrap() && c.key() == Some(&b"d"[..])); // from before the first
    let copy = c.key().unwrap().to_vec();
    assert!(c.next().unwrap());
    assert_eq!(copy, b"d");
    assert!(format!("{c:?}").contains("Cursor"));

    let mut full = db.cursor(..).unwrap();
    let mut seen = Vec::new();
    while full.next().unwrap() {
        seen.push(full.key().unwrap().to_vec());
    }
    assert_eq!(seen, k(&[b"b", b"d", b"f", b"h"]));
}

#[test]
fn iterators_and_cursors_read_the_state_they_were_made_in() {
    let dir = TempDir::new("consistent");
    let db = db_with(&dir, &[b"a", b"b"]);
    let mut iter = db.iter();
    let mut cursor = db.cursor(..).unwrap();
    db.put(b"c", b"new").unwrap();
    db.delete(b"a").unwrap();
    assert_eq!(iter.next().unwrap().unwrap().0, b"a");
    assert_eq!(keys(&iter.collect::<strata::Result<Vec<_>>>().unwrap()), k(&[b"b"]));
    assert!(cursor.last().unwrap() && cursor.key() == Some(&b"b"[..]));
    assert_eq!(keys(&collect(db.iter())), k(&[b"b", b"c"]));
}

#[test]
fn iterators_move_to_other_threads() {
    let dir = TempDir::new("iter-send");
    let db = db_with(&dir, &[b"a", b"b", b"c"]);
    std::thread::scope(|s| {
        let mut iter = db.iter();
        assert_eq!(iter.next().unwrap().unwrap().0, b"a");
        let rest = s.spawn(move || iter.map(|e| e.unwrap().0).collect::<Vec<_>>()).join().unwrap();
        assert_eq!(rest, k(&[b"b", b"c"]));
        let mut cursor = db.cursor(..).unwrap();
        let last = s.spawn(move || {
            cursor.last().unwrap();
            cursor.key().unwrap().to_vec()
        });
        assert_eq!(last.join().unwrap(), b"c");
    });
}

#[test]
fn snapshots_pin_a_state() {
    let dir = TempDir::new("snapshot");
    let db = db_with(&dir, &[b"a", b"b", b"pre:1", b"pre:2"]);
    let snap = db.snapshot().unwrap();
    let sequence = snap.sequence();
    assert!(sequence >= 4);
    db.put(b"a", b"changed").unwrap();
    db.delete(b"b").unwrap();
    db.put(b"pre:3", b"new").unwrap();
    db.flush().unwrap(); // moving data to a table changes nothing for the snapshot
    db.compact_range(..).unwrap();

    assert_eq!(snap.get(b"a").unwrap(), Some(b"v:a".to_vec()));
    assert_eq!(snap.get_value(b"b").unwrap().unwrap().as_bytes(), b"v:b");
    assert_eq!(snap.get(b"pre:3").unwrap(), None);
    assert_eq!(
        snap.multi_get(&[&b"a"[..], b"b", b"pre:3"]).unwrap(),
        [Some(b"v:a".to_vec()), Some(b"v:b".to_vec()), None]
    );
    assert_eq!(keys(&collect(snap.iter())), k(&[b"a", b"b", b"pre:1", b"pre:2"]));
    assert_eq!(keys(&collect(snap.range(b"b"..))), k(&[b"b", b"pre:1", b"pre:2"]));
    assert_eq!(keys(&collect(snap.prefix(b"pre:").rev())), k(&[b"pre:2", b"pre:1"]));
    let mut cursor = snap.cursor(..=b"b").unwrap();
    assert!(cursor.last().unwrap() && cursor.key() == Some(&b"b"[..]));
    let mut prefix_cursor = snap.prefix_cursor(b"pre:").unwrap();
    assert!(prefix_cursor.seek_for_prev(b"pre:9").unwrap() && prefix_cursor.key() == Some(&b"pre:2"[..]));
    assert_eq!(format!("{snap:?}"), format!("Snapshot {{ sequence: {sequence} }}"));

    // The latest state differs.
    assert_eq!(db.get(b"a").unwrap(), Some(b"changed".to_vec()));
    assert_eq!(keys(&collect(db.prefix(b"pre:"))), k(&[b"pre:1", b"pre:2", b"pre:3"]));
    let later = db.snapshot().unwrap();
    assert!(later.sequence() > sequence);

    // A snapshot is shared by reference across threads.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert_eq!(snap.get(b"b").unwrap(), Some(b"v:b".to_vec())));
        }
    });
}
