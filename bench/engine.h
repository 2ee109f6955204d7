// engine.h — the one interface the workloads drive, implemented for strata
// (through its C ABI, kv.h, as any user program reaches it) and for the peers
// RocksDB and LevelDB (through their C++ APIs), each compiled in only when
// its library was found at configure time.
//
// Every engine is opened with the same matched settings (EngineSettings);
// what each engine's adapter sets beyond them, and which defaults it keeps,
// is stated in its source file and in docs/BENCHMARKS.md.
//
// Errors: any failing engine call throws BenchError with the engine's message;
// a benchmark child process reports it and exits non-zero.
//
// Thread safety: put, get and scan may be called from many threads at once
// (all three engines allow it); open, flush, wait_idle and close belong to one
// thread while no other call runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata_bench {

class BenchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The settings every engine gets, matched as closely as their options allow.
struct EngineSettings {
  uint64_t memtable_bytes = 64ull << 20;     // strata memtable_bytes, write_buffer_size
  uint64_t block_cache_bytes = 64ull << 20;  // one LRU block cache
  int bloom_bits_per_key = 10;
  uint64_t block_bytes = 4096;
  int background_threads = 2;  // strata background_threads, RocksDB max_background_jobs
  // Compression is off and the WAL is on for every engine, always.
};

class Engine {
 public:
  virtual ~Engine() = default;  // closes if close() was not called, ignoring errors

  // Writes one key. With sync, the write is fsynced before this returns.
  virtual void put(std::string_view key, std::string_view value, bool sync) = 0;
  // Looks a key up; on a hit stores the value's length in *value_bytes.
  virtual bool get(std::string_view key, size_t* value_bytes) = 0;
  // Creates an iterator, positions it at the first key >= start and reads up
  // to n entries (key and value bytes are handed out, as a user would read
  // them). Returns how many entries it read.
  virtual size_t scan(std::string_view start, size_t n) = 0;
  // Writes the memtable to a table and returns when that is durable.
  virtual void flush() = 0;
  // Returns when no flush or compaction is pending or running.
  virtual void wait_idle() = 0;
  // Closes the database; no call may follow.
  virtual void close() = 0;
};

// The engines compiled into this binary, strata first.
std::vector<std::string> compiled_engines();

// The library version of a compiled-in engine, e.g. "0.2.0" ("" if unknown).
std::string engine_version(std::string_view name);

// Opens (creating if missing) the database of engine `name` in `dir`.
// "strata:NAME=VALUE;NAME=VALUE" is strata with those options set too (by
// their kv.h names), for measuring one option against the default in the
// same run (A/B): e.g. --engines strata,strata:memtable_index=hash (quote the ";" in a shell).
// Throws BenchError for an unknown or not-compiled-in name or an open failure.
std::unique_ptr<Engine> open_engine(std::string_view name, const std::string& dir,
                                    const EngineSettings& settings);

// One constructor and version per engine; defined in engine_<name>.cc (peers
// only when compiled in). Used by open_engine and engine_version.
// `extra`: further strata options, name and value, set after the matched ones.
std::unique_ptr<Engine> open_strata(
    const std::string& dir, const EngineSettings& settings,
    const std::vector<std::pair<std::string, std::string>>& extra = {});
std::string strata_version();
#ifdef STRATA_BENCH_HAVE_ROCKSDB
std::unique_ptr<Engine> open_rocksdb(const std::string& dir, const EngineSettings& settings);
std::string rocksdb_version();
#endif
#ifdef STRATA_BENCH_HAVE_LEVELDB
std::unique_ptr<Engine> open_leveldb(const std::string& dir, const EngineSettings& settings);
std::string leveldb_version();
#endif

}  // namespace strata_bench
