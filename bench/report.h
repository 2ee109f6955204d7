// report.h — turns the runs of a benchmark into its report: medians over the
// rounds for each engine and metric, strata's ratio to each peer, and the
// machine the run was on; as JSON (for charts and tools) and as a markdown
// table (for people and docs/BENCHMARKS.md).
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace strata_bench {

// What the run was on: CPU model and count, memory, kernel, and the
// filesystem and device holding `dir`.
nlohmann::json machine_info(const std::string& dir);

// The summary of `runs` (the driver's records: round, engine, workload, ok,
// result, child) for `engines`: {"rows": [...], "fsync_limit_ops_per_sec": x}.
// Each row names a workload and metric, says whether higher is better, and
// holds the median per engine (null when no round measured it) and
// strata's ratio to each peer (strata ÷ peer).
nlohmann::json summarize(const nlohmann::json& runs, const nlohmann::json& fsync_rates,
                         const std::vector<std::string>& engines, bool with_cgroup);

// The markdown report of a whole result document (meta, config, summary).
std::string markdown_report(const nlohmann::json& document);

}  // namespace strata_bench
