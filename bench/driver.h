// driver.h — the benchmark's driver: for each round, each engine in turn
// (the order rotates every round so no engine always goes first or last)
// runs the selected workloads, each step in a child process of its own on a
// fresh or the round's database directory; then the driver reports medians
// (report.h) as a markdown table on stdout and, if asked, JSON and markdown
// files. A line per finished step on stderr shows the progress.
//
// Thread safety: single-threaded; one Driver per process.
#pragma once

#include "bench_config.h"

namespace strata_bench {

// Runs the whole benchmark. Returns the process exit status: 0 when every
// step succeeded, 1 when any failed (the report still covers the rest).
int run_driver(const BenchConfig& config);

}  // namespace strata_bench
