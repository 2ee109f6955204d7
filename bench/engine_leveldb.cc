// engine_leveldb.cc — LevelDB through its C++ API (Debian's libleveldb-dev).
//
// Options set: write_buffer_size (the memtable), a 64 MiB LRU block_cache,
// a 10-bit-per-key bloom filter policy, block_size, compression =
// kNoCompression. The log is always on in LevelDB and writes are not synced
// unless asked. Everything else keeps LevelDB's defaults: max_open_files
// 1000, max_file_size 2 MiB, one background thread (fixed in LevelDB),
// level-0 triggers 4/8/12 and level 1 at 10 MiB (compiled in),
// ReadOptions::verify_checksums false, reads copy the value into a
// std::string.
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/options.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "engine.h"

namespace strata_bench {
namespace {

void check(const char* what, const leveldb::Status& s) {
  if (!s.ok()) throw BenchError(std::string("leveldb ") + what + ": " + s.ToString());
}

class LevelDbEngine final : public Engine {
 public:
  LevelDbEngine(const std::string& dir, const EngineSettings& s)
      : cache_(leveldb::NewLRUCache(s.block_cache_bytes)),
        filter_(leveldb::NewBloomFilterPolicy(s.bloom_bits_per_key)) {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = s.memtable_bytes;
    options.block_cache = cache_.get();
    options.filter_policy = filter_.get();
    options.block_size = s.block_bytes;
    options.compression = leveldb::kNoCompression;
    leveldb::DB* db = nullptr;
    check("Open", leveldb::DB::Open(options, dir, &db));
    db_.reset(db);
  }

  ~LevelDbEngine() override { db_.reset(); }  // before the cache and filter it uses

  void put(std::string_view key, std::string_view value, bool sync) override {
    leveldb::WriteOptions w;
    w.sync = sync;
    check("Put", db_->Put(w, leveldb::Slice(key.data(), key.size()),
                          leveldb::Slice(value.data(), value.size())));
  }

  bool get(std::string_view key, size_t* value_bytes) override {
    std::string value;
    leveldb::Status s =
        db_->Get(leveldb::ReadOptions(), leveldb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return false;
    check("Get", s);
    *value_bytes = value.size();
    return true;
  }

  size_t scan(std::string_view start, size_t n) override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    size_t read = 0;
    uint64_t bytes = 0;
    for (it->Seek(leveldb::Slice(start.data(), start.size())); read < n && it->Valid();
         it->Next()) {
      bytes += it->key().size() + it->value().size();
      ++read;
    }
    check("Iterator", it->status());
    scanned_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return read;
  }

  // LevelDB has no public flush. CompactRange first writes the memtable to a
  // table and waits for that; given a range past every key (the benchmark's
  // keys are decimal digits, below 0xFF) it then has no table to compact.
  void flush() override {
    const std::string past_all(16, '\xff');
    leveldb::Slice bound(past_all);
    db_->CompactRange(&bound, &bound);
  }

  // LevelDB does not say whether compaction is pending. Its rule is known
  // (db/version_set.cc, Finalize): a level needs compaction when its score
  // reaches 1, level 0 scoring files/4 and level L >= 1 bytes/(10 MiB *
  // 10^(L-1)), levels 1..5. Poll the table list ("leveldb.sstables") until
  // no level scores 1 and the list is unchanged for three polls in a row
  // (a memtable being written out or a seek-triggered compaction shows up
  // as a change).
  void wait_idle() override {
    std::string previous;
    int stable_polls = 0;
    while (stable_polls < 3) {
      std::string tables;
      if (!db_->GetProperty("leveldb.sstables", &tables))
        throw BenchError("leveldb GetProperty leveldb.sstables failed");
      bool stable = tables == previous && !needs_compaction(tables);
      stable_polls = stable ? stable_polls + 1 : 0;
      previous = std::move(tables);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  void close() override { db_.reset(); }

 private:
  std::atomic<uint64_t> scanned_bytes_{0};  // makes scans touch every entry
  static bool needs_compaction(const std::string& tables) {
    constexpr int kLevels = 7;
    double bytes[kLevels] = {};
    int files[kLevels] = {};
    int level = 0;
    std::istringstream lines(tables);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("--- level ", 0) == 0) {
        level = std::atoi(line.c_str() + 10);
      } else if (!line.empty() && line[0] == ' ' && level >= 0 && level < kLevels) {
        size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        bytes[level] += std::strtod(line.c_str() + colon + 1, nullptr);
        ++files[level];
      }
    }
    if (files[0] >= 4) return true;
    double max_bytes = 10.0 * 1048576.0;
    for (int l = 1; l < kLevels - 1; ++l, max_bytes *= 10)
      if (bytes[l] >= max_bytes) return true;
    return false;
  }

  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
};

}  // namespace

std::string leveldb_version() {
  return std::to_string(leveldb::kMajorVersion) + "." + std::to_string(leveldb::kMinorVersion);
}

std::unique_ptr<Engine> open_leveldb(const std::string& dir, const EngineSettings& settings) {
  return std::make_unique<LevelDbEngine>(dir, settings);
}

}  // namespace strata_bench
