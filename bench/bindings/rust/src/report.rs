//! Collects one number per (metric, engine, round) and renders medians,
//! strata's ratios and every round's figure as markdown tables.

use std::fmt::Write;

use crate::measure::median;

/// Everything one run records.
#[derive(Default)]
pub struct Records {
    /// Time per item of every engine.
    pub peers: Recorder,
    /// Disk space of every engine.
    pub space: Recorder,
    /// strata's read paths through the binding.
    pub calls: Recorder,
}

struct Series {
    metric: String,
    engine: &'static str,
    values: Vec<f64>,
}

/// Figures in the order they were first recorded (which is the order of the
/// tables' rows).
#[derive(Default)]
pub struct Recorder {
    series: Vec<Series>,
}

impl Recorder {
    /// Adds this round's figure for `metric` of `engine`.
    pub fn record(&mut self, metric: &str, engine: &'static str, value: f64) {
        match self.series.iter_mut().find(|s| s.metric == metric && s.engine == engine) {
            Some(s) => s.values.push(value),
            None => self.series.push(Series { metric: metric.to_owned(), engine, values: vec![value] }),
        }
    }

    fn metrics(&self) -> Vec<&str> {
        let mut metrics: Vec<&str> = Vec::new();
        for s in &self.series {
            if !metrics.contains(&s.metric.as_str()) {
                metrics.push(&s.metric);
            }
        }
        metrics
    }

    fn values(&self, metric: &str, engine: &str) -> Option<&[f64]> {
        self.series.iter().find(|s| s.metric == metric && s.engine == engine).map(|s| s.values.as_slice())
    }

    fn median(&self, metric: &str, engine: &str) -> Option<f64> {
        self.values(metric, engine).map(median)
    }

    /// One row per metric: each engine's median, then strata's median divided
    /// by each peer's (below 1: strata takes less time).
    pub fn comparison_table(&self, engines: &[&'static str]) -> String {
        self.comparison_table_of(engines, "ns per key or entry", usize::MAX)
    }

    /// `comparison_table` with the corner cell `title`; `decimals` fixes the
    /// precision (`usize::MAX`: chosen by size, as for nanoseconds).
    pub fn comparison_table_of(&self, engines: &[&'static str], title: &str, decimals: usize) -> String {
        let format = |v: f64| if decimals == usize::MAX { format_ns(v) } else { format!("{v:.decimals$}") };
        let peers: Vec<&str> = engines.iter().copied().filter(|e| *e != "strata").collect();
        let mut out = format!("| {title} |");
        for e in engines {
            write!(out, " {e} |").unwrap();
        }
        for p in &peers {
            write!(out, " strata ÷ {p} |").unwrap();
        }
        out.push_str("\n| --- |");
        for _ in 0..engines.len() + peers.len() {
            out.push_str(" ---: |");
        }
        out.push('\n');
        for metric in self.metrics() {
            write!(out, "| {metric} |").unwrap();
            for e in engines {
                write!(out, " {} |", self.median(metric, e).map_or("–".into(), format)).unwrap();
            }
            for p in &peers {
                let ratio = match (self.median(metric, "strata"), self.median(metric, p)) {
                    (Some(s), Some(x)) if x > 0.0 && s.is_finite() && x.is_finite() => {
                        format!("{:.2}", s / x)
                    }
                    _ => "–".into(),
                };
                write!(out, " {ratio} |").unwrap();
            }
            out.push('\n');
        }
        out
    }

    /// One row per metric of a single engine: the median, the smallest and
    /// largest round, and the median relative to the row `baseline`.
    pub fn single_engine_table(&self, engine: &str, baseline_of: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::from("| ns per key or entry | median | min – max over rounds | ÷ the copying path (`Db::get` on the same key set, or `Iter`) |\n| --- | ---: | ---: | ---: |\n");
        for metric in self.metrics() {
            let Some(values) = self.values(metric, engine) else { continue };
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let relative = baseline_of(metric)
                .and_then(|b| self.median(&b, engine))
                .filter(|b| *b > 0.0)
                .map_or("".into(), |b| format!("{:.2}", median(values) / b));
            writeln!(
                out,
                "| {metric} | {} | {} – {} | {relative} |",
                format_ns(median(values)),
                format_ns(min),
                format_ns(max)
            )
            .unwrap();
        }
        out
    }

    /// Every round's figure, to show the spread behind each median.
    pub fn rounds_table(&self) -> String {
        let rounds = self.series.iter().map(|s| s.values.len()).max().unwrap_or(0);
        let mut out = String::from("| metric | engine |");
        for r in 1..=rounds {
            write!(out, " round {r} |").unwrap();
        }
        out.push_str("\n| --- | --- |");
        for _ in 0..rounds {
            out.push_str(" ---: |");
        }
        out.push('\n');
        for metric in self.metrics() {
            for s in self.series.iter().filter(|s| s.metric == metric) {
                write!(out, "| {metric} | {} |", s.engine).unwrap();
                for v in &s.values {
                    write!(out, " {} |", format_ns(*v)).unwrap();
                }
                out.push('\n');
            }
        }
        out
    }
}

/// Nanoseconds with a precision that suits their size.
pub fn format_ns(ns: f64) -> String {
    if !ns.is_finite() {
        "–".into()
    } else if ns >= 100.0 {
        format!("{ns:.0}")
    } else if ns >= 10.0 {
        format!("{ns:.1}")
    } else {
        format!("{ns:.2}")
    }
}
