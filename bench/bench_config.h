// bench_config.h — strata-bench's command line.
//
// The same binary is the driver (what a user runs) and the child that runs
// one step (the driver re-executes itself with --child-step, --child-engine
// and --child-dir plus the workload flags). parse_command_line reads either;
// child_arguments writes the child's.
//
// Thread safety: plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads.h"

namespace strata_bench {

struct BenchConfig {
  std::vector<std::string> engines;    // default: every compiled-in engine
  std::vector<std::string> workloads;  // default: every workload
  uint64_t rounds = 3;
  std::string dir;        // parent of the databases; "" = a new directory in $TMPDIR or /tmp
  bool keep = false;      // keep the databases
  uint64_t mem_mb = 0;    // 0 = no memory cgroup
  std::string json_path;      // "" = none
  std::string markdown_path;  // "" = none
  std::string label;          // names the run in the report
  WorkloadConfig workload;
  std::string command_line;   // as typed, for the report

  // Set only in a child.
  std::string child_step, child_engine, child_dir;
  bool is_child() const { return !child_step.empty(); }
};

// The workloads a user may name, in the order they run.
const std::vector<std::string>& workload_names();

// Parses argv. On --help prints usage and exits 0; on a bad flag or value
// prints the problem and exits 2.
BenchConfig parse_command_line(int argc, char** argv);

// The argv (without the program name) for a child running `step` of
// `engine` in `dir` under the same workload settings.
std::vector<std::string> child_arguments(const BenchConfig& config, const std::string& step,
                                         const std::string& engine, const std::string& dir);

}  // namespace strata_bench
