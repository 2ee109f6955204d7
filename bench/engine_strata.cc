// engine_strata.cc — strata through its C ABI (strata/kv.h), the way a user
// program reaches it: kv_put / kv_put_ex(KV_WRITE_SYNC), kv_get (which hands
// out a copy of the value that the caller frees with kv_free), and one
// kv_iter per scan, read with kv_iter_next_batch (one call for the scan's
// entries, as a C program reading a range would; kv_iter_next per entry was
// used before issue 16).
//
// Options set: the matched ones (memtable_bytes, block_cache_bytes,
// bloom_bits_per_key, block_bytes, background_threads), compression=none and
// sync=false. Everything else keeps strata's defaults (docs/OPTIONS.md),
// unless the engine is named "strata:NAME=VALUE;..." (see engine.h).
#include <atomic>
#include <cstdint>
#include <string>

#include "engine.h"
#include "strata/kv.h"

namespace strata_bench {
namespace {

[[noreturn]] void fail(const char* what, int rc) {
  throw BenchError(std::string("strata ") + what + ": " + kv_status_name(rc) + ": " +
                   kv_last_error());
}

void check(const char* what, int rc) {
  if (rc != KV_OK) fail(what, rc);
}

class StrataEngine final : public Engine {
 public:
  StrataEngine(const std::string& dir, const EngineSettings& s,
               const std::vector<std::pair<std::string, std::string>>& extra) {
    kv_options* o = kv_options_new();
    if (o == nullptr) throw BenchError("strata kv_options_new: out of memory");
    auto set = [&](const char* name, const std::string& value) {
      int rc = kv_options_set(o, name, value.c_str());
      if (rc != KV_OK) {
        kv_options_free(o);
        fail("kv_options_set", rc);
      }
    };
    set("memtable_bytes", std::to_string(s.memtable_bytes));
    set("block_cache_bytes", std::to_string(s.block_cache_bytes));
    set("bloom_bits_per_key", std::to_string(s.bloom_bits_per_key));
    set("block_bytes", std::to_string(s.block_bytes));
    set("background_threads", std::to_string(s.background_threads));
    set("compression", "none");
    set("sync", "false");
    for (const auto& [name, value] : extra) set(name.c_str(), value);
    int rc = kv_open(dir.c_str(), o, &db_);
    kv_options_free(o);
    check("kv_open", rc);
  }

  ~StrataEngine() override {
    if (db_ != nullptr) kv_close(db_);
  }

  void put(std::string_view key, std::string_view value, bool sync) override {
    int rc = sync ? kv_put_ex(db_, key.data(), key.size(), value.data(), value.size(),
                              KV_WRITE_SYNC)
                  : kv_put(db_, key.data(), key.size(), value.data(), value.size());
    check("kv_put", rc);
  }

  bool get(std::string_view key, size_t* value_bytes) override {
    void* value = nullptr;
    size_t length = 0;
    int rc = kv_get(db_, key.data(), key.size(), &value, &length);
    if (rc == KV_NOT_FOUND) return false;
    check("kv_get", rc);
    kv_free(value);
    *value_bytes = length;
    return true;
  }

  size_t scan(std::string_view start, size_t n) override {
    kv_iter* it = nullptr;
    check("kv_iter_new", kv_iter_new(db_, start.data(), start.size(), nullptr, 0, &it));
    size_t read = 0;
    uint64_t bytes = 0;
    while (read < n) {
      size_t count = 0;
      const void* data = nullptr;
      const size_t* lens = nullptr;
      int rc = kv_iter_next_batch(it, n - read, SIZE_MAX, &count, &data, &lens);
      if (rc == KV_END) break;
      if (rc != KV_OK) {
        kv_iter_free(it);
        fail("kv_iter_next_batch", rc);
      }
      for (size_t i = 0; i < 2 * count; ++i) bytes += lens[i];
      read += count;
    }
    kv_iter_free(it);
    scanned_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return read;
  }

  void flush() override { check("kv_flush", kv_flush(db_)); }
  void wait_idle() override { check("kv_wait_compactions", kv_wait_compactions(db_)); }

  void close() override {
    kv_db* db = db_;
    db_ = nullptr;
    check("kv_close", kv_close(db));
  }

 private:
  kv_db* db_ = nullptr;
  std::atomic<uint64_t> scanned_bytes_{0};  // makes scans touch every entry
};

}  // namespace

std::string strata_version() { return kv_version(); }

std::unique_ptr<Engine> open_strata(
    const std::string& dir, const EngineSettings& settings,
    const std::vector<std::pair<std::string, std::string>>& extra) {
  return std::make_unique<StrataEngine>(dir, settings, extra);
}

}  // namespace strata_bench
