// workloads.h — the benchmark's steps as run inside one child process, on
// one engine and one database directory. The driver (driver.h) starts a
// child per step so that each step's memory, I/O and crash behaviour are its
// own; a child runs exactly one step and prints its result as one JSON object
// on the last line of its standard output.
//
// Steps and what they do (the key space is key_space.h's):
//   fillseq           num puts in key order into a fresh database
//   fillrandom        num puts, every key once in a random order, into a fresh
//                     database; then flush, wait for compactions, close. Its
//                     write amplification covers all of that.
//   overwrite         num puts of uniformly random keys into fillrandom's
//                     database; then flush, wait for compactions, close
//   readrandom        `reads` gets of random present keys (each must be found)
//                     with the latency of each
//   readrandom8       `reads` gets of random present keys from 8 threads at
//                     once on one open database (a server's load), with the
//                     latency of each
//   readmissing       `reads` gets of random absent keys (none may be found)
//   seekrandom        `seeks` iterators, each placed at a random present key
//                     and reading `scan_length` entries onward
//   readwhilewriting  one thread does `reads_while_writing` random gets while
//                     another overwrites random keys without pause until it
//                     is done (the reads start once the writer has written)
//   fillsync1/8       `sync_ops` fsynced puts from 1 or 8 threads into a
//                     fresh database (group commit)
//   reopen-fill       writes reopen_bytes of key+value data into a fresh
//                     database with a memtable twice that size (so nothing is
//                     flushed and all of it lives in the WAL), prints "ready"
//                     and waits to be killed with SIGKILL
//   reopen            times opening reopen-fill's directory, then checks that
//                     a sample of what it wrote is there
//
// readrandom, readrandom8, readmissing, seekrandom, readwhilewriting and fillsync stop
// early, reporting what they did, when --max-step-seconds runs out.
//
// Thread safety: run_step is called once per process.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine.h"

namespace strata_bench {

struct WorkloadConfig {
  uint64_t num = 2'000'000;
  uint64_t reads = 500'000;
  uint64_t reads_while_writing = 100'000;
  uint64_t seeks = 50'000;
  uint64_t scan_length = 100;
  uint64_t sync_ops = 500;
  uint64_t reopen_bytes = 64ull << 20;
  uint64_t seed = 301;
  // A time limit for the steps that may stop early without changing the data
  // set: the reads and fillsync. 0: none. (Fills and overwrite always finish.)
  double max_step_seconds = 0;
  EngineSettings settings;
};

// Every step name run_step accepts.
const std::vector<std::string>& step_names();

// Runs one step of `engine` in `dir` and returns its result as a JSON text
// (one line). Throws BenchError on an engine error or a wrong answer (a
// present key not found, an absent key found, a scan reading nothing).
std::string run_step(const std::string& step, const std::string& engine, const std::string& dir,
                     const WorkloadConfig& config);

}  // namespace strata_bench
