//! Timing in blocks: each phase of an engine is timed as a series of short
//! blocks of calls (or chunks of a scan). That gives three views of the same
//! calls:
//! - the mean: all the blocks' time over all their items;
//! - the median block: each block's time per item, then the median of those.
//!   A block is a millisecond or so; a block in which the process was
//!   preempted is an outlier the median ignores, so on a busy machine this is
//!   the steadier figure;
//! - percentiles of single calls: one call in `SAMPLE_EVERY` is also timed on
//!   its own.

use std::time::{Duration, Instant};

use crate::workload::SplitMix64;
use crate::BenchResult;

/// One call in this many is timed individually. Two clock reads cost about
/// 40 ns here (the TSC clocksource, read through the vDSO), so sampling every
/// call would add a few percent to a 1 µs operation; one in 16 adds under
/// 3 ns per call on average, the same for every engine.
pub const SAMPLE_EVERY: usize = 16;

/// The timings of one phase of one engine.
#[derive(Default)]
pub struct Blocks {
    items: usize,
    elapsed: Duration,
    /// Each block's wall time per item, in nanoseconds.
    per_block: Vec<f64>,
    /// Latencies of the sampled calls, in nanoseconds.
    samples: Vec<u64>,
    /// Calls made so far, which decides the sampled ones.
    calls: usize,
}

impl Blocks {
    pub fn new() -> Blocks {
        Blocks::default()
    }

    /// Times `op(0)` … `op(calls - 1)` as one block; each call handles
    /// `items_per_call` items.
    pub fn time_block(
        &mut self,
        calls: usize,
        items_per_call: usize,
        mut op: impl FnMut(usize) -> BenchResult<()>,
    ) -> BenchResult<()> {
        let start = Instant::now();
        for i in 0..calls {
            if (self.calls + i).is_multiple_of(SAMPLE_EVERY) {
                let t = Instant::now();
                op(i)?;
                self.samples.push(t.elapsed().as_nanos() as u64);
            } else {
                op(i)?;
            }
        }
        let elapsed = start.elapsed();
        self.calls += calls;
        self.add(calls * items_per_call, elapsed);
        Ok(())
    }

    /// Times one call that handles as many items as it returns (a chunk of
    /// a scan); a chunk of no items is not a block. Returns the items.
    pub fn time_chunk(&mut self, op: impl FnOnce() -> BenchResult<usize>) -> BenchResult<usize> {
        let start = Instant::now();
        let items = op()?;
        let elapsed = start.elapsed();
        if items > 0 {
            self.add(items, elapsed);
        }
        Ok(items)
    }

    fn add(&mut self, items: usize, elapsed: Duration) {
        self.items += items;
        self.elapsed += elapsed;
        if items > 0 {
            self.per_block.push(elapsed.as_nanos() as f64 / items as f64);
        }
    }

    /// Items handled in all blocks.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Mean wall time per item, in nanoseconds.
    pub fn mean(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.items.max(1) as f64
    }

    /// The median of the blocks' ns per item.
    pub fn median_block(&self) -> f64 {
        median(&self.per_block)
    }

    /// The `q`-quantile (0..=1) of the sampled call latencies, in nanoseconds.
    pub fn percentile(&self, q: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        let rank = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[rank] as f64
    }
}

/// The wall time of `op`, in nanoseconds per item of `items`.
pub fn ns_per_item(items: usize, op: impl FnOnce() -> BenchResult<()>) -> BenchResult<f64> {
    let start = Instant::now();
    op()?;
    Ok(start.elapsed().as_nanos() as f64 / items.max(1) as f64)
}

/// The median of `values` (the mean of the middle two for an even count);
/// NaN for none.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// A random order of `0..n` for one block of an interleaved phase. A fixed
/// rotation would put each contender right after the same other one every
/// time, and the one that runs next pays for the CPU caches and branch
/// predictors the previous one left behind (a backward scan before a forward
/// one costs the latter tens of percent); a fresh shuffle per block spreads
/// that evenly.
pub fn shuffled(rng: &mut SplitMix64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.below(i + 1));
    }
    order
}
