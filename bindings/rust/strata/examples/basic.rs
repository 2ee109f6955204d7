//! A tour of the strata crate: open, write, batch, read, scan both ways, seek
//! with a cursor, read through a snapshot, and look at the statistics.
//!
//! Run from bindings/rust (the first build compiles the engine):
//!
//! ```sh
//! cargo run --example basic -- /tmp/strata-example
//! ```
//!
//! The directory argument is optional; without it a fresh one under the
//! system's temporary directory is used and removed at the end.

use std::error::Error;
use std::path::PathBuf;

use strata::{Compression, Db, Options, WriteBatch, WriteOptions};

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn main() -> Result<(), Box<dyn Error>> {
    let (path, scratch) = match std::env::args_os().nth(1) {
        Some(p) => (PathBuf::from(p), false),
        None => (std::env::temp_dir().join(format!("strata-example-{}", std::process::id())), true),
    };
    println!("strata {} at {}", strata::version(), path.display());

    let db = Db::open(&path, Options::new().memtable_bytes(8 << 20).compression(Compression::Lz4))?;

    db.put(b"apple", b"red")?;
    match db.get(b"apple")? {
        Some(value) => println!("apple = {}", show(&value)),
        None => println!("apple is absent"),
    }

    let mut batch = WriteBatch::new(); // applied all together or not at all
    for (fruit, colour) in [("kiwi", "green"), ("lime", "green"), ("plum", "purple"), ("fig", "brown")] {
        batch.put(format!("fruit:{fruit}"), colour)?;
    }
    batch.delete(b"apple")?;
    db.write_opt(&batch, WriteOptions { sync: true })?; // fsynced before it returns

    println!("fruit, ascending:");
    for entry in db.prefix(b"fruit:") {
        let (key, value) = entry?;
        println!("  {} = {}", show(&key), show(&value));
    }
    println!("fruit from k to p, descending:");
    for entry in db.range(b"fruit:k"..b"fruit:p").rev() {
        let (key, _) = entry?;
        println!("  {}", show(&key));
    }

    let snapshot = db.snapshot()?;
    db.put(b"fruit:kiwi", b"brown")?;
    let values = snapshot.multi_get(&[&b"fruit:kiwi"[..], b"fruit:pear"])?;
    println!("kiwi in the snapshot = {:?}, pear = {:?}", values[0].as_deref().map(show), values[1]);
    println!("kiwi now = {}", show(&db.get(b"fruit:kiwi")?.unwrap_or_default()));
    drop(snapshot);

    let mut cursor = db.cursor(..)?;
    if cursor.seek(b"fruit:m")? {
        // key() and value() borrow the library's memory: no copy.
        println!("first key at or after fruit:m: {}", show(cursor.key().unwrap_or_default()));
    }
    drop(cursor);

    db.flush()?;
    println!("tables at level 0: {}", db.property("num-files-at-level0")?);
    db.close()?;
    if scratch {
        strata::destroy(&path)?;
    }
    Ok(())
}
