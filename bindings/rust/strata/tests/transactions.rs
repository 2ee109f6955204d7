//! Optimistic transactions, read-only opens and approximate sizes.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use common::TempDir;
use strata::{Db, ErrorKind, Options};

#[test]
fn transaction_reads_own_writes_and_commits_atomically() {
    let dir = TempDir::new("txn-basic");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.put(b"a", b"1").unwrap();
    db.put(b"gone", b"x").unwrap();
    let txn = db.transaction().unwrap();
    assert_eq!(txn.get(b"a").unwrap(), Some(b"1".to_vec()));
    txn.put(b"a", b"2").unwrap();
    txn.put(b"empty", b"").unwrap();
    txn.delete(b"gone").unwrap();
    assert_eq!(txn.get(b"a").unwrap(), Some(b"2".to_vec()));
    assert_eq!(txn.get_value(b"empty").unwrap().as_deref(), Some(&b""[..]));
    assert_eq!(txn.get(b"gone").unwrap(), None);
    assert_eq!(db.get(b"a").unwrap(), Some(b"1".to_vec()), "applied before commit");
    txn.commit().unwrap();
    assert_eq!(db.get(b"a").unwrap(), Some(b"2".to_vec()));
    assert_eq!(db.get(b"empty").unwrap(), Some(Vec::new()));
    assert_eq!(db.get(b"gone").unwrap(), None);

    // Dropped without a commit: nothing applied.
    let txn = db.transaction().unwrap();
    txn.put(b"dropped", b"v").unwrap();
    txn.rollback();
    assert_eq!(db.get(b"dropped").unwrap(), None);
}

#[test]
fn conflicts_apply_nothing() {
    let dir = TempDir::new("txn-conflict");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    db.put(b"balance", b"10").unwrap();

    // A key read, then written by someone else.
    let txn = db.transaction().unwrap();
    assert_eq!(txn.get(b"balance").unwrap(), Some(b"10".to_vec()));
    txn.put(b"other", b"x").unwrap();
    db.put(b"balance", b"99").unwrap();
    assert_eq!(txn.get(b"balance").unwrap(), Some(b"10".to_vec()), "reads are as of the start");
    let err = txn.commit().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.status(), -8);
    assert!(err.to_string().contains("KV_CONFLICT"), "{err}");
    assert_eq!(db.get(b"other").unwrap(), None);

    // A key only written, changed meanwhile by another transaction.
    let first = db.transaction().unwrap();
    let second = db.transaction().unwrap();
    first.put(b"k", b"first").unwrap();
    second.put(b"k", b"second").unwrap();
    first.commit().unwrap();
    assert_eq!(second.commit().unwrap_err().kind(), ErrorKind::Conflict);
    assert_eq!(db.get(b"k").unwrap(), Some(b"first".to_vec()));

    // Other keys changing do not conflict.
    let calm = db.transaction().unwrap();
    calm.get(b"mine").unwrap();
    calm.put(b"mine", b"1").unwrap();
    db.put(b"min", b"x").unwrap();
    db.put(b"mine0", b"x").unwrap();
    calm.commit().unwrap();
    assert_eq!(db.get(b"mine").unwrap(), Some(b"1".to_vec()));
}

#[test]
fn concurrent_increments_with_retries_are_exact() {
    const THREADS: usize = 4;
    const INCREMENTS: usize = 150;
    let dir = TempDir::new("txn-counters");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    let names = ["c0", "c1", "c2"];
    for n in names {
        db.put(n, b"0").unwrap();
    }
    let conflicts = AtomicUsize::new(0);
    thread::scope(|s| {
        for t in 0..THREADS {
            let (db, conflicts) = (&db, &conflicts);
            s.spawn(move || {
                for i in 0..INCREMENTS {
                    let keys = [names[(t + i) % 3], names[(t + i + 1) % 3]];
                    loop {
                        let txn = db.transaction().unwrap();
                        for k in keys {
                            let v = txn.get(k).unwrap().expect("counter exists");
                            let n: u64 = String::from_utf8(v).unwrap().parse().unwrap();
                            txn.put(k, (n + 1).to_string()).unwrap();
                        }
                        match txn.commit() {
                            Ok(()) => break,
                            Err(e) if e.kind() == ErrorKind::Conflict => {
                                conflicts.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => panic!("commit: {e}"),
                        }
                    }
                }
            });
        }
    });
    let total: u64 = names
        .iter()
        .map(|n| String::from_utf8(db.get(n).unwrap().unwrap()).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, (2 * THREADS * INCREMENTS) as u64, "{} conflicts retried", conflicts.into_inner());
}

fn listing(dir: &std::path::Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            (e.file_name().to_string_lossy().into_owned(), m.len(), m.modified().unwrap())
        })
        .collect();
    out.push((".".into(), 0, std::fs::metadata(dir).unwrap().modified().unwrap()));
    out.sort();
    out
}

#[test]
fn read_only_handles_share_and_write_nothing() {
    let dir = TempDir::new("read-only");
    let path = dir.sub("db");
    {
        let db = Db::open(&path, Options::new()).unwrap();
        db.put(b"k", b"in the log").unwrap();
    }
    let before = listing(&path);
    let a = Db::open(&path, Options::new().read_only(true)).unwrap();
    let b = Db::open(&path, Options::new().read_only(true)).unwrap();
    assert_eq!(a.get(b"k").unwrap(), Some(b"in the log".to_vec()));
    assert_eq!(b.get(b"k").unwrap(), Some(b"in the log".to_vec()));
    assert_eq!(Db::open(&path, Options::new()).unwrap_err().kind(), ErrorKind::Busy);
    assert_eq!(a.put(b"x", b"y").unwrap_err().kind(), ErrorKind::NotSupported);
    assert_eq!(a.delete(b"k").unwrap_err().kind(), ErrorKind::NotSupported);
    assert_eq!(a.flush().unwrap_err().kind(), ErrorKind::NotSupported);
    assert_eq!(a.compact_range(..).unwrap_err().kind(), ErrorKind::NotSupported);
    let err = a.transaction().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotSupported);
    assert!(err.message().contains("read-only"), "{err}");
    // A second process shares the lock: this test binary again, as a helper.
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "read_only_helper_process", "--nocapture"])
        .env("STRATA_RO_HELPER_DIR", &path)
        .status()
        .unwrap();
    assert!(status.success(), "the read-only open in another process failed");
    drop((a, b));
    assert_eq!(listing(&path), before, "read-only handles changed the directory");
    let writer = Db::open(&path, Options::new()).unwrap();
    assert_eq!(Db::open(&path, Options::new().read_only(true)).unwrap_err().kind(), ErrorKind::Busy);
    drop(writer);
    let missing = dir.sub("missing");
    assert_eq!(
        Db::open(&missing, Options::new().read_only(true)).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(!missing.exists(), "a read-only open created {}", missing.display());
}

/// Not a test on its own: the second process of the test above.
#[test]
fn read_only_helper_process() {
    let Some(path) = std::env::var_os("STRATA_RO_HELPER_DIR") else {
        return; // run by read_only_handles_share_and_write_nothing
    };
    let db = Db::open(path, Options::new().read_only(true)).unwrap();
    assert_eq!(db.get(b"k").unwrap(), Some(b"in the log".to_vec()));
}

#[test]
fn approximate_size_follows_the_data() {
    let dir = TempDir::new("approx");
    let db = Db::open(dir.path(), Options::new()).unwrap();
    assert_eq!(db.approximate_size(..).unwrap(), 0);
    let mut rng = common::Rng::new(5);
    let value: Vec<u8> = (0..1000).map(|_| rng.next_u64() as u8).collect();
    for i in 0..2000 {
        db.put(format!("k{i:05}"), &value).unwrap();
    }
    db.flush().unwrap();
    let all = db.approximate_size(..).unwrap();
    assert!((2000 * 1000..2000 * 1200).contains(&all), "{all}");
    let half = db.approximate_size(&b"k00000"[..]..&b"k01000"[..]).unwrap();
    assert!(half > all * 4 / 10 && half < all * 6 / 10, "{half} of {all}");
    assert_eq!(db.approximate_size(&b"z"[..]..).unwrap(), 0);
    assert_eq!(db.approximate_size(&b"k00100"[..]..&b"k00100"[..]).unwrap(), 0);
}
