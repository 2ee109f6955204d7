// strata-bench: the side-by-side benchmark of strata, RocksDB and LevelDB.
// See driver.h for how a run is organised, workloads.h for what each
// workload does, and docs/BENCHMARKS.md for the method and the results.
#include <cstdio>
#include <exception>

#include "bench_config.h"
#include "driver.h"
#include "workloads.h"

int main(int argc, char** argv) {
  using namespace strata_bench;
  BenchConfig config = parse_command_line(argc, argv);
  try {
    if (config.is_child()) {
      std::string result =
          run_step(config.child_step, config.child_engine, config.child_dir, config.workload);
      std::printf("%s\n", result.c_str());
      return 0;
    }
    return run_driver(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "strata-bench%s%s: %s\n", config.is_child() ? " " : "",
                 config.is_child() ? (config.child_engine + " " + config.child_step).c_str() : "",
                 e.what());
    return 3;
  }
}
