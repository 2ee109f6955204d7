//! strata only: what each way of reading costs through the Rust binding, so
//! the price of crossing into the C library, of copying values into `Vec`s,
//! and what `multi_get` amortises are visible side by side.
//!
//! Point reads: `Db::get` (the library's buffer copied into a `Vec`, then
//! freed), `Db::get_value` (the library's buffer handed over, no copy),
//! `Db::multi_get` with 100 keys per call (one C call, one snapshot, one
//! buffer, then each value copied into its own `Vec`; reported per key),
//! `Db::multi_get_values` (the same call, the values read in place), and a
//! bare call into libstrata that does no work (`kv_snapshot_sequence(NULL)`),
//! the floor of any call. They run interleaved, in blocks of 200 keys in a
//! fresh random method order each, so the machine's noise falls on all of
//! them alike, and each reports the median of its blocks; every method reads
//! different keys from the same distribution. Twice: over keys spread across
//! the whole database ("cold": mostly block-cache misses), and over 1,000
//! keys read again and again ("hot": blocks in cache, so the per-call costs
//! show).
//!
//! Scans: `Iter` (each item copies its key and value into `Vec`s) against
//! `Cursor` (reads them in place), forward, and `Cursor` backward; the three
//! walk the database side by side, 1,000 entries at a time in turn, and each
//! reports the median of its chunks.

use std::hint::black_box;
use std::time::Instant;

use strata::Db;

use crate::measure::{median, shuffled};
use crate::report::Recorder;
use crate::workload::{SplitMix64, Workload};
use crate::BenchResult;

/// Keys per block of one method: small enough (well under a millisecond)
/// that most blocks run without being preempted on the busy machine; the
/// figure of a method is the median of its blocks' ns per key, which the
/// preempted blocks barely move.
const BLOCK_KEYS: usize = 200;
/// Entries per timed chunk of a scan.
const SCAN_CHUNK: usize = 1000;
/// Keys per `multi_get` call.
const MULTI_GET_KEYS: usize = 100;
/// Distinct keys of the hot set.
const HOT_KEYS: usize = 1000;

#[derive(Clone, Copy)]
enum PointRead {
    Get,
    GetValue,
    MultiGet,
    MultiGetValues,
    BareCall,
}

impl PointRead {
    const ALL: [PointRead; 5] = [
        PointRead::Get,
        PointRead::GetValue,
        PointRead::MultiGet,
        PointRead::MultiGetValues,
        PointRead::BareCall,
    ];

    fn label(self) -> &'static str {
        match self {
            PointRead::Get => "`Db::get` → `Vec<u8>`",
            PointRead::GetValue => "`Db::get_value` → `Value` (no copy)",
            PointRead::MultiGet => "`Db::multi_get`, 100 keys per call, per key",
            PointRead::MultiGetValues => "`Db::multi_get_values` (no copy), 100 keys per call, per key",
            PointRead::BareCall => "bare call into libstrata (`kv_snapshot_sequence(NULL)`)",
        }
    }

    /// Reads every key of `keys` this way; returns the value bytes seen.
    fn run(self, db: &Db, keys: &[&[u8]]) -> BenchResult<usize> {
        let mut bytes = 0;
        match self {
            PointRead::Get => {
                for key in keys {
                    bytes += db.get(key)?.ok_or("strata: Db::get missed an existing key")?.len();
                }
            }
            PointRead::GetValue => {
                for key in keys {
                    bytes += db.get_value(key)?.ok_or("strata: Db::get_value missed an existing key")?.len();
                }
            }
            PointRead::MultiGet => {
                for chunk in keys.chunks(MULTI_GET_KEYS) {
                    for value in db.multi_get(chunk)? {
                        bytes += value.ok_or("strata: Db::multi_get missed an existing key")?.len();
                    }
                }
            }
            PointRead::MultiGetValues => {
                for chunk in keys.chunks(MULTI_GET_KEYS) {
                    for value in db.multi_get_values(chunk)?.iter() {
                        bytes += value.ok_or("strata: Db::multi_get_values missed an existing key")?.len();
                    }
                }
            }
            PointRead::BareCall => {
                for _ in keys {
                    // SAFETY: kv_snapshot_sequence accepts NULL and returns 0.
                    bytes +=
                        unsafe { strata_sys::kv_snapshot_sequence(black_box(std::ptr::null())) } as usize;
                }
            }
        }
        Ok(black_box(bytes))
    }
}

/// Measures every point-read method over `keys_per_method` keys each, cold and
/// hot, and the three scans, recording ns per key (or per entry).
pub fn measure(
    db: &Db,
    workload: &Workload,
    keys_per_method: usize,
    round: usize,
    rec: &mut Recorder,
) -> BenchResult<()> {
    let blocks = keys_per_method.div_ceil(BLOCK_KEYS);
    let mut rng = SplitMix64::new(0x5354_5241_5441_0100 + round as u64);
    let hot: Vec<usize> = (0..HOT_KEYS).map(|_| rng.below(workload.items())).collect();

    for (set, pick) in [("cold", None), ("hot", Some(&hot))] {
        let mut per_block: [Vec<f64>; PointRead::ALL.len()] = Default::default();
        for _ in 0..blocks {
            for m in shuffled(&mut rng, PointRead::ALL.len()) {
                let keys: Vec<&[u8]> = (0..BLOCK_KEYS)
                    .map(|_| match pick {
                        None => workload.key(rng.below(workload.items())),
                        Some(hot) => workload.key(hot[rng.below(hot.len())]),
                    })
                    .collect();
                let start = Instant::now();
                PointRead::ALL[m].run(db, &keys)?;
                per_block[m].push(start.elapsed().as_nanos() as f64 / BLOCK_KEYS as f64);
            }
        }
        for (m, method) in PointRead::ALL.iter().enumerate() {
            rec.record(&format!("{} ({set} keys)", method.label()), "strata", median(&per_block[m]));
        }
    }

    scans(db, workload.items(), &mut rng, rec)
}

/// The three scans, interleaved: each advances by `SCAN_CHUNK` entries in
/// turn (in a fresh random order per chunk) until all have walked the whole
/// database; each reports the median of its chunks' ns per entry.
fn scans(db: &Db, items: usize, rng: &mut SplitMix64, rec: &mut Recorder) -> BenchResult<()> {
    let mut iter = db.iter();
    let mut forward = db.cursor(..)?;
    let mut backward = db.cursor(..)?;
    let mut backward_started = false;
    let mut seen = [0usize; 3];
    let mut per_chunk: [Vec<f64>; 3] = Default::default();
    for _ in 0..items.div_ceil(SCAN_CHUNK) {
        for kind in shuffled(rng, 3) {
            let start = Instant::now();
            let mut n = 0;
            while n < SCAN_CHUNK {
                let more = match kind {
                    0 => match iter.next() {
                        Some(entry) => {
                            let (k, v) = entry?;
                            black_box((&k, &v));
                            true
                        }
                        None => false,
                    },
                    1 => forward.next()? && black_box(forward.entry()).is_some(),
                    _ => {
                        let moved = if backward_started { backward.prev()? } else { backward.last()? };
                        backward_started = true;
                        moved && black_box(backward.entry()).is_some()
                    }
                };
                if !more {
                    break;
                }
                n += 1;
            }
            if n > 0 {
                per_chunk[kind].push(start.elapsed().as_nanos() as f64 / n as f64);
            }
            seen[kind] += n;
        }
    }
    let labels = [
        "scan forward, `Iter` (copies key and value)",
        "scan forward, `Cursor` (in place)",
        "scan backward, `Cursor` (in place)",
    ];
    for kind in 0..3 {
        if seen[kind] != items {
            return Err(
                format!("strata: {} saw {} entries, expected {items}", labels[kind], seen[kind]).into()
            );
        }
        rec.record(labels[kind], "strata", median(&per_chunk[kind]));
    }
    Ok(())
}
