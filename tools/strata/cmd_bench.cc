// strata bench: the README's main job. A stream of random writes, every item
// read back in another random order, a range scan and a full scan, a reopen
// (recovery) and a sample read again, with throughput and latency
// percentiles, every answer checked, driven through the C ABI. This is the
// one definition of the demo workload; scripts/demo.sh runs it.
//
// Keys (16 bytes) and values are computed from a seed and the item number,
// so nothing needs to be held in memory to check them.
#include <dirent.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <vector>

#include "tools/strata/commands.h"
#include "tools/strata/progress.h"

namespace strata_tool {

namespace {

constexpr size_t kKeyBytes = 16;
constexpr uint64_t kMaxReportedMismatches = 5;

struct BenchConfig {
  uint64_t count = 1000000;
  std::string dir;
  bool keep = false;
  size_t value_bytes = 100;
  bool sync = false;
  std::string memtable = "skiplist";
  uint64_t batch = 1;
  uint64_t seed = 0;
  bool stats = false;
  std::string values = "random";  // "random" or "text"
};

uint64_t Mix64(uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void PutBe64(unsigned char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<unsigned char>(v);
    v >>= 8;
  }
}

uint64_t GetBe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// Item i's key: 16 random-looking bytes.
void MakeKey(uint64_t seed, uint64_t i, unsigned char key[kKeyBytes]) {
  const uint64_t h = Mix64(seed ^ Mix64(i));
  PutBe64(key, h);
  PutBe64(key + 8, Mix64(h ^ i));
}

// The value belonging to a key, computed from the key alone so that a scan
// can check values without knowing the item number. "random" values are
// incompressible bytes; "text" values are words from a small vocabulary, which
// lz4 and zstd shrink about as much as they shrink log lines or JSON.
void MakeValue(bool text, const unsigned char key[kKeyBytes], unsigned char* val, size_t n) {
  static constexpr const char* kWords[16] = {"alpha", "beta",  "gamma", "delta", "user",  "order",
                                             "item",  "price", "id",    "name",  "status", "ok",
                                             "true",  "false", "null",  "count"};
  uint64_t x = GetBe64(key) ^ (GetBe64(key + 8) * 31) ^ 0x5DEECE66Dull;
  size_t i = 0;
  while (i < n) {
    x = Mix64(x);
    if (!text) {
      const size_t chunk = std::min<size_t>(n - i, 8);
      std::memcpy(val + i, &x, chunk);
      i += chunk;
      continue;
    }
    // Eight words per draw, each with a separator.
    for (int w = 0; w < 8 && i < n; ++w) {
      const char* word = kWords[(x >> (4 * w)) & 15];
      for (const char* c = word; *c != '\0' && i < n; ++c) val[i++] = static_cast<unsigned char>(*c);
      if (i < n) val[i++] = static_cast<unsigned char>(w == 7 ? ',' : ' ');
    }
  }
}

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

std::string FormatNs(uint64_t ns) {
  char buf[32];
  if (ns < 10000) {
    std::snprintf(buf, sizeof(buf), "%.2f us", static_cast<double>(ns) / 1e3);
  } else if (ns < 1000000) {
    std::snprintf(buf, sizeof(buf), "%.1f us", static_cast<double>(ns) / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f ms", static_cast<double>(ns) / 1e6);
  }
  return buf;
}

void PrintLatency(const char* unit, std::vector<uint64_t>* lat) {
  if (lat->empty()) return;
  std::sort(lat->begin(), lat->end());
  const uint64_t n = lat->size();
  uint64_t sum = 0;
  for (uint64_t v : *lat) sum += v;
  std::printf("        latency per %s: mean %s", unit, FormatNs(sum / n).c_str());
  const double ps[] = {0.50, 0.99, 0.999};
  const char* names[] = {"p50", "p99", "p99.9"};
  for (int i = 0; i < 3; ++i) {
    uint64_t idx = static_cast<uint64_t>(ps[i] * static_cast<double>(n) + 0.999999);
    idx = idx == 0 ? 0 : idx - 1;
    if (idx >= n) idx = n - 1;
    std::printf("  %s %s", names[i], FormatNs((*lat)[idx]).c_str());
  }
  std::printf("  max %s\n", FormatNs(lat->back()).c_str());
}

void PrintThroughput(const char* phase, uint64_t items, const char* what, uint64_t elapsed_ns,
                     size_t item_bytes) {
  const double s = static_cast<double>(elapsed_ns) / 1e9;
  std::printf("%-7s %10" PRIu64 " %-8s %8.2f s %12.0f ops/s %9.1f MB/s\n", phase, items, what, s,
              static_cast<double>(items) / s,
              static_cast<double>(items) * static_cast<double>(item_bytes) / s / 1e6);
}

// The workload against one directory. Wrong answers are counted, not thrown:
// the run goes on so the report shows how many there were.
class Bench {
 public:
  Bench(const BenchConfig& c, const GlobalOptions& g) : c_(c), g_(g) {}

  void Run(const std::string& dir) {
    kv_db* db = Open(dir, /*must_be_new=*/true);
    std::unique_ptr<kv_db, int (*)(kv_db*)> owner(db, kv_close);
    Fill(db);
    ReadAll(db);
    // A quarter of the key space by the first byte, then everything.
    const unsigned char lo[1] = {0x40}, hi[1] = {0x80};
    unsigned char key[kKeyBytes];
    uint64_t in_range = 0;
    for (uint64_t i = 0; i < c_.count; ++i) {
      MakeKey(c_.seed, i, key);
      if (key[0] >= 0x40 && key[0] < 0x80) ++in_range;
    }
    Scan(db, "range [40, 80)", lo, 1, hi, 1, in_range);
    Scan(db, "all keys", nullptr, 0, nullptr, 0, c_.count);
    if (c_.stats) PrintStats(db);
    int rc = kv_close(owner.release());
    if (rc != KV_OK) ThrowKv("kv_close", rc);

    // Reopen: recovery replays whatever the logs hold that tables do not.
    const uint64_t t = NowNs();
    db = Open(dir, /*must_be_new=*/false);
    owner.reset(db);
    std::printf("reopen  kv_open took %.1f ms\n", static_cast<double>(NowNs() - t) / 1e6);
    const uint64_t sample = std::min<uint64_t>(c_.count, 100000);
    const uint64_t before = mismatches_;
    const std::vector<uint32_t> order = Shuffled(c_.count, c_.seed ^ 0x5A5A5A);
    uint64_t elapsed = 0;
    ReadItems(db, order, sample, nullptr, &elapsed, nullptr);
    // And a key that was never written is absent.
    MakeKey(c_.seed ^ 1, c_.count + 1, key);
    void* v = nullptr;
    size_t vl = 0;
    rc = kv_get(db, key, kKeyBytes, &v, &vl);
    kv_free(v);
    if (rc == KV_OK) {
      Mismatch("a key never written was found", key);
    } else if (rc != KV_NOT_FOUND) {
      ThrowKv("kv_get", rc);
    }
    std::printf("verify  %" PRIu64 " random items after reopen: %s\n", sample,
                mismatches_ == before ? "all correct" : "MISMATCHES");
    rc = kv_close(owner.release());
    if (rc != KV_OK) ThrowKv("kv_close", rc);
  }

  uint64_t mismatches() const { return mismatches_; }

 private:
  kv_db* Open(const std::string& dir, bool must_be_new) {
    OptionsHandle o(g_.options);
    o.Set("sync", c_.sync ? "true" : "false");
    o.Set("memtable", c_.memtable);
    o.Set("error_if_exists", must_be_new ? "true" : "false");
    o.Set("create_if_missing", "true");
    kv_db* db = nullptr;
    const int rc = kv_open(dir.c_str(), o.get(), &db);
    if (rc != KV_OK) ThrowKv("kv_open " + dir, rc);
    return db;
  }

  void Mismatch(const char* what, const unsigned char* key) {
    if (++mismatches_ <= kMaxReportedMismatches) {
      std::fprintf(stderr, "MISMATCH: %s for key %016" PRIx64 "%016" PRIx64 "\n", what,
                   GetBe64(key), GetBe64(key + 8));
    }
  }

  void Fill(kv_db* db) {
    const uint64_t per = std::max<uint64_t>(c_.batch, 1);
    const uint64_t ops = (c_.count + per - 1) / per;
    std::vector<uint64_t> lat;
    lat.reserve(ops);
    std::vector<unsigned char> val(std::max<size_t>(c_.value_bytes, 1));
    unsigned char key[kKeyBytes];
    std::unique_ptr<kv_batch, void (*)(kv_batch*)> batch(per > 1 ? kv_batch_new() : nullptr,
                                                         kv_batch_free);
    if (per > 1 && !batch) ThrowKv("kv_batch_new", KV_NO_MEMORY);
    Progress progress("fill", "items", c_.count, !g_.quiet);
    const uint64_t start = NowNs();
    uint64_t i = 0;
    while (i < c_.count) {
      int rc;
      if (per == 1) {
        MakeKey(c_.seed, i, key);
        MakeValue(text_values_, key, val.data(), c_.value_bytes);
        const uint64_t t = NowNs();
        rc = kv_put(db, key, kKeyBytes, val.data(), c_.value_bytes);
        lat.push_back(NowNs() - t);
        ++i;
        if (rc != KV_OK) ThrowKv("kv_put", rc);
      } else {
        const uint64_t end = std::min(i + per, c_.count);
        kv_batch_clear(batch.get());
        for (; i < end; ++i) {
          MakeKey(c_.seed, i, key);
          MakeValue(text_values_, key, val.data(), c_.value_bytes);
          rc = kv_batch_put(batch.get(), key, kKeyBytes, val.data(), c_.value_bytes);
          if (rc != KV_OK) ThrowKv("kv_batch_put", rc);
        }
        const uint64_t t = NowNs();
        rc = kv_write(db, batch.get());
        lat.push_back(NowNs() - t);
        if (rc != KV_OK) ThrowKv("kv_write", rc);
      }
      progress.Update(i, i);
    }
    const uint64_t elapsed = NowNs() - start;
    progress.Finish();
    PrintThroughput("fill", c_.count, per > 1 ? "items" : "puts", elapsed,
                    kKeyBytes + c_.value_bytes);
    if (per > 1) {
      std::printf("        %" PRIu64 " batches of up to %" PRIu64 " items\n", ops, per);
      PrintLatency("batch (kv_write)", &lat);
    } else {
      PrintLatency("put", &lat);
    }
  }

  // Reads the first n items of `order`, checking each value; latencies go to
  // *lat when it is not null.
  void ReadItems(kv_db* db, const std::vector<uint32_t>& order, uint64_t n,
                 std::vector<uint64_t>* lat, uint64_t* elapsed, Progress* progress) {
    unsigned char key[kKeyBytes];
    std::vector<unsigned char> want(std::max<size_t>(c_.value_bytes, 1));
    const uint64_t start = NowNs();
    for (uint64_t j = 0; j < n; ++j) {
      void* val = nullptr;
      size_t len = 0;
      MakeKey(c_.seed, order[j], key);
      const uint64_t t = NowNs();
      const int rc = kv_get(db, key, kKeyBytes, &val, &len);
      if (lat != nullptr) lat->push_back(NowNs() - t);
      if (progress != nullptr) progress->Update(j + 1, j + 1);
      if (rc == KV_NOT_FOUND) {
        Mismatch("kv_get found nothing", key);
        continue;
      }
      if (rc != KV_OK) ThrowKv("kv_get", rc);
      MakeValue(text_values_, key, want.data(), c_.value_bytes);
      if (len != c_.value_bytes || std::memcmp(val, want.data(), len) != 0) {
        Mismatch("wrong value", key);
      }
      kv_free(val);
    }
    *elapsed = NowNs() - start;
  }

  // A random permutation of 0..n-1.
  static std::vector<uint32_t> Shuffled(uint64_t n, uint64_t seed) {
    std::vector<uint32_t> p(n);
    for (uint64_t i = 0; i < n; ++i) p[i] = static_cast<uint32_t>(i);
    uint64_t x = seed;
    for (uint64_t i = n; i > 1; --i) {
      x = Mix64(x);
      std::swap(p[i - 1], p[x % i]);
    }
    return p;
  }

  void ReadAll(kv_db* db) {
    const std::vector<uint32_t> order = Shuffled(c_.count, c_.seed ^ 0xABCDEF);
    std::vector<uint64_t> lat;
    lat.reserve(c_.count);
    uint64_t elapsed = 0;
    const uint64_t before = mismatches_;
    Progress progress("read", "items", c_.count, !g_.quiet);
    ReadItems(db, order, c_.count, &lat, &elapsed, &progress);
    progress.Finish();
    PrintThroughput("read", c_.count, "gets", elapsed, kKeyBytes + c_.value_bytes);
    PrintLatency("get", &lat);
    if (mismatches_ > before) std::printf("        %" PRIu64 " MISMATCHES\n", mismatches_ - before);
  }

  // Scans [lo, hi) (null for open bounds), checking order, bounds and values;
  // the number of entries must be `expected`.
  void Scan(kv_db* db, const char* label, const unsigned char* lo, size_t lo_len,
            const unsigned char* hi, size_t hi_len, uint64_t expected) {
    kv_iter* it = nullptr;
    int rc = kv_iter_new(db, lo, lo_len, hi, hi_len, &it);
    if (rc != KV_OK) ThrowKv("kv_iter_new", rc);
    std::unique_ptr<kv_iter, void (*)(kv_iter*)> owner(it, kv_iter_free);
    unsigned char prev[kKeyBytes];
    std::vector<unsigned char> want(std::max<size_t>(c_.value_bytes, 1));
    uint64_t n = 0;
    const uint64_t start = NowNs();
    const void *k, *v;
    size_t kl, vl;
    while ((rc = kv_iter_next(it, &k, &kl, &v, &vl)) == KV_OK) {
      const auto* key = static_cast<const unsigned char*>(k);
      if (kl != kKeyBytes) {
        static const unsigned char kNone[kKeyBytes] = {};
        Mismatch("key of the wrong length in a scan", kNone);
        continue;
      }
      if (n > 0 && std::memcmp(prev, key, kKeyBytes) >= 0) Mismatch("scan out of order", key);
      if ((lo && std::memcmp(key, lo, lo_len) < 0) || (hi && std::memcmp(key, hi, hi_len) >= 0)) {
        Mismatch("scan outside its range", key);
      }
      MakeValue(text_values_, key, want.data(), c_.value_bytes);
      if (vl != c_.value_bytes || std::memcmp(v, want.data(), vl) != 0) {
        Mismatch("wrong value in a scan", key);
      }
      std::memcpy(prev, key, kKeyBytes);
      ++n;
    }
    const uint64_t elapsed = NowNs() - start;
    if (rc != KV_END) ThrowKv("kv_iter_next", rc);
    PrintThroughput("scan", n, "entries", elapsed, kKeyBytes + c_.value_bytes);
    std::printf("        %s: %" PRIu64 " entries, expected %" PRIu64 "%s\n", label, n, expected,
                n == expected ? "" : "  MISMATCH");
    if (n != expected) ++mismatches_;
  }

  void PrintStats(kv_db* db) {
    char* s = nullptr;
    const int rc = kv_property(db, "stats", &s);
    if (rc != KV_OK) ThrowKv("kv_property(stats)", rc);
    std::printf("\n%s\n", s);
    kv_free(s);
  }

  const BenchConfig& c_;
  const GlobalOptions& g_;
  const bool text_values_ = c_.values == "text";
  uint64_t mismatches_ = 0;
};

}  // namespace

void AddBenchCommand(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("bench", "the demo workload: random writes, reads, scans, reopen");
  auto c = std::make_shared<BenchConfig>();
  cmd->add_option("--count", c->count, "items to write")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{UINT32_MAX}));
  cmd->add_option("--dir", c->dir,
                  "database directory; must not hold a database (default: a fresh directory\n"
                  "under $TMPDIR or /tmp, removed at the end)");
  cmd->add_flag("--keep", c->keep, "keep the default directory");
  cmd->add_option("--value-bytes", c->value_bytes, "value size")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 30));
  cmd->add_flag("--sync", c->sync, "fsync every write (slow: consider --batch or a smaller --count)");
  cmd->add_option("--memtable", c->memtable, "skiplist, rbtree or avl")
      ->capture_default_str()
      ->check(CLI::IsMember({"skiplist", "rbtree", "avl"}));
  cmd->add_option("--batch", c->batch, "items per kv_write (1: single puts)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 24));
  auto* seed = cmd->add_option("--seed", c->seed, "seed for keys, values and read order");
  cmd->add_flag("--stats", c->stats, "print the engine's statistics before closing");
  cmd->add_option("--values", c->values,
                  "random (incompressible bytes) or text (words; compressible, for\n"
                  "comparing -o compression=none|lz4|zstd)")
      ->capture_default_str()
      ->check(CLI::IsMember({"random", "text"}));
  SetManual(cmd, "the demo workload: random writes, reads, scans, reopen",
            "Writes --count items with random 16-byte keys and --value-bytes values\n"
            "(single puts, or --batch items per atomic batch), reads every item back in\n"
            "another random order comparing each value, scans a quarter of the key space\n"
            "and then all of it checking order, bounds and values, closes, times the\n"
            "reopen (recovery) and reads a random sample again. Prints throughput (ops/s,\n"
            "MB/s) and latency percentiles (mean, p50, p99, p99.9, max) for writes and\n"
            "reads. Keys and values derive from --seed, so a run can be repeated exactly.\n"
            "Engine options (--option) apply, e.g. -o compression=lz4. A progress bar is\n"
            "drawn on stderr when it is a terminal.",
            "strata bench\n"
            "strata bench --count 100000 --batch 100 --memtable rbtree\n"
            "strata bench --values text -o compression=zstd\n"
            "strata bench --sync --batch 1000 --dir /tmp/bench --keep",
            "0 every answer was right, 1 a wrong answer (MISMATCH lines on stderr),\n"
            "2 usage error, 3 engine error");
  cmd->callback([&g, c, seed] {
    BenchConfig config = *c;
    if (seed->count() == 0) {
      config.seed = static_cast<uint64_t>(std::time(nullptr)) ^
                    (static_cast<uint64_t>(getpid()) << 32);
    }
    if (config.dir.empty() && !g.db.empty()) config.dir = g.db;
    const bool temporary = config.dir.empty();
    std::string dir = config.dir;
    if (temporary) {
      const char* parent = std::getenv("TMPDIR");
      std::string pattern =
          std::string(parent != nullptr && parent[0] != '\0' ? parent : "/tmp") + "/strata-bench-XXXXXX";
      if (mkdtemp(pattern.data()) == nullptr) {
        throw ToolError(kExitEngineError, "mkdtemp " + pattern + ": " + std::strerror(errno));
      }
      dir = pattern;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::printf("strata %s bench: %" PRIu64 " items, %zu-byte random keys, %zu-byte %s values\n",
                kv_version(), config.count, kKeyBytes, config.value_bytes, config.values.c_str());
    std::printf("memtable %s, sync %s, %s, seed %" PRIu64 "\n", config.memtable.c_str(),
                config.sync ? "on" : "off", config.batch > 1 ? "batched writes" : "single puts",
                config.seed);
    std::printf("directory %s\n\n", dir.c_str());
    Bench bench(config, g);
    bool ok = false;
    try {
      bench.Run(dir);
      ok = true;
    } catch (const ToolError&) {
      std::printf("\nthe database is in %s\nFAILED\n", dir.c_str());
      throw;
    }
    if (ok && bench.mismatches() == 0 && temporary && !config.keep) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      if (ec) std::fprintf(stderr, "warning: cannot remove %s: %s\n", dir.c_str(), ec.message().c_str());
    } else {
      std::printf("\nthe database is in %s\n", dir.c_str());
    }
    if (bench.mismatches() > 0) {
      std::printf("FAILED: %" PRIu64 " mismatches\n", bench.mismatches());
      g.exit_code = kExitNo;
    } else {
      std::printf("\nall %" PRIu64 " items verified\n", config.count);
    }
  });
}

}  // namespace strata_tool
