//! Timing: a loop of operations timed as a whole for the mean, with one call
//! in `SAMPLE_EVERY` also timed on its own for the latency percentiles.

use std::time::{Duration, Instant};

use crate::BenchResult;

/// One call in this many is timed individually. Two clock reads cost about
/// 40 ns here (the TSC clocksource, read through the vDSO), so sampling every
/// call would add a few percent to a 1 µs operation; one in 16 adds under
/// 3 ns per call on average, the same for every engine.
pub const SAMPLE_EVERY: usize = 16;

/// The outcome of a timed loop.
pub struct Timed {
    /// Items those calls handled (more than `calls` for batches).
    pub items: usize,
    /// Wall time of the whole loop.
    pub elapsed: Duration,
    /// Latencies of the sampled calls in nanoseconds, sorted.
    samples: Vec<u64>,
}

impl Timed {
    /// Nothing timed yet, to `merge` loops into.
    pub fn empty() -> Timed {
        Timed { items: 0, elapsed: Duration::ZERO, samples: Vec::new() }
    }

    /// Adds another loop's calls to these.
    pub fn merge(&mut self, other: Timed) {
        self.items += other.items;
        self.elapsed += other.elapsed;
        self.samples.extend(other.samples);
        self.samples.sort_unstable();
    }

    /// Mean wall time per item, in nanoseconds.
    pub fn ns_per_item(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.items as f64
    }

    /// The `q`-quantile (0..=1) of the sampled call latencies, in nanoseconds.
    pub fn percentile(&self, q: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.samples.len() - 1) as f64 * q).round() as usize;
        self.samples[rank] as f64
    }
}

/// Runs `op(0)` … `op(calls - 1)`; each call handles `items_per_call` items.
pub fn time_calls(
    calls: usize,
    items_per_call: usize,
    mut op: impl FnMut(usize) -> BenchResult<()>,
) -> BenchResult<Timed> {
    let mut samples = Vec::with_capacity(calls / SAMPLE_EVERY + 1);
    let start = Instant::now();
    for i in 0..calls {
        if i % SAMPLE_EVERY == 0 {
            let t = Instant::now();
            op(i)?;
            samples.push(t.elapsed().as_nanos() as u64);
        } else {
            op(i)?;
        }
    }
    let elapsed = start.elapsed();
    samples.sort_unstable();
    Ok(Timed { items: calls * items_per_call, elapsed, samples })
}

/// Times one call that handles `items` items (a full scan).
pub fn time_once(items_of: impl FnOnce() -> BenchResult<usize>) -> BenchResult<Timed> {
    let start = Instant::now();
    let items = items_of()?;
    let elapsed = start.elapsed();
    Ok(Timed { items: items.max(1), elapsed, samples: Vec::new() })
}

/// The median of `values` (the mean of the middle two for an even count).
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
