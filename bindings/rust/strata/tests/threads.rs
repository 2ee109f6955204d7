//! Threads sharing one `Db` through `Arc<Db>`: concurrent writers on their
//! own keys, readers that must see batches whole, and iterators per thread.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use common::TempDir;
use strata::{Db, Options, WriteBatch};

const THREADS: u32 = 4;
const KEYS_PER_THREAD: u32 = 2000;

#[test]
fn writers_and_readers_share_one_db() {
    let dir = TempDir::new("threads");
    let db = Arc::new(Db::open(dir.path(), Options::new().memtable_bytes(256 << 10)).unwrap());
    let writers: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(&db);
            thread::spawn(move || {
                for i in 0..KEYS_PER_THREAD {
                    db.put(format!("t{t}/{i:05}"), format!("{t}:{i}")).unwrap();
                    if i % 500 == 0 {
                        // Reads of other threads' keys see whole values or nothing.
                        let other = (t + 1) % THREADS;
                        if let Some(v) = db.get(format!("t{other}/{i:05}")).unwrap() {
                            assert_eq!(v, format!("{other}:{i}").into_bytes());
                        }
                    }
                }
                // Each thread checks its own keys through its own iterator.
                let prefix = format!("t{t}/");
                let mut count = 0;
                for (n, entry) in db.prefix(&prefix).enumerate() {
                    let (k, v) = entry.unwrap();
                    assert_eq!(k, format!("t{t}/{n:05}").into_bytes());
                    assert_eq!(v, format!("{t}:{n}").into_bytes());
                    count += 1;
                }
                assert_eq!(count, KEYS_PER_THREAD);
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(db.iter().count(), (THREADS * KEYS_PER_THREAD) as usize);
    let db = Arc::try_unwrap(db).expect("every thread is done");
    db.close().unwrap();
}

#[test]
fn readers_see_batches_whole() {
    let dir = TempDir::new("atomic");
    let db = Arc::new(Db::open(dir.path(), Options::new().memtable_bytes(64 << 10)).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    // The writer moves one unit between accounts in each batch, so the sum
    // is always 1000 in any state a reader can see.
    db.put(b"acct/a", 1000u64.to_be_bytes()).unwrap();
    db.put(b"acct/b", 0u64.to_be_bytes()).unwrap();
    let writer = {
        let db = Arc::clone(&db);
        thread::spawn(move || {
            for i in 0..3000u64 {
                let (a, b) = (1000 - i % 1000, i % 1000);
                let mut batch = WriteBatch::new();
                batch.put(b"acct/a", a.to_be_bytes()).unwrap();
                batch.put(b"acct/b", b.to_be_bytes()).unwrap();
                db.write(&batch).unwrap();
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
            thread::spawn(move || {
                let sum = |values: &[Option<Vec<u8>>]| -> u64 {
                    values
                        .iter()
                        .map(|v| u64::from_be_bytes(v.as_ref().unwrap()[..].try_into().unwrap()))
                        .sum()
                };
                let mut checks = 0;
                while !stop.load(Ordering::Relaxed) || checks < 10 {
                    let values = if r == 0 {
                        db.multi_get(&[b"acct/a", b"acct/b"]).unwrap()
                    } else {
                        let snapshot = db.snapshot().unwrap();
                        vec![snapshot.get(b"acct/a").unwrap(), snapshot.get(b"acct/b").unwrap()]
                    };
                    assert_eq!(sum(&values), 1000);
                    let scanned: Vec<_> = db.prefix(b"acct/").map(|e| Some(e.unwrap().1)).collect();
                    assert_eq!(sum(&scanned), 1000);
                    checks += 1;
                }
            })
        })
        .collect();
    writer.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
}
