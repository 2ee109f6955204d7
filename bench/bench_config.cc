#include "bench_config.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine.h"

namespace strata_bench {

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names{
      "fillseq",    "fillrandom",       "overwrite", "readrandom", "readrandom8", "readmissing",
      "seekrandom", "readwhilewriting", "fillsync1", "fillsync8",  "reopen"};
  return names;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Flags given in MiB, converted to the byte counts of WorkloadConfig after
// parsing.
struct MibFlags {
  uint64_t reopen = 64, memtable = 64, cache = 64;
};

// Adds the flags a child needs too (workload sizes and engine settings).
void add_workload_flags(CLI::App& app, WorkloadConfig& w, MibFlags& mib) {
  app.add_option("--num", w.num, "keys in the data set (fills write this many)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--reads", w.reads, "gets in each of readrandom and readmissing")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--reads-while-writing", w.reads_while_writing,
                 "gets of the reader in readwhilewriting")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--seeks", w.seeks, "iterators in seekrandom")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option("--scan-length", w.scan_length, "entries each seekrandom iterator reads")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--sync-ops", w.sync_ops, "fsynced puts in each of fillsync1 and fillsync8")
      ->check(CLI::Range(uint64_t{8}, uint64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--reopen-mb", mib.reopen,
                 "MiB of data left in the WAL before the SIGKILL in reopen")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 16))
      ->capture_default_str();
  app.add_option("--seed", w.seed, "seed of the key orders and values")->capture_default_str();
  app.add_option("--max-step-seconds", w.max_step_seconds,
                 "stop each read workload and fillsync after this many seconds, reporting "
                 "what it did (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  EngineSettings& e = w.settings;
  app.add_option("--memtable-mb", mib.memtable, "memtable size (write_buffer_size), MiB")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 14))
      ->capture_default_str();
  app.add_option("--cache-mb", mib.cache, "block cache size, MiB")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--bloom-bits", e.bloom_bits_per_key, "bloom filter bits per key")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--block-bytes", e.block_bytes, "data block size")
      ->check(CLI::Range(uint64_t{256}, uint64_t{1} << 24))
      ->capture_default_str();
  app.add_option("--background-threads", e.background_threads,
                 "strata background_threads and RocksDB max_background_jobs")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
}

void add_flag_value(std::vector<std::string>& args, const char* flag, uint64_t value) {
  args.emplace_back(flag);
  args.push_back(std::to_string(value));
}

}  // namespace

BenchConfig parse_command_line(int argc, char** argv) {
  BenchConfig c;
  for (int i = 0; i < argc; ++i) c.command_line += (i ? " " : "") + std::string(argv[i]);
  CLI::App app{
      "strata-bench: the same workloads on strata (through its C ABI), RocksDB and LevelDB, "
      "each engine in its own process on a fresh directory, over several rounds. Prints a "
      "markdown table of medians and strata's ratio to each peer; see docs/BENCHMARKS.md.",
      "strata-bench"};
  const std::vector<std::string> compiled = compiled_engines();
  c.engines = compiled;
  c.workloads = workload_names();
  app.add_option("--engines", c.engines,
                 "engines to run, comma-separated; strata:NAME=VALUE;NAME=VALUE is strata with "
                 "those options too (an A/B of an option in one run)")
      ->delimiter(',')
      ->check(CLI::Validator(
          [compiled](std::string& name) -> std::string {
            if (name.starts_with("strata:")) return "";
            if (std::find(compiled.begin(), compiled.end(), name) != compiled.end()) return "";
            return "engine '" + name + "' is not one of " + join(compiled);
          },
          "ENGINE"))
      ->default_str(join(compiled));
  app.add_option("--workloads", c.workloads,
                 "workloads to run, comma-separated (" + join(workload_names()) + ")")
      ->delimiter(',')
      ->check(CLI::IsMember(workload_names()))
      ->default_str("all");
  // A scalar flag given twice takes the last value, so scripts can put
  // defaults first and let the user's flags override them (bench/run does).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--rounds", c.rounds, "rounds; engines take turns in a rotating order")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100}))
      ->capture_default_str();
  app.add_option("--dir", c.dir, "directory under which the databases are made (default: a new "
                                 "directory in $TMPDIR or /tmp, removed at the end)");
  app.add_flag("--keep", c.keep, "keep the databases instead of removing each after its round");
  app.add_option("--mem-mb", c.mem_mb,
                 "run every engine process in a cgroup v1 memory cgroup of this many MiB "
                 "(page cache included)")
      ->check(CLI::Range(uint64_t{16}, uint64_t{1} << 30));
  app.add_option("--json", c.json_path, "write every measurement and the medians as JSON here");
  app.add_option("--markdown", c.markdown_path, "write the markdown report here too");
  app.add_option("--label", c.label, "a name for this run in the report");
  MibFlags mib;
  add_workload_flags(app, c.workload, mib);
  auto* child = app.add_option_group("");  // hidden: the driver's calls to itself
  child->add_option("--child-step", c.child_step)->check(CLI::IsMember(step_names()));
  child->add_option("--child-engine", c.child_engine);
  child->add_option("--child-dir", c.child_dir);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  c.workload.reopen_bytes = mib.reopen << 20;
  c.workload.settings.memtable_bytes = mib.memtable << 20;
  c.workload.settings.block_cache_bytes = mib.cache << 20;
  if (c.is_child() && (c.child_engine.empty() || c.child_dir.empty())) {
    std::fprintf(stderr, "strata-bench: --child-step needs --child-engine and --child-dir\n");
    std::exit(2);
  }
  // Keep the user's order but drop repeats.
  for (auto* list : {&c.engines, &c.workloads}) {
    std::vector<std::string> unique;
    for (const auto& s : *list)
      if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(s);
    *list = unique;
  }
  return c;
}

std::vector<std::string> child_arguments(const BenchConfig& config, const std::string& step,
                                         const std::string& engine, const std::string& dir) {
  const WorkloadConfig& w = config.workload;
  std::vector<std::string> args{"--child-step", step, "--child-engine", engine, "--child-dir", dir};
  add_flag_value(args, "--num", w.num);
  add_flag_value(args, "--reads", w.reads);
  add_flag_value(args, "--reads-while-writing", w.reads_while_writing);
  add_flag_value(args, "--seeks", w.seeks);
  add_flag_value(args, "--scan-length", w.scan_length);
  add_flag_value(args, "--sync-ops", w.sync_ops);
  add_flag_value(args, "--reopen-mb", w.reopen_bytes >> 20);
  add_flag_value(args, "--seed", w.seed);
  args.emplace_back("--max-step-seconds");
  args.push_back(std::to_string(w.max_step_seconds));
  add_flag_value(args, "--memtable-mb", w.settings.memtable_bytes >> 20);
  add_flag_value(args, "--cache-mb", w.settings.block_cache_bytes >> 20);
  add_flag_value(args, "--bloom-bits", static_cast<uint64_t>(w.settings.bloom_bits_per_key));
  add_flag_value(args, "--block-bytes", w.settings.block_bytes);
  add_flag_value(args, "--background-threads",
                 static_cast<uint64_t>(w.settings.background_threads));
  return args;
}

}  // namespace strata_bench
