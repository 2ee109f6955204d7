//! strata-bench-peers: strata's Rust binding beside Rust key-value stores
//! from crates.io (fjall, an LSM tree; redb, a B-tree), on the same data in
//! the same process, per item: put, batch put, get of existing and of absent
//! keys, and full scans both ways; then strata's own read paths through the
//! binding (`get`, `get_value`, `multi_get`, `Iter`, `Cursor`).
//!
//! Each round gives every engine fresh directories, fills them one engine
//! after the other (the order rotating from round to round), then
//! interleaves the engines' reads block by block (see `round`); the tables
//! report medians over rounds. Markdown goes
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
mod round;
mod strata_calls;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;

use engine::{Settings, ENGINES};
use report::Records;
use workload::{Workload, KEY_BYTES, VALUE_BYTES};

/// Every fallible step of the benchmark; any error stops the run.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The command line.
pub struct Config {
    pub dir: PathBuf,
    pub items: usize,
    pub reads: usize,
    pub missing_reads: usize,
    pub call_keys: usize,
    pub batch: usize,
    pub rounds: usize,
    pub engines: Vec<&'static str>,
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
    let mut records = Records::default();
    for round in 0..config.rounds {
        round::run(config, &workload, &settings, round, &mut records)?;
    }
    print_report(config, &settings, &records);
    Ok(())
}

fn print_report(config: &Config, settings: &Settings, records: &Records) {
    let Records { peers, space, calls } = records;
    let s = settings;
    println!("## Parameters\n");
    println!(
        "- {} keys of {KEY_BYTES} random bytes with {VALUE_BYTES}-byte values, written in random order; \
         {} gets of existing keys (uniform, with repeats) and {} of absent keys; batches of {}; \
         {} rounds. Each round fills every engine in fresh directories, one after the other (the order \
         rotating each round), then runs the reads and scans of all engines interleaved, block by block, in a fresh random engine \
         order per block.",
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
        "- Each phase is timed in blocks (a run of puts as long as a batch, 200 gets, a scan chunk of 1,000 \
         entries, one batch). \
         *mean*: all the time over all the items. *median block*: the median of the blocks' time per item, \
         which ignores the blocks in which the process was preempted, the steadier figure on a busy \
         machine. *p50*, *p99*: of single calls, one in {} timed on its own. Each cell is the median over \
         the rounds; the ratio columns divide strata's cell by the peer's (below 1: strata takes less \
         time).\n",
        measure::SAMPLE_EVERY
    );
    println!("## strata beside its peers\n");
    println!("{}", peers.comparison_table(&config.engines));
    println!("{}", space.comparison_table_of(&config.engines, "bytes", 0));
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
pub fn group(n: usize) -> String {
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
