//! strata-bench-peers: strata's Rust binding beside Rust key-value stores
//! from crates.io (fjall, an LSM tree; redb, a B-tree), on the same data in
//! the same process, per item: put, batch put, get of existing and of absent
//! keys, and full scans both ways; then strata's own read paths through the
//! binding (`get`, `get_value`, `multi_get`, `Iter`, `Cursor`).
//!
//! Each round gives every engine fresh directories, in an order that rotates
//! from round to round; the tables report medians over rounds. Markdown goes
//! to stdout, progress to stderr. bench/bindings/rust.sh builds and runs this
//! and writes docs/bench/bindings-rust.md.
//!
//! Usage: strata-bench-peers --dir DIR [--items N] [--reads N] [--missing N]
//!        [--call-keys N] [--batch N] [--rounds N] [--engines strata,fjall,redb]

mod engine;
mod engine_fjall;
mod engine_redb;
mod engine_strata;
mod measure;
mod report;
mod strata_calls;
mod workload;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use engine::{Engine, Settings};
use engine_fjall::FjallEngine;
use engine_redb::RedbEngine;
use engine_strata::StrataEngine;
use measure::{time_calls, time_once, Timed};
use report::Recorder;
use workload::{Workload, KEY_BYTES, VALUE_BYTES};

/// Every fallible step of the benchmark; any error stops the run.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

const ENGINES: [&str; 3] = ["strata", "fjall", "redb"];

struct Config {
    dir: PathBuf,
    items: usize,
    reads: usize,
    missing_reads: usize,
    call_keys: usize,
    batch: usize,
    rounds: usize,
    engines: Vec<&'static str>,
}

fn usage() -> String {
    "usage: strata-bench-peers --dir DIR [--items N (1000000)] [--reads N (items/10)] \
     [--missing N (reads)] [--call-keys N (20000)] [--batch N (1000)] [--rounds N (3)] \
     [--engines strata,fjall,redb]"
        .into()
}

fn parse_args() -> BenchResult<Config> {
    let mut dir = None;
    let (mut items, mut reads, mut missing_reads) = (1_000_000, None, None);
    let (mut call_keys, mut batch, mut rounds) = (20_000, 1000, 3);
    let mut engines = ENGINES.to_vec();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(usage().into());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{}", usage()))?;
        let count = || -> BenchResult<usize> {
            let n: usize =
                value.replace('_', "").parse().map_err(|_| format!("{flag}: not a count: {value:?}"))?;
            if n == 0 {
                return Err(format!("{flag} must be at least 1").into());
            }
            Ok(n)
        };
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(&value)),
            "--items" => items = count()?,
            "--reads" => reads = Some(count()?),
            "--missing" => missing_reads = Some(count()?),
            "--call-keys" => call_keys = count()?,
            "--batch" => batch = count()?,
            "--rounds" => rounds = count()?,
            "--engines" => {
                engines = Vec::new();
                for name in value.split(',') {
                    let known = ENGINES.iter().find(|e| **e == name);
                    let known = known
                        .ok_or_else(|| format!("--engines: unknown engine {name:?} (known: {ENGINES:?})"))?;
                    if !engines.contains(known) {
                        engines.push(known);
                    }
                }
            }
            _ => return Err(format!("unknown argument {flag:?}\n{}", usage()).into()),
        }
    }
    let dir = dir.ok_or_else(|| format!("--dir is required\n{}", usage()))?;
    let reads = reads.unwrap_or((items / 10).max(1));
    let missing_reads = missing_reads.unwrap_or(reads);
    Ok(Config { dir, items, reads, missing_reads, call_keys, batch, rounds, engines })
}

fn main() -> ExitCode {
    match parse_args().and_then(|c| run(&c)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strata-bench-peers: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: &Config) -> BenchResult<()> {
    std::fs::create_dir_all(&config.dir)?;
    let workload = Workload::new(config.items, config.reads, config.missing_reads);
    let settings = Settings::default();
    let mut peers = Recorder::default();
    let mut calls = Recorder::default();
    let mut space = Recorder::default();
    for round in 0..config.rounds {
        let n = config.engines.len();
        for step in 0..n {
            let engine = config.engines[(round + step) % n];
            eprintln!("round {}/{}: {engine}", round + 1, config.rounds);
            match engine {
                "strata" => bench_engine::<StrataEngine>(
                    config,
                    &workload,
                    &settings,
                    round,
                    &mut peers,
                    &mut space,
                    |e| strata_calls::measure(e.db(), &workload, config.call_keys, round, &mut calls),
                )?,
                "fjall" => bench_engine::<FjallEngine>(
                    config,
                    &workload,
                    &settings,
                    round,
                    &mut peers,
                    &mut space,
                    |_| Ok(()),
                )?,
                "redb" => bench_engine::<RedbEngine>(
                    config,
                    &workload,
                    &settings,
                    round,
                    &mut peers,
                    &mut space,
                    |_| Ok(()),
                )?,
                other => unreachable!("engine {other} was validated"),
            }
        }
    }
    print_report(config, &settings, &peers, &calls, &space);
    Ok(())
}

/// One round of one engine: the fill, settle, point reads, scans, the
/// engine's extra measurements, then (for most engines) a fill by batches
/// in a new directory.
fn bench_engine<E: Engine>(
    config: &Config,
    w: &Workload,
    settings: &Settings,
    round: usize,
    rec: &mut Recorder,
    space: &mut Recorder,
    extra: impl FnOnce(&E) -> BenchResult<()>,
) -> BenchResult<()> {
    let name = E::NAME;
    let n = w.items();

    let dir = fresh_dir(&config.dir, &format!("{name}-round{round}"))?;
    let mut db = E::create(&dir, settings)?;
    let (put, batches_of_fill) = fill(&mut db, w, config.batch)?;
    rec.record("put", name, put.ns_per_item());
    rec.record("put p50 (sampled calls)", name, put.percentile(0.50));
    rec.record("put p99 (sampled calls)", name, put.percentile(0.99));
    let settle = time_once(|| db.settle().map(|()| n))?;
    rec.record("settle after the fill (flush, compactions), per item put", name, settle.ns_per_item());
    db.quiesce()?;
    space.record("disk bytes per item after the fill and settle", name, disk_bytes(&dir)? as f64 / n as f64);

    db.begin_reads()?;
    point_reads(&db, w, rec)?;
    for (label, reverse) in [("scan forward, per entry", false), ("scan backward, per entry", true)] {
        let scan = time_once(|| {
            let (entries, bytes) = db.scan(reverse)?;
            if entries != n || bytes != n * (KEY_BYTES + VALUE_BYTES) {
                return Err(
                    format!("{name}: {label} saw {entries} entries of {bytes} bytes, wrote {n}").into()
                );
            }
            Ok(entries)
        })?;
        rec.record(label, name, scan.ns_per_item());
    }
    extra(&db)?;
    db.close()?;
    std::fs::remove_dir_all(&dir)?;

    let batch = match batches_of_fill {
        Some(timed) => timed,
        None => batch_fill::<E>(config, w, settings, round)?,
    };
    rec.record(&format!("batch put, {} per batch, per item", config.batch), name, batch.ns_per_item());
    Ok(())
}

/// Writes every key of the workload into `db`: all by single puts, or (see
/// `Engine::SINGLE_PUT_ONE_RUN_IN`) one run of `batch` keys in k by single
/// puts and the others in batches. Returns the single puts' timing and, in
/// the second case, the batches'.
fn fill<E: Engine>(db: &mut E, w: &Workload, batch: usize) -> BenchResult<(Timed, Option<Timed>)> {
    let n = w.items();
    let one_in = E::SINGLE_PUT_ONE_RUN_IN;
    if one_in <= 1 {
        return Ok((time_calls(n, 1, |i| db.put(w.key(i), w.value(i)))?, None));
    }
    let (mut singles, mut batches) = (Timed::empty(), Timed::empty());
    for (run, start) in (0..n).step_by(batch).enumerate() {
        let end = (start + batch).min(n);
        if run % one_in == 0 {
            singles.merge(time_calls(end - start, 1, |j| db.put(w.key(start + j), w.value(start + j)))?);
        } else {
            batches.merge(time_calls(1, end - start, |_| db.put_batch(w, start..end))?);
        }
    }
    Ok((singles, Some(batches)))
}

/// Gets of existing keys (each must give its 100-byte value) and of absent
/// ones (each must give nothing).
fn point_reads<E: Engine>(db: &E, w: &Workload, rec: &mut Recorder) -> BenchResult<()> {
    let name = E::NAME;
    let get = time_calls(w.reads(), 1, |r| match db.get(w.read_key(r))? {
        Some(VALUE_BYTES) => Ok(()),
        other => Err(format!("{name}: get of existing key #{r} gave a value of length {other:?}").into()),
    })?;
    rec.record("get, existing key", name, get.ns_per_item());
    rec.record("get, existing key, p50", name, get.percentile(0.50));
    rec.record("get, existing key, p99", name, get.percentile(0.99));
    let missing = time_calls(w.missing_reads(), 1, |r| match db.get(w.missing_key(r))? {
        None => Ok(()),
        Some(_) => Err(format!("{name}: absent key #{r} was found").into()),
    })?;
    rec.record("get, absent key", name, missing.ns_per_item());
    rec.record("get, absent key, p50", name, missing.percentile(0.50));
    rec.record("get, absent key, p99", name, missing.percentile(0.99));
    Ok(())
}

/// Fills a new directory with every key in batches of `config.batch`.
fn batch_fill<E: Engine>(
    config: &Config,
    w: &Workload,
    settings: &Settings,
    round: usize,
) -> BenchResult<Timed> {
    let n = w.items();
    let dir = fresh_dir(&config.dir, &format!("{}-round{round}-batch", E::NAME))?;
    let mut db = E::create(&dir, settings)?;
    let batches = n.div_ceil(config.batch);
    let mut timed = time_calls(batches, config.batch, |b| {
        db.put_batch(w, b * config.batch..((b + 1) * config.batch).min(n))
    })?;
    timed.items = n;
    db.close()?;
    std::fs::remove_dir_all(&dir)?;
    Ok(timed)
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

fn print_report(config: &Config, settings: &Settings, peers: &Recorder, calls: &Recorder, space: &Recorder) {
    let s = settings;
    println!("## Parameters\n");
    println!(
        "- {} keys of {KEY_BYTES} random bytes with {VALUE_BYTES}-byte values, written in random order; \
         {} gets of existing keys (uniform, with repeats) and {} of absent keys; batches of {}; \
         {} rounds, each engine in fresh directories, the engine order rotating each round.",
        group(config.items),
        group(config.reads),
        group(config.missing_reads),
        group(config.batch),
        config.rounds
    );
    println!(
        "- Settings: memtable {} MiB, cache {} MiB, bloom {} bits per key, blocks {} B, {} background threads, \
         no compression, no fsync (details below).",
        s.memtable_bytes >> 20,
        s.cache_bytes >> 20,
        s.bloom_bits_per_key,
        s.block_bytes,
        s.background_threads
    );
    println!(
        "- p50/p99 are over one call in {} (each timed on its own); the means over every call.\n",
        measure::SAMPLE_EVERY
    );
    println!("## strata beside its peers\n");
    println!("{}", peers.comparison_table(&config.engines));
    println!("{}", space.comparison_table_of(&config.engines, "bytes per item (median)", 0));
    if config.engines.contains(&"strata") {
        println!("## strata's read paths through the binding\n");
        println!(
            "{} keys per method per key set, interleaved in blocks of 200 keys; each figure is the median of \
             its blocks' ns per key (then the median over rounds).\n",
            group(config.call_keys)
        );
        let baseline = |metric: &str| -> Option<String> {
            if metric.starts_with("scan") {
                Some("scan forward, `Iter` (copies key and value)".into())
            } else {
                let set = metric.rsplit_once(" (").map(|(_, s)| s)?;
                Some(format!("`Db::get` → `Vec<u8>` ({set}"))
            }
        };
        println!("{}", calls.single_engine_table("strata", baseline));
    }
    println!("## Every round\n");
    println!("{}", peers.rounds_table());
    println!("{}", space.rounds_table());
    if config.engines.contains(&"strata") {
        println!("{}", calls.rounds_table());
    }
}

/// 1000000 as "1,000,000".
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
