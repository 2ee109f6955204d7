// strata-stress: a crash-test harness with an expected-state oracle, in the
// manner of RocksDB's db_stress, driving libstrata.so through kv.h only.
//
//   strata-stress crash [flags]    the crash loop (crash_loop.cc)
//   strata-stress worker [flags]   one worker process (worker.cc), run by the loop
//   strata-stress verify [flags]   one verification (verifier.cc), run by the loop
//
// Flags:
//   --root DIR            database (DIR/db) and expected state; default: a new
//                         directory under $TMPDIR, removed if every cycle passes
//   --cycles N            stop after N kill cycles
//   --seconds S           stop after S seconds (the loop needs one of the two)
//   --keys N              key space, default 1000
//   --threads N           worker threads, default 4
//   --sync on|off|mixed   write with sync=true, false, or either per cycle (default)
//   --seed N              reproduce a run (default: from the clock, printed)
//   --min-kill-ms N, --max-kill-ms N   when to kill the worker (default 50-400)
//   --memtable K, --compression C, --memtable-bytes N, --ops N   worker only
// Exit status 0 when every cycle passed, 1 on a failed check, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "stress_options.h"

namespace {

int Usage(const char* message) {
  std::fprintf(stderr, "strata-stress: %s\nusage: strata-stress crash|worker|verify [flags] "
                       "(see tests/stress/main.cc)\n", message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using strata::stress::StressOptions;
  if (argc < 2) return Usage("no command");
  const std::string command = argv[1];
  StressOptions o;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(("flag " + flag + " needs a value").c_str());
    const std::string value = argv[++i];
    char* end = nullptr;
    const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    const bool numeric = !value.empty() && *end == '\0';
    auto need_number = [&]() { return numeric; };
    if (flag == "--root") {
      o.root = value;
    } else if (flag == "--sync") {
      if (value != "on" && value != "off" && value != "mixed") return Usage("--sync: on|off|mixed");
      o.sync = value;
    } else if (flag == "--memtable") {
      o.memtable = value;
    } else if (flag == "--compression") {
      o.compression = value;
    } else if (flag == "--seconds") {
      o.seconds = std::atof(value.c_str());
      if (o.seconds <= 0) return Usage("--seconds must be positive");
    } else if (!need_number()) {
      return Usage(("flag " + flag + " takes a number, not '" + value + "'").c_str());
    } else if (flag == "--cycles") {
      o.cycles = number;
    } else if (flag == "--keys") {
      o.keys = static_cast<uint32_t>(number);
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(number);
    } else if (flag == "--seed") {
      o.seed = number;
    } else if (flag == "--min-kill-ms") {
      o.min_kill_ms = static_cast<int>(number);
    } else if (flag == "--max-kill-ms") {
      o.max_kill_ms = static_cast<int>(number);
    } else if (flag == "--memtable-bytes") {
      o.memtable_bytes = number;
    } else if (flag == "--ops") {
      o.ops = number;
    } else {
      return Usage(("unknown flag " + flag).c_str());
    }
  }
  if (o.keys == 0) return Usage("--keys must be positive");
  if (o.max_kill_ms < o.min_kill_ms) return Usage("--max-kill-ms is below --min-kill-ms");
  if (command == "crash") {
    if (o.cycles == 0 && o.seconds == 0) return Usage("crash needs --cycles or --seconds");
    return strata::stress::RunCrashLoop(o, "/proc/self/exe");
  }
  if (o.root.empty()) return Usage("worker and verify need --root");
  if (command == "worker") return strata::stress::RunWorker(o);
  if (command == "verify") return strata::stress::RunVerifier(o);
  return Usage(("unknown command " + command).c_str());
}
