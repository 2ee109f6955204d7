#include "process_stats.h"

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "engine.h"

namespace strata_bench {

uint64_t now_nanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

namespace {

std::optional<uint64_t> proc_self_io(const std::string& field) {
  std::ifstream io("/proc/self/io");
  std::string name;
  uint64_t value;
  while (io >> name >> value)
    if (name == field) return value;
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> process_write_bytes() { return proc_self_io("write_bytes:"); }

std::optional<uint64_t> process_read_bytes() { return proc_self_io("read_bytes:"); }

uint64_t peak_rss_bytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

uint64_t anon_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stoull(line.substr(8)) * 1024;  // kB
  }
  return 0;
}

AnonRssPeak::AnonRssPeak() {
  peak_ = anon_rss_bytes();
  sampler_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(10), [this] { return stop_; })) {
      Sample();
    }
  });
}

void AnonRssPeak::Sample() {
  // Two threads sample (the sampler and peak_bytes' caller): only a larger
  // value may replace the peak.
  const uint64_t now = anon_rss_bytes();
  uint64_t peak = peak_.load();
  while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
  }
}

AnonRssPeak::~AnonRssPeak() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  sampler_.join();
}

uint64_t AnonRssPeak::peak_bytes() {
  Sample();
  return peak_.load();
}

uint64_t directory_bytes(const std::string& dir, const std::string& suffix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) throw BenchError("cannot list " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw BenchError("cannot list " + dir + ": " + ec.message());
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    uint64_t size = it->file_size(entry_ec);
    if (!entry_ec) total += size;  // a file deleted meanwhile counts as gone
  }
  return total;
}

}  // namespace strata_bench
