//! One round of the benchmark:
//! 1. each engine in turn (the order rotating from round to round) creates a
//!    database in a fresh directory, is filled by single puts, settles, and
//!    stays open;
//! 2. point reads of existing keys, then of absent keys, run interleaved
//!    across the open engines: each block of 200 keys is read by every
//!    engine in turn (in a fresh random order per block, see
//!    `measure::shuffled`), so the machine's noise falls on all of them
//!    alike and they read exactly the same keys;
//! 3. full scans forward, then backward, interleaved the same way in chunks
//!    of 1,000 entries;
//! 4. strata's own read paths (`strata_calls`);
//! 5. the databases are closed and removed, and each engine fills a fresh
//!    directory again, in batches.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::engine::{self, Engine, Scanner, Settings};
use crate::measure::{ns_per_item, shuffled, Blocks};
use crate::report::Records;
use crate::workload::{SplitMix64, Workload, KEY_BYTES, VALUE_BYTES};
use crate::{group, strata_calls, BenchResult, Config};

/// Point reads per block.
const READ_BLOCK: usize = 200;
/// Scan entries per chunk.
const SCAN_CHUNK: usize = 1000;

/// An engine whose database stays open for the reads.
struct Open {
    engine: Box<dyn Engine>,
    dir: PathBuf,
}

pub fn run(
    config: &Config,
    w: &Workload,
    settings: &Settings,
    round: usize,
    rec: &mut Records,
) -> BenchResult<()> {
    let n = config.engines.len();
    let order: Vec<&'static str> = (0..n).map(|i| config.engines[(round + i) % n]).collect();
    let progress = |what: &str| eprintln!("round {}/{}: {what}", round + 1, config.rounds);

    let mut open = Vec::new();
    let mut batches_of_fill = Vec::new();
    for name in &order {
        progress(&format!("{name}: fill"));
        let dir = fresh_dir(&config.dir, &format!("{name}-round{round}"))?;
        let mut engine = engine::create(name, &dir, settings)?;
        let (puts, batches) = fill(engine.as_mut(), w, config.batch)?;
        rec.peers.record("put: mean", name, puts.mean());
        rec.peers.record(&format!("put: median block of {}", group(config.batch)), name, puts.median_block());
        rec.peers.record("put: p50", name, puts.percentile(0.50));
        rec.peers.record("put: p99", name, puts.percentile(0.99));
        let settle = ns_per_item(w.items(), || engine.settle())?;
        rec.peers.record("settle after the fill (flush, compactions), per key", name, settle);
        engine.quiesce()?;
        rec.space.record(
            "disk bytes per key after the fill and settle",
            name,
            disk_bytes(&dir)? as f64 / w.items() as f64,
        );
        engine.begin_reads()?;
        open.push(Open { engine, dir });
        batches_of_fill.push(batches);
    }

    progress("point reads, all engines interleaved");
    point_reads(&open, w, round, rec)?;
    progress("scans, all engines interleaved");
    for reverse in [false, true] {
        scans(&open, w.items(), reverse, round, rec)?;
    }
    if let Some(db) = open.iter().find_map(|o| o.engine.strata_db()) {
        progress("strata's read paths");
        strata_calls::measure(db, w, config.call_keys, round, &mut rec.calls)?;
    }
    for o in open {
        o.engine.close()?;
        std::fs::remove_dir_all(&o.dir)?;
    }

    for (name, batches) in order.iter().zip(batches_of_fill) {
        let batches = match batches {
            Some(b) => b,
            None => {
                progress(&format!("{name}: fill by batches"));
                batch_fill(name, config, w, settings, round)?
            }
        };
        let label = format!("batch put of {}: mean per key", group(config.batch));
        rec.peers.record(&label, name, batches.mean());
        let label = format!("batch put of {}: median batch, per key", group(config.batch));
        rec.peers.record(&label, name, batches.median_block());
    }
    Ok(())
}

/// Writes every key of the workload: all by single puts in blocks of
/// `batch`, or (see `Engine::single_put_one_run_in`) one run of `batch` keys
/// in k by single puts and the others in batches. Returns the single puts'
/// timings and, in the second case, the batches'.
fn fill(engine: &mut dyn Engine, w: &Workload, batch: usize) -> BenchResult<(Blocks, Option<Blocks>)> {
    let one_in = engine.single_put_one_run_in();
    let (mut singles, mut batches) = (Blocks::new(), Blocks::new());
    for (run, start) in (0..w.items()).step_by(batch).enumerate() {
        let end = (start + batch).min(w.items());
        if one_in <= 1 || run % one_in == 0 {
            singles.time_block(end - start, 1, |j| engine.put(w.key(start + j), w.value(start + j)))?;
        } else {
            batches.time_block(1, end - start, |_| engine.put_batch(w, start..end))?;
        }
    }
    Ok((singles, (one_in > 1).then_some(batches)))
}

/// Gets of existing keys (each must give its 100-byte value), then of absent
/// ones (each must give nothing), interleaved across the engines.
fn point_reads(open: &[Open], w: &Workload, round: usize, rec: &mut Records) -> BenchResult<()> {
    type KeyOf = fn(&Workload, usize) -> &[u8];
    let phases: [(&str, usize, KeyOf, bool); 2] = [
        ("get, existing key", w.reads(), Workload::read_key, true),
        ("get, absent key", w.missing_reads(), Workload::missing_key, false),
    ];
    for (label, count, key_of, exists) in phases {
        let mut stats: Vec<Blocks> = open.iter().map(|_| Blocks::new()).collect();
        let mut rng = SplitMix64::new(0x5354_5241_5441_0200 + round as u64);
        for block in 0..count.div_ceil(READ_BLOCK) {
            let keys: Range<usize> = block * READ_BLOCK..((block + 1) * READ_BLOCK).min(count);
            for e in shuffled(&mut rng, open.len()) {
                let engine = open[e].engine.as_ref();
                stats[e].time_block(keys.len(), 1, |j| {
                    let r = keys.start + j;
                    match (engine.get(key_of(w, r))?, exists) {
                        (Some(VALUE_BYTES), true) | (None, false) => Ok(()),
                        (found, _) => Err(format!("{}: {label} #{r} gave {found:?}", engine.name()).into()),
                    }
                })?;
            }
        }
        for (o, s) in open.iter().zip(&stats) {
            let name = o.engine.name();
            rec.peers.record(&format!("{label}: mean"), name, s.mean());
            rec.peers.record(
                &format!("{label}: median block of {}", group(READ_BLOCK)),
                name,
                s.median_block(),
            );
            rec.peers.record(&format!("{label}: p50"), name, s.percentile(0.50));
            rec.peers.record(&format!("{label}: p99"), name, s.percentile(0.99));
        }
    }
    Ok(())
}

/// A full scan by every engine, interleaved in chunks; each must see every
/// key and all its bytes.
fn scans(open: &[Open], items: usize, reverse: bool, round: usize, rec: &mut Records) -> BenchResult<()> {
    let label = if reverse { "scan backward, per entry" } else { "scan forward, per entry" };
    let mut scanners: Vec<Box<dyn Scanner + '_>> =
        open.iter().map(|o| o.engine.scanner(reverse)).collect::<BenchResult<_>>()?;
    let mut stats: Vec<Blocks> = open.iter().map(|_| Blocks::new()).collect();
    let mut bytes = vec![0usize; open.len()];
    let mut done = vec![false; open.len()];
    let mut rng = SplitMix64::new(0x5354_5241_5441_0300 + round as u64 * 2 + u64::from(reverse));
    while done.iter().any(|d| !d) {
        for e in shuffled(&mut rng, open.len()) {
            if done[e] {
                continue;
            }
            let scanner = &mut scanners[e];
            let seen = stats[e].time_chunk(|| {
                let (entries, b) = scanner.advance(SCAN_CHUNK)?;
                bytes[e] += b;
                Ok(entries)
            })?;
            done[e] = seen < SCAN_CHUNK;
        }
    }
    for (e, o) in open.iter().enumerate() {
        let name = o.engine.name();
        let entries = stats[e].items();
        if entries != items || bytes[e] != items * (KEY_BYTES + VALUE_BYTES) {
            return Err(format!(
                "{name}: {label}: saw {entries} entries of {} bytes, wrote {items}",
                bytes[e]
            )
            .into());
        }
        rec.peers.record(&format!("{label}: mean"), name, stats[e].mean());
        rec.peers.record(
            &format!("{label}: median chunk of {}", group(SCAN_CHUNK)),
            name,
            stats[e].median_block(),
        );
    }
    Ok(())
}

/// Fills a fresh directory with every key in batches of `config.batch`.
fn batch_fill(
    name: &str,
    config: &Config,
    w: &Workload,
    settings: &Settings,
    round: usize,
) -> BenchResult<Blocks> {
    let dir = fresh_dir(&config.dir, &format!("{name}-round{round}-batch"))?;
    let mut engine = engine::create(name, &dir, settings)?;
    let mut batches = Blocks::new();
    for start in (0..w.items()).step_by(config.batch) {
        let end = (start + config.batch).min(w.items());
        batches.time_block(1, end - start, |_| engine.put_batch(w, start..end))?;
    }
    engine.close()?;
    std::fs::remove_dir_all(&dir)?;
    Ok(batches)
}

/// Bytes allocated on disk by the files under `dir` (a preallocated but
/// unwritten region of a file does not count).
fn disk_bytes(dir: &Path) -> BenchResult<u64> {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { disk_bytes(&entry.path())? } else { meta.blocks() * 512 };
    }
    Ok(total)
}

/// `parent/name`, emptied if a previous run left it behind.
fn fresh_dir(parent: &Path, name: &str) -> BenchResult<PathBuf> {
    let dir = parent.join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(dir)
}
