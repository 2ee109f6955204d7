#include "workloads.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "key_space.h"
#include "latency_histogram.h"
#include "process_stats.h"
#include "progress_meter.h"

namespace strata_bench {
namespace {

using nlohmann::json;

// A write slower than this counts toward "slow_write_seconds", the time
// writers spent in writes that were throttled or stalled (or simply slow).
constexpr uint64_t kSlowWriteNanos = 1'000'000;
// Operations between updates of the shared progress counter.
constexpr uint64_t kProgressBatch = 256;
constexpr uint64_t kItemBytes = kKeyBytes + kValueBytes;

double seconds_of(uint64_t nanos) { return static_cast<double>(nanos) / 1e9; }
double micros_of(uint64_t nanos) { return static_cast<double>(nanos) / 1e3; }

json latency_json(const LatencyHistogram& h) {
  double mean = h.count() ? static_cast<double>(h.total_nanos()) / static_cast<double>(h.count())
                          : 0.0;
  return {{"p50_us", micros_of(h.percentile_nanos(0.50))},
          {"p99_us", micros_of(h.percentile_nanos(0.99))},
          {"p999_us", micros_of(h.percentile_nanos(0.999))},
          {"max_us", micros_of(h.max_nanos())},
          {"mean_us", mean / 1e3}};
}

// What one thread's timed loop measured.
struct LoopStats {
  LatencyHistogram latency;
  uint64_t slow_nanos = 0;

  void merge(const LoopStats& other) {
    latency.merge(other.latency);
    slow_nanos += other.slow_nanos;
  }
};

// Calls op(i) for i in [begin, end), timing each call, and stops early once
// the clock passes deadline_nanos (0: no deadline); stats.latency.count() is
// then the number of calls made. The end of one call's timing is the start of
// the next, so each operation costs one clock read.
void timed_loop(uint64_t begin, uint64_t end, ProgressMeter& meter, LoopStats& stats,
                const std::function<void(uint64_t)>& op, uint64_t deadline_nanos = 0) {
  uint64_t t0 = now_nanos();
  uint64_t unreported = 0;
  for (uint64_t i = begin; i < end; ++i) {
    op(i);
    uint64_t t1 = now_nanos();
    uint64_t d = t1 - t0;
    stats.latency.record(d);
    if (d >= kSlowWriteNanos) stats.slow_nanos += d;
    t0 = t1;
    if (++unreported == kProgressBatch) {
      meter.add(unreported);
      unreported = 0;
    }
    if (deadline_nanos != 0 && t1 >= deadline_nanos) break;
  }
  meter.add(unreported);
}

// Runs `total` operations split evenly over `threads` threads; returns the
// merged stats. op(i) for every i in [0, total) at most once: all of them
// unless the deadline (as in timed_loop) stops the threads first.
LoopStats parallel_loop(int threads, uint64_t total, ProgressMeter& meter,
                        const std::function<void(uint64_t)>& op, uint64_t deadline_nanos) {
  std::vector<LoopStats> per_thread(threads);
  std::vector<std::thread> workers;
  std::atomic<bool> failed{false};
  std::string failure;
  std::mutex failure_mu;
  for (int t = 0; t < threads; ++t) {
    uint64_t begin = total * t / threads, end = total * (t + 1) / threads;
    workers.emplace_back([&, t, begin, end] {
      try {
        timed_loop(begin, end, meter, per_thread[t], op, deadline_nanos);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (!failed.exchange(true)) failure = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed) throw BenchError(failure);
  LoopStats all;
  for (auto& s : per_thread) all.merge(s);
  return all;
}

// The state and helpers every step shares.
class Step {
 public:
  Step(const std::string& name, const std::string& engine, const std::string& dir,
       const WorkloadConfig& config)
      : name_(name),
        engine_(engine),
        dir_(dir),
        config_(config),
        write_bytes_at_start_(process_write_bytes()),
        meter_(engine + " " + name, 0) {}

  json run();

 private:
  std::unique_ptr<Engine> open(const EngineSettings& settings) {
    return open_engine(engine_, dir_, settings);
  }
  std::unique_ptr<Engine> open() { return open(config_.settings); }

  // Result fields common to every step: what the timed loop did in `nanos`
  // of the `planned` operations (fewer when the step's time limit stopped it).
  json throughput(uint64_t planned, uint64_t nanos, const LoopStats& stats) const {
    const uint64_t ops = stats.latency.count();
    return {{"ops", ops},
            {"planned_ops", planned},
            {"stopped_by_time_limit", ops < planned},
            {"seconds", seconds_of(nanos)},
            {"ops_per_sec", static_cast<double>(ops) / seconds_of(nanos)},
            {"latency", latency_json(stats.latency)}};
  }

  // The deadline of a step that may stop early (reads, fillsync): now plus
  // --max-step-seconds, or 0 for none.
  uint64_t deadline() const {
    return config_.max_step_seconds > 0
               ? now_nanos() + static_cast<uint64_t>(config_.max_step_seconds * 1e9)
               : 0;
  }

  json fill(bool sequential);
  json overwrite();
  json read(bool missing);
  json seek();
  json read_while_writing();
  json fill_sync(int threads);
  json read_parallel(int threads);
  json reopen_fill();
  json reopen();

  // After a write step: flush, wait for compactions and close, timing it;
  // then write and space amplification over `user_bytes` written and
  // `live_bytes` of live data.
  void settle_and_close(Engine& db, uint64_t user_bytes, uint64_t live_bytes, json& out);

  const std::string name_, engine_, dir_;
  const WorkloadConfig& config_;
  const std::optional<uint64_t> write_bytes_at_start_;
  ProgressMeter meter_;
};

void Step::settle_and_close(Engine& db, uint64_t user_bytes, uint64_t live_bytes, json& out) {
  meter_.phase(engine_ + " " + name_ + " settling (flush, compactions)", 0);
  uint64_t t0 = now_nanos();
  db.flush();
  db.wait_idle();
  db.close();
  out["settle_seconds"] = seconds_of(now_nanos() - t0);
  std::optional<uint64_t> written = process_write_bytes();
  if (written && write_bytes_at_start_) {
    out["disk_write_bytes"] = *written - *write_bytes_at_start_;
    out["write_amp"] =
        static_cast<double>(*written - *write_bytes_at_start_) / static_cast<double>(user_bytes);
  }
  uint64_t dir_bytes = directory_bytes(dir_);
  out["dir_bytes"] = dir_bytes;
  out["space_amp"] = static_cast<double>(dir_bytes) / static_cast<double>(live_bytes);
}

json Step::fill(bool sequential) {
  const uint64_t n = config_.num;
  auto db = open();
  ValueSource values(config_.seed);
  Permutation order(n, config_.seed);
  meter_.phase(engine_ + " " + name_, n);
  LoopStats stats;
  uint64_t t0 = now_nanos();
  timed_loop(0, n, meter_, stats, [&](uint64_t i) {
    Key key = Key::present(sequential ? i : order.at(i));
    db->put(key.view(), values.next(), false);
  });
  json out = throughput(n, now_nanos() - t0, stats);
  out["slow_write_seconds"] = seconds_of(stats.slow_nanos);
  if (sequential) {
    db->close();
  } else {
    settle_and_close(*db, n * kItemBytes, n * kItemBytes, out);
  }
  return out;
}

json Step::overwrite() {
  const uint64_t n = config_.num;
  auto db = open();
  ValueSource values(config_.seed + 1);
  RandomStream random(config_.seed + 2);
  meter_.phase(engine_ + " " + name_, n);
  LoopStats stats;
  uint64_t t0 = now_nanos();
  timed_loop(0, n, meter_, stats, [&](uint64_t) {
    db->put(Key::present(random.below(n)).view(), values.next(), false);
  });
  json out = throughput(n, now_nanos() - t0, stats);
  out["slow_write_seconds"] = seconds_of(stats.slow_nanos);
  settle_and_close(*db, n * kItemBytes, n * kItemBytes, out);
  return out;
}

json Step::read(bool missing) {
  const uint64_t n = config_.num, reads = config_.reads;
  auto db = open();
  RandomStream random(config_.seed + (missing ? 3 : 4));
  meter_.phase(engine_ + " " + name_, reads);
  LoopStats stats;
  const std::optional<uint64_t> read_bytes_at_start = process_read_bytes();
  uint64_t t0 = now_nanos();
  const uint64_t stop_at = deadline();
  timed_loop(0, reads, meter_, stats, [&](uint64_t) {
    uint64_t k = random.below(n);
    size_t value_bytes = 0;
    bool found = db->get(missing ? Key::missing(k).view() : Key::present(k).view(), &value_bytes);
    if (found == missing)
      throw BenchError(name_ + ": key " + std::to_string(k) +
                       (missing ? " (absent) was found" : " (present) was not found"));
    if (found && value_bytes != kValueBytes)
      throw BenchError(name_ + ": key " + std::to_string(k) + " has a value of " +
                       std::to_string(value_bytes) + " bytes");
  }, stop_at);
  json out = throughput(reads, now_nanos() - t0, stats);
  // Storage reads per lookup (with --mem-mb, what the caches did not hold).
  const std::optional<uint64_t> read_bytes = process_read_bytes();
  if (read_bytes && read_bytes_at_start && stats.latency.count() > 0) {
    out["disk_read_bytes"] = *read_bytes - *read_bytes_at_start;
    out["disk_read_bytes_per_op"] = static_cast<double>(*read_bytes - *read_bytes_at_start) /
                                    static_cast<double>(stats.latency.count());
  }
  db->close();
  return out;
}

json Step::read_parallel(int threads) {
  const uint64_t n = config_.num, reads = config_.reads;
  auto db = open();
  meter_.phase(engine_ + " " + name_, reads);
  const uint64_t seed = config_.seed + 14;
  const uint64_t stop_at = deadline();
  uint64_t t0 = now_nanos();
  // The i-th get's key comes from a hash of i, so that the threads, which
  // take indexes from one counter, need no shared random state.
  LoopStats stats = parallel_loop(threads, reads, meter_, [&](uint64_t i) {
    uint64_t z = (seed + i) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    const uint64_t k = (z ^ (z >> 31)) % n;
    size_t value_bytes = 0;
    if (!db->get(Key::present(k).view(), &value_bytes) || value_bytes != kValueBytes) {
      throw BenchError(name_ + ": key " + std::to_string(k) + " was not found whole");
    }
  }, stop_at);
  json out = throughput(reads, now_nanos() - t0, stats);
  out["threads"] = threads;
  db->close();
  return out;
}

json Step::seek() {
  const uint64_t n = config_.num, seeks = config_.seeks, length = config_.scan_length;
  auto db = open();
  RandomStream random(config_.seed + 5);
  meter_.phase(engine_ + " " + name_, seeks);
  LoopStats stats;
  uint64_t entries = 0;
  const uint64_t stop_at = deadline();
  uint64_t t0 = now_nanos();
  timed_loop(0, seeks, meter_, stats, [&](uint64_t) {
    uint64_t k = random.below(n);
    size_t read = db->scan(Key::present(k).view(), length);
    size_t expected = std::min(length, n - k);
    if (read != expected)
      throw BenchError("seekrandom: a scan from key " + std::to_string(k) + " read " +
                       std::to_string(read) + " entries, expected " + std::to_string(expected));
    entries += read;
  }, stop_at);
  json out = throughput(seeks, now_nanos() - t0, stats);
  out["entries_per_seek"] =
      static_cast<double>(entries) / static_cast<double>(std::max<uint64_t>(1, stats.latency.count()));
  db->close();
  return out;
}

json Step::read_while_writing() {
  const uint64_t n = config_.num, reads = config_.reads_while_writing;
  auto db = open();
  meter_.phase(engine_ + " " + name_ + " (reads)", reads);
  std::atomic<bool> reading{true}, writing{false};
  std::atomic<uint64_t> writes{0};
  std::string writer_failure;
  std::thread writer([&] {
    ValueSource values(config_.seed + 6);
    RandomStream random(config_.seed + 7);
    uint64_t done = 0;
    try {
      while (reading.load(std::memory_order_relaxed)) {
        db->put(Key::present(random.below(n)).view(), values.next(), false);
        if (++done == 1) writing.store(true);
      }
    } catch (const std::exception& e) {
      writer_failure = e.what();
    }
    writes.store(done);
    writing.store(true);  // also when it failed: the reader must not wait forever
  });
  // The reads start once the writer is writing, so they all overlap writes.
  while (!writing.load()) std::this_thread::yield();
  LoopStats stats;
  RandomStream random(config_.seed + 8);
  const uint64_t stop_at = deadline();
  uint64_t t0 = now_nanos(), nanos = 0;
  try {
    timed_loop(0, reads, meter_, stats, [&](uint64_t) {
      uint64_t k = random.below(n);
      size_t value_bytes = 0;
      if (!db->get(Key::present(k).view(), &value_bytes))
        throw BenchError("readwhilewriting: key " + std::to_string(k) + " was not found");
    }, stop_at);
    nanos = now_nanos() - t0;
  } catch (...) {
    reading.store(false);
    writer.join();
    throw;
  }
  reading.store(false);
  writer.join();
  if (!writer_failure.empty()) throw BenchError("readwhilewriting writer: " + writer_failure);
  json out = throughput(reads, nanos, stats);
  out["writer_ops_per_sec"] = static_cast<double>(writes.load()) / seconds_of(nanos);
  db->close();
  return out;
}

json Step::fill_sync(int threads) {
  const uint64_t total = config_.sync_ops;
  auto db = open();
  Permutation order(std::max(config_.num, total), config_.seed + 9);
  // One value for every thread: a ValueSource belongs to one thread.
  ValueSource values(config_.seed + 10);
  const std::string_view value = values.next();
  meter_.phase(engine_ + " " + name_, total);
  const uint64_t stop_at = deadline();
  uint64_t t0 = now_nanos();
  LoopStats stats = parallel_loop(threads, total, meter_, [&](uint64_t i) {
    db->put(Key::present(order.at(i)).view(), value, true);
  }, stop_at);
  json out = throughput(total, now_nanos() - t0, stats);
  out["threads"] = threads;
  db->close();
  return out;
}

// reopen-fill and reopen agree on what was written: reopen_bytes of items,
// keys in a permutation of [0, items).
uint64_t reopen_items(const WorkloadConfig& c) { return std::max<uint64_t>(1, c.reopen_bytes / kItemBytes); }

EngineSettings reopen_settings(const WorkloadConfig& c) {
  EngineSettings s = c.settings;
  s.memtable_bytes = std::max(s.memtable_bytes, 2 * c.reopen_bytes);
  return s;
}

json Step::reopen_fill() {
  const uint64_t items = reopen_items(config_);
  auto db = open(reopen_settings(config_));
  ValueSource values(config_.seed + 11);
  Permutation order(items, config_.seed + 12);
  meter_.phase(engine_ + " " + name_, items);
  LoopStats stats;
  timed_loop(0, items, meter_, stats, [&](uint64_t i) {
    db->put(Key::present(order.at(i)).view(), values.next(), false);
  });
  // Tell the driver, then wait for its SIGKILL with everything in the WAL.
  std::printf("ready\n");
  std::fflush(stdout);
  for (;;) pause();
}

json Step::reopen() {
  const uint64_t items = reopen_items(config_);
  json out;
  out["wal_bytes"] = directory_bytes(dir_, ".log");
  out["table_bytes_before_open"] = directory_bytes(dir_, ".sst") + directory_bytes(dir_, ".ldb");
  uint64_t t0 = now_nanos();
  auto db = open(reopen_settings(config_));
  out["open_seconds"] = seconds_of(now_nanos() - t0);
  // What was acknowledged before the kill must be there: the last write and
  // a sample of the others.
  Permutation order(items, config_.seed + 12);
  RandomStream random(config_.seed + 13);
  for (uint64_t j = 0; j < 1000; ++j) {
    uint64_t i = j == 0 ? items - 1 : random.below(items);
    size_t value_bytes = 0;
    if (!db->get(Key::present(order.at(i)).view(), &value_bytes))
      throw BenchError("reopen: write " + std::to_string(i) + " of " + std::to_string(items) +
                       ", acknowledged before the kill, is missing");
  }
  uint64_t t1 = now_nanos();
  db->close();
  out["close_seconds"] = seconds_of(now_nanos() - t1);
  return out;
}

json Step::run() {
  AnonRssPeak anon_rss;
  json out;
  if (name_ == "fillseq") out = fill(true);
  else if (name_ == "fillrandom") out = fill(false);
  else if (name_ == "overwrite") out = overwrite();
  else if (name_ == "readrandom") out = read(false);
  else if (name_ == "readmissing") out = read(true);
  else if (name_ == "readrandom8") out = read_parallel(8);
  else if (name_ == "seekrandom") out = seek();
  else if (name_ == "readwhilewriting") out = read_while_writing();
  else if (name_ == "fillsync1") out = fill_sync(1);
  else if (name_ == "fillsync8") out = fill_sync(8);
  else if (name_ == "reopen-fill") out = reopen_fill();
  else if (name_ == "reopen") out = reopen();
  else throw BenchError("unknown step '" + name_ + "'");
  out["step"] = name_;
  out["engine"] = engine_;
  out["peak_rss_bytes"] = peak_rss_bytes();
  out["peak_anon_rss_bytes"] = anon_rss.peak_bytes();
  return out;
}

}  // namespace

const std::vector<std::string>& step_names() {
  static const std::vector<std::string> names{
      "fillseq",   "fillrandom", "overwrite", "readrandom",  "readrandom8", "readmissing", "seekrandom",
      "readwhilewriting", "fillsync1", "fillsync8", "reopen-fill", "reopen"};
  return names;
}

std::string run_step(const std::string& step, const std::string& engine, const std::string& dir,
                     const WorkloadConfig& config) {
  Step s(step, engine, dir, config);
  return s.run().dump();
}

}  // namespace strata_bench
