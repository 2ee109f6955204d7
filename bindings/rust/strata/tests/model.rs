//! A model test: random puts, deletes and batches against the database and a
//! `BTreeMap` side by side, with reopens (under different memtables and
//! codecs) and flushes, comparing point reads, forward and reverse ranges,
//! prefixes, mixed double-ended iteration, cursors and snapshots.

mod common;

use std::collections::BTreeMap;
use std::ops::Bound;

use common::{collect, Rng, TempDir};
use strata::{Compression, Db, Memtable, Options, WriteBatch};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Keys from a small space, so that overwrites, deletes of present keys and
/// shared prefixes are common; 0x00 and 0xFF bytes included.
fn random_key(rng: &mut Rng) -> Vec<u8> {
    const FIRST: [u8; 5] = [b'a', b'b', b'c', 0x00, 0xFF];
    let mut key = vec![FIRST[rng.below(5) as usize]];
    for _ in 0..rng.below(3) {
        key.push([0x00, b'x', b'y', 0xFF][rng.below(4) as usize]);
    }
    key
}

fn random_value(rng: &mut Rng) -> Vec<u8> {
    let len = match rng.below(10) {
        0 => 0,
        1 => 2000 + rng.below(2000) as usize,
        _ => rng.below(40) as usize,
    };
    rng.bytes(len)
}

fn random_bound(rng: &mut Rng) -> Bound<Vec<u8>> {
    match rng.below(3) {
        0 => Bound::Unbounded,
        1 => Bound::Included(random_key(rng)),
        _ => Bound::Excluded(random_key(rng)),
    }
}

fn in_bounds(key: &[u8], start: &Bound<Vec<u8>>, end: &Bound<Vec<u8>>) -> bool {
    let after_start = match start {
        Bound::Unbounded => true,
        Bound::Included(s) => key >= s.as_slice(),
        Bound::Excluded(s) => key > s.as_slice(),
    };
    let before_end = match end {
        Bound::Unbounded => true,
        Bound::Included(e) => key <= e.as_slice(),
        Bound::Excluded(e) => key < e.as_slice(),
    };
    after_start && before_end
}

/// One random write, applied to both.
fn random_write(rng: &mut Rng, db: &Db, model: &mut Model) {
    match rng.below(10) {
        0..=5 => {
            let (k, v) = (random_key(rng), random_value(rng));
            db.put(&k, &v).unwrap();
            model.insert(k, v);
        }
        6 | 7 => {
            let k = random_key(rng);
            db.delete(&k).unwrap();
            model.remove(&k);
        }
        _ => {
            let mut batch = WriteBatch::new();
            let mut staged = model.clone();
            for _ in 0..1 + rng.below(8) {
                let k = random_key(rng);
                if rng.below(3) == 0 {
                    batch.delete(&k).unwrap();
                    staged.remove(&k);
                } else {
                    let v = random_value(rng);
                    batch.put(&k, &v).unwrap();
                    staged.insert(k, v);
                }
            }
            db.write(&batch).unwrap();
            *model = staged;
        }
    }
}

/// Checks every kind of read against the model.
fn check_reads(rng: &mut Rng, db: &Db, model: &Model) {
    let everything: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(collect(db.iter()), everything);
    let mut reversed = collect(db.iter().rev());
    reversed.reverse();
    assert_eq!(reversed, everything);

    for _ in 0..20 {
        let k = random_key(rng);
        assert_eq!(db.get(&k).unwrap().as_ref(), model.get(&k), "get {k:?}");
    }
    let wanted: Vec<Vec<u8>> = (0..10).map(|_| random_key(rng)).collect();
    let expected: Vec<Option<Vec<u8>>> = wanted.iter().map(|k| model.get(k).cloned()).collect();
    assert_eq!(db.multi_get(&wanted).unwrap(), expected);
    assert_eq!(db.multi_get_values(&wanted).unwrap().to_vecs(), expected);

    for _ in 0..10 {
        let (start, end) = (random_bound(rng), random_bound(rng));
        let expected: Vec<_> =
            everything.iter().filter(|(k, _)| in_bounds(k, &start, &end)).cloned().collect();
        let range = (start.clone(), end.clone());
        assert_eq!(collect(db.range(&range)), expected, "range {range:?}");
        let mut backward = collect(db.range(&range).rev());
        backward.reverse();
        assert_eq!(backward, expected, "reverse range {range:?}");

        // Random next/next_back mixing meets in the middle.
        let mut iter = db.range(&range);
        let (mut front, mut back) = (Vec::new(), Vec::new());
        loop {
            let from_back = rng.below(2) == 0;
            match if from_back { iter.next_back() } else { iter.next() } {
                Some(item) if from_back => back.push(item.unwrap()),
                Some(item) => front.push(item.unwrap()),
                None => break,
            }
        }
        front.extend(back.into_iter().rev());
        assert_eq!(front, expected, "mixed range {range:?}");

        // A cursor seeks like the model's range searches.
        let target = random_key(rng);
        let mut cursor = db.cursor(&range).unwrap();
        let at_or_after = expected.iter().find(|(k, _)| *k >= target).map(|(k, _)| k.as_slice());
        assert_eq!(cursor.seek(&target).unwrap(), at_or_after.is_some());
        assert_eq!(cursor.key(), at_or_after);
        let at_or_before = expected.iter().rev().find(|(k, _)| *k <= target).map(|(k, _)| k.as_slice());
        assert_eq!(cursor.seek_for_prev(&target).unwrap(), at_or_before.is_some());
        assert_eq!(cursor.key(), at_or_before);
    }

    for _ in 0..5 {
        let mut prefix = random_key(rng);
        prefix.truncate(rng.below(prefix.len() as u64 + 1) as usize);
        let expected: Vec<_> = everything.iter().filter(|(k, _)| k.starts_with(&prefix)).cloned().collect();
        assert_eq!(collect(db.prefix(&prefix)), expected, "prefix {prefix:?}");
        let mut backward = collect(db.prefix(&prefix).rev());
        backward.reverse();
        assert_eq!(backward, expected, "reverse prefix {prefix:?}");
    }
}

fn options_for_round(round: u64) -> Options {
    let memtable = [Memtable::SkipList, Memtable::RbTree, Memtable::Avl][round as usize % 3];
    let compression = [Compression::None, Compression::Lz4, Compression::Zstd][round as usize % 3];
    // Small memtables, so the data moves into tables and through compaction.
    Options::new().memtable_bytes(16 << 10).memtable(memtable).compression(compression).block_bytes(512)
}

#[test]
fn matches_a_btreemap_across_reopens() {
    let dir = TempDir::new("model");
    let mut rng = Rng::new(0x5EED_0001);
    let mut model = Model::new();
    for round in 0..6 {
        let db = Db::open(dir.path(), options_for_round(round)).unwrap();
        // What was there before the reopen is all there.
        assert_eq!(collect(db.iter()), model.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>());
        for step in 0..600 {
            random_write(&mut rng, &db, &mut model);
            if step % 150 == 149 {
                check_reads(&mut rng, &db, &model);
            }
            if step % 250 == 0 {
                db.flush().unwrap();
            }
        }
        // A snapshot keeps its state through more writes and a compaction.
        let snapshot = db.snapshot().unwrap();
        let frozen = model.clone();
        for _ in 0..300 {
            random_write(&mut rng, &db, &mut model);
        }
        db.compact_range(..).unwrap();
        let frozen_entries: Vec<_> = frozen.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(collect(snapshot.iter()), frozen_entries);
        let mut reversed = collect(snapshot.iter().rev());
        reversed.reverse();
        assert_eq!(reversed, frozen_entries);
        for _ in 0..20 {
            let k = random_key(&mut rng);
            assert_eq!(snapshot.get(&k).unwrap().as_ref(), frozen.get(&k));
        }
        let wanted: Vec<Vec<u8>> = (0..10).map(|_| random_key(&mut rng)).collect();
        let expected: Vec<Option<Vec<u8>>> = wanted.iter().map(|k| frozen.get(k).cloned()).collect();
        assert_eq!(snapshot.multi_get(&wanted).unwrap(), expected);
        assert_eq!(snapshot.multi_get_values(&wanted).unwrap().to_vecs(), expected);
        let prefix = random_key(&mut rng)[..1].to_vec();
        let expected: Vec<_> =
            frozen_entries.iter().filter(|(k, _)| k.starts_with(&prefix)).cloned().collect();
        assert_eq!(collect(snapshot.prefix(&prefix)), expected);
        drop(snapshot);
        check_reads(&mut rng, &db, &model);
        if round % 2 == 1 {
            db.close().unwrap();
        } // else dropped
    }
    let db = Db::open(dir.path(), Options::new()).unwrap();
    check_reads(&mut rng, &db, &model);
    db.verify().unwrap();
}
