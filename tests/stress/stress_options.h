// The settings of one strata-stress process (crash loop, worker or
// verifier), as parsed from its command line (main.cc lists the flags).
#pragma once

#include <cstdint>
#include <string>

namespace strata::stress {

struct StressOptions {
  std::string root;        // holds db/ and expected-state; empty: a new temp dir
  uint32_t keys = 1000;    // the key space
  int threads = 4;         // worker threads
  std::string sync = "mixed";  // on | off | mixed (chosen per cycle)
  uint64_t seed = 0;       // 0: from the clock
  uint64_t cycles = 0;     // crash loop: stop after this many (0: no limit)
  double seconds = 0;      // crash loop: stop after this long (0: no limit)
  int min_kill_ms = 50;    // the worker is killed after a random time
  int max_kill_ms = 400;   //   in [min_kill_ms, max_kill_ms]

  // Worker only (the crash loop picks them per cycle).
  std::string memtable = "skiplist";
  std::string compression = "none";
  uint64_t memtable_bytes = 64 << 10;
  uint64_t ops = 0;  // stop cleanly after this many operations per thread (0: run until killed)

  std::string db_path() const { return root + "/db"; }
  std::string state_path() const { return root + "/expected-state"; }
};

// Each returns the process exit status: 0 when everything checked out.
int RunWorker(const StressOptions& o);
int RunVerifier(const StressOptions& o);
int RunCrashLoop(StressOptions o, const std::string& self);

}  // namespace strata::stress
