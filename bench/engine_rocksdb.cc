// engine_rocksdb.cc — RocksDB through its C++ API (Debian's librocksdb-dev).
//
// Options set: write_buffer_size (the memtable), max_background_jobs (the
// flush and compaction threads, like strata's background_threads), a
// 64 MiB LRUCache as block_cache, a 10-bit-per-key bloom filter
// (NewBloomFilterPolicy: the full, cache-local filter of format_version 5),
// block_size, compression = kNoCompression. The WAL is on and writes are not
// synced unless asked. Everything else keeps RocksDB's defaults: among them
// max_write_buffer_number 2, level0 triggers 4/20/36, target_file_size_base
// 64 MiB, max_bytes_for_level_base 256 MiB, max_open_files -1 (all tables
// open), index and filter blocks held outside the block cache, and reads
// through a PinnableSlice (no copy of the value).
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/version.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine.h"

namespace strata_bench {
namespace {

void check(const char* what, const rocksdb::Status& s) {
  if (!s.ok()) throw BenchError(std::string("rocksdb ") + what + ": " + s.ToString());
}

class RocksDbEngine final : public Engine {
 public:
  RocksDbEngine(const std::string& dir, const EngineSettings& s) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = s.memtable_bytes;
    options.max_background_jobs = s.background_threads;
    options.compression = rocksdb::kNoCompression;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(s.block_cache_bytes);
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(s.bloom_bits_per_key));
    table.block_size = s.block_bytes;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    rocksdb::DB* db = nullptr;
    check("Open", rocksdb::DB::Open(options, dir, &db));
    db_.reset(db);
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    rocksdb::WriteOptions w;
    w.sync = sync;
    check("Put", db_->Put(w, rocksdb::Slice(key.data(), key.size()),
                          rocksdb::Slice(value.data(), value.size())));
  }

  bool get(std::string_view key, size_t* value_bytes) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(),
                                 rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return false;
    check("Get", s);
    *value_bytes = value.size();
    return true;
  }

  size_t scan(std::string_view start, size_t n) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    size_t read = 0;
    uint64_t bytes = 0;
    for (it->Seek(rocksdb::Slice(start.data(), start.size())); read < n && it->Valid();
         it->Next()) {
      bytes += it->key().size() + it->value().size();
      ++read;
    }
    check("Iterator", it->status());
    scanned_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return read;
  }

  void flush() override { check("Flush", db_->Flush(rocksdb::FlushOptions())); }

  // RocksDB 7.8 has no WaitForCompact: poll the properties that say whether
  // a flush or compaction is pending or running until all are zero twice in
  // a row.
  void wait_idle() override {
    const char* busy[] = {"rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending",
                          "rocksdb.num-running-flushes", "rocksdb.num-running-compactions"};
    int quiet_polls = 0;
    while (quiet_polls < 2) {
      bool any = false;
      for (const char* name : busy) {
        uint64_t value = 0;
        if (!db_->GetIntProperty(name, &value))
          throw BenchError(std::string("rocksdb GetIntProperty ") + name + " failed");
        any = any || value != 0;
      }
      quiet_polls = any ? 0 : quiet_polls + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void close() override {
    rocksdb::Status s = db_->Close();
    db_.reset();
    check("Close", s);
  }

 private:
  std::atomic<uint64_t> scanned_bytes_{0};  // makes scans touch every entry
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

std::string rocksdb_version() {
  return std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." +
         std::to_string(ROCKSDB_PATCH);
}

std::unique_ptr<Engine> open_rocksdb(const std::string& dir, const EngineSettings& settings) {
  return std::make_unique<RocksDbEngine>(dir, settings);
}

}  // namespace strata_bench
